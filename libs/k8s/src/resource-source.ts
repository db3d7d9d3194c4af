import type { KubeObject, ResourceKind } from './resource-types.js';

export type WatchEventType = 'added' | 'modified' | 'deleted';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
  /** The cached object before a `modified` event (absent on resync and after a re-list). */
  oldObject?: T;
  /** True when the event replays the cache (periodic resync) rather than reporting a change. */
  resync?: boolean;
}

export type WatchHandler<T extends KubeObject = KubeObject> = (event: WatchEvent<T>) => void;

export interface ListOptions {
  /** Only this namespace ('' or absent: every namespace the source watches). */
  namespace?: string;
  /** Only objects carrying all these labels. */
  labels?: Record<string, string>;
}

/**
 * Reads objects of any kind from a cache kept current by watching (an informer on Kubernetes,
 * the manifest folder locally). Reads never hit the network once a kind is synced.
 */
export interface ResourceSource {
  /**
   * Calls `handler` for every change of `kind`; the objects already cached are replayed as
   * `added` first. Starts watching the kind if nothing did yet. Returns the unsubscribe function.
   */
  watch<T extends KubeObject = KubeObject>(kind: ResourceKind, handler: WatchHandler<T>): () => void;
  /** Resolves once every given kind has its initial list in the cache. */
  waitForSync(kinds: readonly ResourceKind[], signal?: AbortSignal): Promise<void>;
  /** One object from the cache (starting the kind's watch and waiting for its sync if needed). */
  get<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
  ): Promise<T | undefined>;
  /** Objects from the cache, optionally restricted to a namespace and labels. */
  list<T extends KubeObject = KubeObject>(kind: ResourceKind, options?: ListOptions): Promise<T[]>;
  /** True when every kind watched so far has synced. */
  synced(): boolean;
  /** Stops every watch. */
  stop(): Promise<void>;
}

export interface ApplyOptions {
  /** Take over fields another manager owns (server-side apply `force`). Default true. */
  force?: boolean;
}

export interface DeleteOptions {
  /** `Background` (default), `Foreground` or `Orphan`. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/** Writes objects. Every write is made under one field manager. */
export interface ResourceWriter {
  readonly fieldManager: string;
  /** Server-side apply of `obj` (creates it when absent); resolves with the stored object. */
  apply<T extends KubeObject>(obj: T, options?: ApplyOptions): Promise<T>;
  /** Deletes one object; resolves false when it did not exist. */
  delete(kind: ResourceKind, namespace: string, name: string, options?: DeleteOptions): Promise<boolean>;
  /**
   * Replaces the given top-level fields of `status` through the status subresource (JSON merge
   * patch); resolves with the stored object.
   */
  patchStatus<T extends KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<T>;
}

/** Both halves, as the Kubernetes and local implementations provide them. */
export interface ResourceStore extends ResourceSource, ResourceWriter {}
