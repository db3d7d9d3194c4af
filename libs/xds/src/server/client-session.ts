import type { Logger } from '@agentplane/telemetry';
import type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  WireNode,
  WireResource,
} from '../ads/wire-types.js';
import { gatewayKey, gatewayOfNode } from '../node-identity.js';
import { PARTIAL_VERSION_SUFFIX } from '../protocol-constants.js';
import type { GatewayRef } from '../node-identity.js';
import type { XdsClientIdentity } from './authentication.js';
import type { XdsServerMetrics } from './server-metrics.js';
import type { CacheChange, CacheEntry, XdsSnapshotCache } from './snapshot-cache.js';

/** Decides whether a client may see a resource beyond the entry's own `gateways` list. */
export type XdsResourceFilter = (client: ClientView, entry: CacheEntry) => boolean;

/** What a filter knows about a client. */
export interface ClientView {
  id: string;
  identity: XdsClientIdentity;
  node: WireNode | null;
  gateway: GatewayRef | undefined;
}

/** A NACK as the server recorded it. */
export interface NackRecord {
  nonce: string;
  message: string;
  /** The versions the client rejected, by resource name. */
  versions: ReadonlyMap<string, string>;
  at: Date;
}

/** The server's view of one type on one client stream. */
export interface ClientTypeSnapshot {
  typeUrl: string;
  wildcard: boolean;
  subscribed: readonly string[];
  /** Resource versions the client has ACKed (or declared in initial_resource_versions). */
  acked: ReadonlyMap<string, string>;
  /** Resource versions the client has NACKed and that are therefore not resent. */
  nacked: ReadonlyMap<string, string>;
  lastNack: NackRecord | undefined;
  /** Responses sent and not yet ACKed or NACKed. */
  pending: number;
}

export interface ClientSnapshot extends ClientView {
  connectedAt: Date;
  types: ClientTypeSnapshot[];
}

interface PendingResponse {
  updates: Map<string, string>;
  removed: string[];
}

interface TypeState {
  typeUrl: string;
  wildcard: boolean;
  subscribed: Set<string>;
  /** What we believe the client holds: ACKed plus sent-and-unanswered. */
  clientVersions: Map<string, string>;
  acked: Map<string, string>;
  nacked: Map<string, string>;
  pending: Map<string, PendingResponse>;
  dirty: Set<string> | 'all';
  needsResponse: boolean;
  lastNack: NackRecord | undefined;
}

export interface ClientSessionOptions {
  id: string;
  identity: XdsClientIdentity;
  cache: XdsSnapshotCache;
  /** Writes one response; returns its encoded size in bytes. */
  send: (response: DeltaDiscoveryResponse) => number;
  filter: XdsResourceFilter | undefined;
  maxResponseBytes: number;
  metrics: XdsServerMetrics;
  logger: Logger | undefined;
  nextNonce: () => string;
}

/** Approximate framing of one Resource inside a response, on top of its name, version and bytes. */
const RESOURCE_OVERHEAD = 16;

/**
 * Delta xDS state of one client stream: subscriptions and versions per type, outstanding
 * responses by nonce, ACK/NACK bookkeeping, and computing what to send next.
 */
export class ClientSession {
  readonly id: string;
  readonly identity: XdsClientIdentity;
  readonly connectedAt = new Date();
  node: WireNode | null = null;
  gateway: GatewayRef | undefined;
  readonly #o: ClientSessionOptions;
  readonly #types = new Map<string, TypeState>();
  #gatewayKey: string | undefined;
  #flushScheduled = false;
  #closed = false;

  constructor(options: ClientSessionOptions) {
    this.#o = options;
    this.id = options.id;
    this.identity = options.identity;
  }

  /** Records the node of the stream's first request. */
  setNode(node: WireNode | null): void {
    this.node = node;
    this.gateway = gatewayOfNode(node);
    this.#gatewayKey = this.gateway ? gatewayKey(this.gateway) : undefined;
  }

  close(): void {
    this.#closed = true;
  }

