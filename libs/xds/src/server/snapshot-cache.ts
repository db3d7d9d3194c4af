import type { DescMessage, Message } from '@bufbuild/protobuf';
import { XdsInvalidResourceError, XdsUnknownTypeError } from '../errors.js';
import { contentVersion, encodeResource } from '../resource-codec.js';
import { agentplaneResourceTypes } from '../type-urls.js';
import type { ResourceTypeRegistry } from '../type-urls.js';

/** A resource as the controller hands it to the cache. */
export interface ResourceInput {
  message: Message;
  /**
   * Gateways (`namespace/name`, see gatewayKey) that may see this resource. Absent: every gateway.
   * A gateway's own binds, listeners and routes name it; shared backends and policies may not.
   */
  gateways?: readonly string[];
}

/** A resource as the cache holds it: encoded once, versioned by content. */
export interface CacheEntry {
  readonly name: string;
  readonly typeUrl: string;
  readonly bytes: Uint8Array;
  readonly version: string;
  readonly gateways: ReadonlySet<string> | undefined;
}

/** Names of one type whose entries changed (updated, added, removed or re-scoped). */
export interface CacheChange {
  typeUrl: string;
  names: ReadonlySet<string>;
}

export interface SnapshotCacheOptions {
  /** Type URL to message schema. Default: agentplane's resource types. */
  types?: ResourceTypeRegistry;
}

export interface ResourceUpdate {
  /** Resources to add or replace. */
  set?: Iterable<readonly [string, ResourceInput]>;
  /** Names to remove. */
  remove?: Iterable<string>;
}

type ChangeListener = (change: CacheChange) => void;

/**
 * The resources the xDS server serves, per type URL. The controller sets a whole type at once
 * (setResources: anything missing is removed) or edits it (updateResources); only entries whose
 * bytes or visibility changed are reported to the server, which then pushes them to the clients
 * that can see them.
 */
export class XdsSnapshotCache {
  readonly #types: ResourceTypeRegistry;
  readonly #entries = new Map<string, Map<string, CacheEntry>>();
  readonly #versions = new Map<string, number>();
  readonly #listeners = new Set<ChangeListener>();

  constructor(options: SnapshotCacheOptions = {}) {
    this.#types = options.types ?? agentplaneResourceTypes();
  }

  /** The type URLs this cache accepts. */
  get typeUrls(): readonly string[] {
    return [...this.#types.keys()];
  }

  /** Replaces every resource of a type; returns the names that changed. */
  setResources(typeUrl: string, resources: Iterable<readonly [string, ResourceInput]>): ReadonlySet<string> {
    this.#schema(typeUrl);
    const current = this.#entries.get(typeUrl) ?? new Map<string, CacheEntry>();
    const next = new Map<string, CacheEntry>();
    const changed = new Set<string>();
    for (const [name, input] of resources) {
      if (next.has(name)) throw new XdsInvalidResourceError(`${typeUrl} ${name} given twice`);
      const previous = current.get(name);
      const entry = this.#encode(typeUrl, name, input, previous);
      next.set(name, entry);
      if (!sameEntry(previous, entry)) changed.add(name);
    }
    for (const name of current.keys()) if (!next.has(name)) changed.add(name);
    this.#entries.set(typeUrl, next);
    this.#commit(typeUrl, changed);
    return changed;
  }

  /** Adds, replaces and removes some resources of a type; returns the names that changed. */
  updateResources(typeUrl: string, update: ResourceUpdate): ReadonlySet<string> {
    this.#schema(typeUrl);
    const entries = this.#entries.get(typeUrl) ?? new Map<string, CacheEntry>();
    this.#entries.set(typeUrl, entries);
    const encoded: CacheEntry[] = [];
    for (const [name, input] of update.set ?? [])
      encoded.push(this.#encode(typeUrl, name, input, entries.get(name)));
    const changed = new Set<string>();
    for (const entry of encoded) {
      if (!sameEntry(entries.get(entry.name), entry)) changed.add(entry.name);
      entries.set(entry.name, entry);
    }
    for (const name of update.remove ?? []) if (entries.delete(name)) changed.add(name);
    this.#commit(typeUrl, changed);
    return changed;
  }

  /** All entries of a type (a live view; do not keep it across awaits). */
  entries(typeUrl: string): ReadonlyMap<string, CacheEntry> {
    return this.#entries.get(typeUrl) ?? new Map<string, CacheEntry>();
  }

  get(typeUrl: string, name: string): CacheEntry | undefined {
    return this.#entries.get(typeUrl)?.get(name);
  }

  /** A counter bumped on every change of the type; sent as `system_version_info`. */
  typeVersion(typeUrl: string): number {
    return this.#versions.get(typeUrl) ?? 0;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #schema(typeUrl: string): DescMessage {
    const schema = this.#types.get(typeUrl);
    if (!schema) throw new XdsUnknownTypeError(typeUrl);
    return schema;
  }

  /** Encodes `input`; returns `previous` itself when nothing changed (no hashing, no new entry). */
  #encode(typeUrl: string, name: string, input: ResourceInput, previous: CacheEntry | undefined): CacheEntry {
    const schema = this.#schema(typeUrl);
    if (input.message.$typeName !== schema.typeName) {
      throw new XdsInvalidResourceError(`${name}: a ${input.message.$typeName} is not a ${schema.typeName}`);
    }
    const bytes = encodeResource(schema, input.message);
    if (
      previous !== undefined &&
      Buffer.compare(previous.bytes, bytes) === 0 &&
      sameGateways(previous.gateways, input.gateways)
    )
      return previous;
    return {
      name,
      typeUrl,
      bytes,
      version: contentVersion(bytes),
      gateways: input.gateways ? new Set(input.gateways) : undefined,
    };
  }

  #commit(typeUrl: string, changed: ReadonlySet<string>): void {
    if (changed.size === 0) return;
    this.#versions.set(typeUrl, this.typeVersion(typeUrl) + 1);
    const change: CacheChange = { typeUrl, names: changed };
    for (const listener of this.#listeners) listener(change);
  }
}

function sameEntry(a: CacheEntry | undefined, b: CacheEntry): boolean {
  if (a === b) return true;
  if (!a || a.version !== b.version) return false;
  if (a.gateways === undefined || b.gateways === undefined) return a.gateways === b.gateways;
  if (a.gateways.size !== b.gateways.size) return false;
  for (const g of a.gateways) if (!b.gateways.has(g)) return false;
  return true;
}

/** True when `list` names exactly the gateways of `set` (a list with duplicates counts as different). */
function sameGateways(set: ReadonlySet<string> | undefined, list: readonly string[] | undefined): boolean {
  if (set === undefined || list === undefined) return set === undefined && list === undefined;
  if (set.size !== list.length) return false;
  for (const g of list) if (!set.has(g)) return false;
  return true;
}
