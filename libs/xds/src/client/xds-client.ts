import { EventEmitter } from 'node:events';
import { Client, credentials as grpcCredentials, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import type { ChannelCredentials, ChannelOptions, ClientDuplexStream, StatusObject } from '@grpc/grpc-js';
import type { DescMessage } from '@bufbuild/protobuf';
import type { Logger } from '@agentplane/telemetry';
import { DELTA_ADS_PATH, loadAdsDefinition } from '../ads/ads-definition.js';
import type { AdsDefinition } from '../ads/ads-definition.js';
import type { DeltaDiscoveryRequestInit, DeltaDiscoveryResponse } from '../ads/wire-types.js';
import { XdsError, XdsInvalidResourceError } from '../errors.js';
import { toWireNode } from '../node-identity.js';
import type { GatewayNodeInfo } from '../node-identity.js';
import { PARTIAL_VERSION_SUFFIX } from '../protocol-constants.js';
import { agentplaneResourceTypes } from '../type-urls.js';
import type { ResourceTypeRegistry } from '../type-urls.js';
import { JitteredBackoff } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { validateResponse } from './response-validation.js';
import type { XdsResource, XdsResourceValidator, XdsResponseValidator } from './response-validation.js';

/**
 * - `connecting`: no config yet, no stream answering.
 * - `syncing`: stream open, waiting for the first complete response of every type.
 * - `synced`: every type has a complete, accepted response on the current stream.
 * - `stale`: had a config, and the stream is gone or not yet resynced; the config is kept.
 */
export type XdsSyncState = 'connecting' | 'syncing' | 'synced' | 'stale';

export interface XdsChangeEvent {
  typeUrl: string;
  updated: readonly XdsResource[];
  removed: readonly string[];
}

export interface XdsNackEvent {
  typeUrl: string;
  nonce: string;
  reason: string;
}

/** One response as received, before validation (for message and byte counters). */
export interface XdsResponseEvent {
  typeUrl: string;
  /** Size of the encoded response message. */
  bytes: number;
}

export interface XdsClientEvents {
  state: [XdsSyncState];
  /** A response arrived (emitted before it is validated, ACKed or NACKed). */
  response: [XdsResponseEvent];
  /** An accepted response changed the resource set. */
  change: [XdsChangeEvent];
  /** A response was rejected; the previous resources are kept. */
  nack: [XdsNackEvent];
  /** The first complete sync (emitted once). */
  synced: [];
  /** The stream ended; the client reconnects after a backoff. */
  disconnected: [StatusObject];
}

export interface XdsClientOptions {
  /** `host:port` of the xDS server. */
  address: string;
  node: GatewayNodeInfo;
  /** Default insecure (plaintext). */
  credentials?: ChannelCredentials;
  /** Bearer token sent on every (re)connect, e.g. a reader of the projected token file. */
  token?: () => string | undefined | Promise<string | undefined>;
  /** Resource types to subscribe to, in apply order. Default agentplane's five. */
  types?: ResourceTypeRegistry;
  /** Explicit resource names per type URL; a type without an entry is a wildcard subscription. */
  subscriptions?: Readonly<Record<string, readonly string[]>>;
  validateResource?: XdsResourceValidator;
  validateResponse?: XdsResponseValidator;
  backoff?: BackoffOptions;
  /** Client keepalive pings. Defaults: every 30 s, 10 s to answer. */
  keepalive?: { timeMs?: number; timeoutMs?: number };
  /** Largest response accepted. Default 4 MiB (grpc-js's default). */
  maxReceiveBytes?: number;
  grpcOptions?: ChannelOptions;
  logger?: Logger;
  ads?: AdsDefinition;
}

interface TypeState {
  typeUrl: string;
  schema: DescMessage;
  wildcard: boolean;
  names: Set<string>;
  resources: Map<string, XdsResource>;
  /** A complete response was accepted on the current stream. */
  complete: boolean;
}

type Stream = ClientDuplexStream<DeltaDiscoveryRequestInit, DeltaDiscoveryResponse>;

const INVALID_ARGUMENT = 3;

/**
 * A Delta ADS client for a gateway: subscribes, validates and applies responses (NACKing bad ones
 * and keeping the last good resources), reconnects with jittered backoff and resends its versions.
 */
export class XdsClient extends EventEmitter<XdsClientEvents> {
  readonly #o: XdsClientOptions;
  readonly #ads: AdsDefinition;
  readonly #grpc: Client;
  readonly #types = new Map<string, TypeState>();
  readonly #backoff: JitteredBackoff;
  #state: XdsSyncState = 'connecting';
  #stream: Stream | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #lastResponseBytes = 0;
  #everSynced = false;
  readonly #firstSync: Promise<void>;
  #resolveFirstSync: () => void = () => undefined;
  #rejectFirstSync: (err: Error) => void = () => undefined;

  constructor(options: XdsClientOptions) {
    super();
    this.#o = options;
    this.#ads = options.ads ?? loadAdsDefinition();
    this.#backoff = new JitteredBackoff(options.backoff);
    for (const [typeUrl, schema] of options.types ?? agentplaneResourceTypes()) {
      const names = options.subscriptions?.[typeUrl];
      this.#types.set(typeUrl, {
        typeUrl,
        schema,
        wildcard: names === undefined,
        names: new Set(names ?? []),
        resources: new Map(),
        complete: false,
      });
    }
    this.#grpc = new Client(options.address, options.credentials ?? grpcCredentials.createInsecure(), {
      'grpc.keepalive_time_ms': options.keepalive?.timeMs ?? 30_000,
      'grpc.keepalive_timeout_ms': options.keepalive?.timeoutMs ?? 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': options.maxReceiveBytes ?? 4 * 1024 * 1024,
      ...options.grpcOptions,
    });
    this.#firstSync = new Promise<void>((resolve, reject) => {
      this.#resolveFirstSync = resolve;
      this.#rejectFirstSync = reject;
    });
    // Nobody may be waiting; a rejection on close must not be unhandled.
    this.#firstSync.catch(() => undefined);
  }

  get state(): XdsSyncState {
    return this.#state;
  }

  /** Opens the stream (idempotent). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#connect();
  }

  /** Resolves on the first complete sync; rejects if the client is closed first. */
  whenSynced(): Promise<void> {
    return this.#firstSync;
  }

  /** The current (last accepted) resources of a type. */
  resources(typeUrl: string): ReadonlyMap<string, XdsResource> {
    return this.#types.get(typeUrl)?.resources ?? new Map<string, XdsResource>();
  }

  /** Resource versions of a type, as sent in initial_resource_versions on reconnect. */
  versions(typeUrl: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.resources(typeUrl).values()) out[r.name] = r.version;
    return out;
  }

  /** Adds explicit subscriptions (`*` for wildcard). */
  subscribe(typeUrl: string, names: readonly string[]): void {
    const state = this.#typeState(typeUrl);
    for (const name of names) {
      if (name === '*') state.wildcard = true;
      else state.names.add(name);
    }
    this.#write({ type_url: typeUrl, resource_names_subscribe: [...names] });
  }

  /** Removes subscriptions (`*` ends the wildcard); drops the resources no longer subscribed. */
  unsubscribe(typeUrl: string, names: readonly string[]): void {
    const state = this.#typeState(typeUrl);
    for (const name of names) {
      if (name === '*') state.wildcard = false;
      else state.names.delete(name);
    }
    this.#write({ type_url: typeUrl, resource_names_unsubscribe: [...names] });
    if (state.wildcard) return;
    const removed = [...state.resources.keys()].filter((n) => !state.names.has(n));
    for (const name of removed) state.resources.delete(name);
    if (removed.length > 0) this.emit('change', { typeUrl, updated: [], removed });
  }

  /** Stops for good: ends the stream, closes the channel. The resources stay readable. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.cancel();
    this.#grpc.close();
    this.#rejectFirstSync(new XdsError('XDS_CLOSED', 'xds client closed before the first sync'));
    return Promise.resolve();
  }

  #typeState(typeUrl: string): TypeState {
    const state = this.#types.get(typeUrl);
    if (!state) throw new XdsError('XDS_UNKNOWN_TYPE', `not a subscribed type: ${typeUrl}`);
    return state;
  }

  #setState(next: XdsSyncState): void {
    if (this.#state === next) return;
    this.#state = next;
    this.emit('state', next);
  }

  #write(request: DeltaDiscoveryRequestInit): void {
    this.#stream?.write(request);
  }

  #connect(): void {
    if (this.#closed) return;
    const tokenSource = this.#o.token;
    Promise.resolve(tokenSource ? tokenSource() : undefined).then(
      (token) => this.#open(token),
      (err: unknown) => {
        this.#o.logger?.warn({ err }, 'xds token unavailable');
        this.#scheduleReconnect();
      },
    );
  }

  #open(token: string | undefined): void {
    if (this.#closed) return;
    const metadata = new Metadata();
    if (token) metadata.set('authorization', `Bearer ${token}`);
    const stream: Stream = this.#grpc.makeBidiStreamRequest(
      DELTA_ADS_PATH,
      (req: DeltaDiscoveryRequestInit) => this.#ads.delta.requestSerialize(req as never),
      (bytes: Buffer) => {
        this.#lastResponseBytes = bytes.length;
        return this.#ads.delta.responseDeserialize(bytes);
      },
      metadata,
    );
    this.#stream = stream;
    stream.on('data', (response: DeltaDiscoveryResponse) => {
      if (this.#stream !== stream) return;
      this.emit('response', { typeUrl: response.type_url, bytes: this.#lastResponseBytes });
      this.#onResponse(response);
    });
    stream.on('error', () => undefined); // the 'status' event carries the outcome
    stream.on('status', (status: StatusObject) => {
      if (this.#stream !== stream) return;
      this.#stream = undefined;
      this.#onStreamEnd(status);
    });
    let first = true;
    for (const state of this.#types.values()) {
      state.complete = false;
      const subscribe = [...(state.wildcard ? ['*'] : []), ...state.names];
      stream.write({
        ...(first ? { node: toWireNode(this.#o.node) } : {}),
        type_url: state.typeUrl,
        resource_names_subscribe: subscribe,
        initial_resource_versions: this.versions(state.typeUrl),
      });
      first = false;
    }
    this.#setState(this.#everSynced ? 'stale' : 'syncing');
  }

  #onStreamEnd(status: StatusObject): void {
    for (const state of this.#types.values()) state.complete = false;
    if (this.#closed) return;
    this.#o.logger?.warn({ code: grpcStatus[status.code], details: status.details }, 'xds stream ended');
    this.emit('disconnected', status);
    this.#setState(this.#everSynced ? 'stale' : 'connecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = this.#backoff.next();
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #onResponse(response: DeltaDiscoveryResponse): void {
    const { type_url: typeUrl, nonce } = response;
    const state = this.#types.get(typeUrl);
    let result: { updated: XdsResource[]; removed: string[]; next: Map<string, XdsResource> };
    try {
      if (!state) throw new XdsInvalidResourceError(`not a subscribed type: ${typeUrl}`);
      const valid = validateResponse(response, state.schema, this.#o.validateResource);
      const next = new Map(state.resources);
      for (const r of valid.updated) next.set(r.name, r);
      const removed = valid.removed.filter((name) => next.delete(name));
      const reason = this.#o.validateResponse?.({ typeUrl, updated: valid.updated, removed, next });
      if (reason !== undefined) throw new XdsInvalidResourceError(reason);
      result = { updated: valid.updated, removed, next };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#write({
        type_url: typeUrl,
        response_nonce: nonce,
        error_detail: { code: INVALID_ARGUMENT, message: reason },
      });
      this.#o.logger?.warn({ typeUrl, nonce, reason }, 'xds response rejected');
      this.emit('nack', { typeUrl, nonce, reason });
      return;
    }
    state.resources = result.next;
    this.#write({ type_url: typeUrl, response_nonce: nonce });
    this.#backoff.reset();
    if (result.updated.length > 0 || result.removed.length > 0) {
      this.emit('change', { typeUrl, updated: result.updated, removed: result.removed });
    }
    if (!response.system_version_info.endsWith(PARTIAL_VERSION_SUFFIX)) state.complete = true;
    if (this.#state !== 'synced' && [...this.#types.values()].every((s) => s.complete)) {
      this.#setState('synced');
      if (!this.#everSynced) {
        this.#everSynced = true;
        this.emit('synced');
        this.#resolveFirstSync();
      }
    }
  }
}

/** Creates a client; call start() to connect. */
export function createXdsClient(options: XdsClientOptions): XdsClient {
  return new XdsClient(options);
}