  handleRequest(req: DeltaDiscoveryRequest): void {
    const typeUrl = req.type_url;
    let state = this.#types.get(typeUrl);
    const first = state === undefined;
    if (!state) {
      state = {
        typeUrl,
        wildcard: false,
        subscribed: new Set(),
        clientVersions: new Map(Object.entries(req.initial_resource_versions)),
        acked: new Map(Object.entries(req.initial_resource_versions)),
        nacked: new Map(),
        pending: new Map(),
        dirty: 'all',
        needsResponse: true,
        lastNack: undefined,
      };
      this.#types.set(typeUrl, state);
      // A first request that subscribes to nothing is a (legacy) wildcard subscription.
      if (req.resource_names_subscribe.length === 0) state.wildcard = true;
    }
    if (req.response_nonce !== '') this.#answer(state, req);
    // Subscription changes apply whatever the nonce (even a stale one).
    for (const name of req.resource_names_subscribe) {
      if (name === '*') {
        state.wildcard = true;
        state.dirty = 'all';
      } else {
        state.subscribed.add(name);
        if (state.dirty !== 'all') state.dirty.add(name);
      }
    }
    for (const name of req.resource_names_unsubscribe) {
      if (name === '*') {
        state.wildcard = false;
        // The client drops what it no longer subscribes to; forget it too.
        for (const held of [...state.clientVersions.keys()])
          if (!state.subscribed.has(held)) this.#forget(state, held);
      } else {
        state.subscribed.delete(name);
        if (!state.wildcard) this.#forget(state, name);
      }
    }
    if (first || this.#hasWork(state)) this.scheduleFlush();
  }

  /** Marks cache changes as needing a look. */
  onCacheChange(change: CacheChange): void {
    const state = this.#types.get(change.typeUrl);
    if (!state) return;
    if (state.dirty !== 'all') for (const name of change.names) state.dirty.add(name);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (!this.#closed) this.flush();
    });
  }

  /** Sends, per type, whatever the client should have and does not. */
  flush(): void {
    for (const state of this.#types.values()) this.#flushType(state);
  }

  snapshot(): ClientSnapshot {
    return {
      id: this.id,
      identity: this.identity,
      node: this.node,
      gateway: this.gateway,
      connectedAt: this.connectedAt,
      types: [...this.#types.values()].map((s) => ({
        typeUrl: s.typeUrl,
        wildcard: s.wildcard,
        subscribed: [...s.subscribed],
        acked: new Map(s.acked),
        nacked: new Map(s.nacked),
        lastNack: s.lastNack,
        pending: s.pending.size,
      })),
    };
  }

  #hasWork(state: TypeState): boolean {
    return state.needsResponse || state.dirty === 'all' || state.dirty.size > 0;
  }

  #forget(state: TypeState, name: string): void {
    state.clientVersions.delete(name);
    state.acked.delete(name);
    state.nacked.delete(name);
  }

  #answer(state: TypeState, req: DeltaDiscoveryRequest): void {
    const nonce = req.response_nonce;
    const pending = state.pending.get(nonce);
    if (!pending) {
      this.#o.metrics.staleNonce?.(this.id, state.typeUrl, nonce);
      this.#o.logger?.debug({ client: this.id, typeUrl: state.typeUrl, nonce }, 'xds stale nonce');
      return;
    }
    state.pending.delete(nonce);
    if (req.error_detail) {
      const message = req.error_detail.message;
      state.lastNack = { nonce, message, versions: new Map(pending.updates), at: new Date() };
      for (const [name, version] of pending.updates) {
        state.nacked.set(name, version);
        // The client kept what it had before; unless a later response already replaced it.
        if (state.clientVersions.get(name) === version) restore(state, name);
      }
      for (const name of pending.removed) if (!state.clientVersions.has(name)) restore(state, name);
      this.#o.metrics.nacked?.(this.id, state.typeUrl, nonce, message);
      this.#o.logger?.warn({ client: this.id, typeUrl: state.typeUrl, nonce, reason: message }, 'xds NACK');
    } else {
      for (const [name, version] of pending.updates) {
        state.acked.set(name, version);
        state.nacked.delete(name);
      }
      for (const name of pending.removed) {
        state.acked.delete(name);
        state.nacked.delete(name);
      }
      this.#o.metrics.acked?.(this.id, state.typeUrl, nonce);
    }
  }

  #visible(entry: CacheEntry): boolean {
    if (entry.gateways && (this.#gatewayKey === undefined || !entry.gateways.has(this.#gatewayKey)))
      return false;
    return this.#o.filter ? this.#o.filter(this, entry) : true;
  }

  #flushType(state: TypeState): void {
    if (!this.#hasWork(state)) return;
    const entries = this.#o.cache.entries(state.typeUrl);
    const names =
      state.dirty === 'all'
        ? new Set([...entries.keys(), ...state.clientVersions.keys(), ...state.subscribed])
        : state.dirty;
    state.dirty = new Set();
    const updates: CacheEntry[] = [];
    const removed: string[] = [];
    for (const name of names) {
      const entry = entries.get(name);
      const wanted =
        entry !== undefined && (state.wildcard || state.subscribed.has(name)) && this.#visible(entry);
      const held = state.clientVersions.get(name);
      if (wanted) {
        if (held === entry.version || state.nacked.get(name) === entry.version) continue;
        updates.push(entry);
      } else if (held !== undefined || (!state.wildcard && state.subscribed.has(name))) {
        // Removed, no longer visible, or explicitly asked for and absent.
        removed.push(name);
      }
    }
    if (updates.length === 0 && removed.length === 0 && !state.needsResponse) return;
    state.needsResponse = false;
    const chunks = chunkBySize(updates, this.#o.maxResponseBytes);
    const version = String(this.#o.cache.typeVersion(state.typeUrl));
    chunks.forEach((chunk, i) => {
      const last = i === chunks.length - 1;
      this.#send(state, chunk, i === 0 ? removed : [], last ? version : version + PARTIAL_VERSION_SUFFIX);
    });
  }

  #send(state: TypeState, entries: readonly CacheEntry[], removed: string[], systemVersion: string): void {
    const nonce = this.#o.nextNonce();
    const resources: WireResource[] = entries.map((e) => ({
      name: e.name,
      version: e.version,
      resource: { type_url: e.typeUrl, value: e.bytes },
    }));
    const pending: PendingResponse = { updates: new Map(), removed };
    for (const e of entries) {
      pending.updates.set(e.name, e.version);
      state.clientVersions.set(e.name, e.version);
    }
    for (const name of removed) state.clientVersions.delete(name);
    state.pending.set(nonce, pending);
    const bytes = this.#o.send({
      system_version_info: systemVersion,
      type_url: state.typeUrl,
      resources,
      removed_resources: removed,
      nonce,
    });
    this.#o.metrics.pushed?.({
      clientId: this.id,
      typeUrl: state.typeUrl,
      nonce,
      resourceNames: entries.map((e) => e.name),
      removedResources: removed,
      bytes,
    });
  }
}

function restore(state: TypeState, name: string): void {
  const acked = state.acked.get(name);
  if (acked === undefined) state.clientVersions.delete(name);
  else state.clientVersions.set(name, acked);
}

/** Splits updates into groups whose encoded size stays under `maxBytes` (one oversize entry alone). */
function chunkBySize(entries: readonly CacheEntry[], maxBytes: number): CacheEntry[][] {
  const chunks: CacheEntry[][] = [[]];
  let size = 0;
  for (const e of entries) {
    const n = e.bytes.length + e.name.length + e.version.length + e.typeUrl.length + RESOURCE_OVERHEAD;
    const current = chunks[chunks.length - 1] ?? [];
    if (current.length > 0 && size + n > maxBytes) {
      chunks.push([e]);
      size = n;
    } else {
      current.push(e);
      size += n;
    }
  }
  return chunks;
}
