import type { Logger } from '@agentplane/telemetry';
import { isGone, KubeApiError } from './errors.js';
import type { KubeClient, RawWatchEvent } from './kube-client.js';
import type { WatchEvent, WatchHandler } from './resource-source.js';
import type { KubeObject, ResourceKind } from './resource-types.js';
import { isNewerVersion } from './resource-version.js';
import { sleep } from './sleep.js';

export interface InformerOptions {
  client: KubeClient;
  kind: ResourceKind;
  /** Watch one namespace; absent: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  /** Replay the whole cache to the handlers this often (no API request). Default 1 h; 0: never. */
  resyncPeriodMs?: number;
  /** Pause after a failed list or watch, doubled per failure up to maxBackoffMs. Default 800 ms. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Page size of list requests. Default 500. */
  pageSize?: number;
  logger: Logger;
}

interface ListPage {
  metadata: { resourceVersion: string; continue?: string };
  items: KubeObject[];
}

/**
 * Keeps a cache of one kind (in one namespace or all) current: lists, then watches from the
 * list's resource version with bookmarks; re-watches when the server closes the stream; lists
 * again when the version is gone (410) and reports what changed meanwhile, including deletions.
 * Cached objects carry no `metadata.managedFields`.
 */
export class Informer {
  readonly kind: ResourceKind;
  readonly namespace: string | undefined;
  readonly #options: InformerOptions;
  readonly #store = new Map<string, KubeObject>();
  /** The same objects by namespace, so listing one namespace does not walk the others. */
  readonly #byNamespace = new Map<string, Map<string, KubeObject>>();
  /**
   * For keys whose cached object was put there by `remember` (a write of ours) and not yet seen
   * on the watch: what the handlers last saw (null: nothing). The watch event of that write is
   * then reported against it, so a create stays `added` and an update keeps its real old object.
   */
  readonly #unseen = new Map<string, KubeObject | null>();
  readonly #handlers = new Set<WatchHandler>();
  readonly #abort = new AbortController();
  readonly #syncWaiters = new Set<() => void>();
  #resourceVersion: string | undefined;
  #synced = false;
  #lists = 0;
  #running: Promise<void> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  /** Set by tests to make the next watch start from a stale version. */
  #forcedVersion: string | undefined;
  #currentWatch: AbortController | undefined;

  constructor(options: InformerOptions) {
    this.kind = options.kind;
    this.namespace = options.namespace;
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#run();
    const period = this.#options.resyncPeriodMs ?? 3_600_000;
    if (period > 0) {
      this.#resyncTimer = setInterval(() => this.#resync(), period);
      this.#resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    for (const wake of this.#syncWaiters) wake();
    await this.#running;
  }

  /** Complete lists made so far (1 after the initial sync; more after lost watches). */
  get lists(): number {
    return this.#lists;
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list is in the cache (or the informer or `signal` is stopped). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced || this.#abort.signal.aborted || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#syncWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#syncWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Subscribes; cached objects are replayed as `added` right away. */
  addHandler(handler: WatchHandler): () => void {
    this.#handlers.add(handler);
    for (const object of this.#store.values()) handler({ type: 'added', object });
    return () => this.#handlers.delete(handler);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.#store.get(`${namespace}/${name}`);
  }

  /** Cached objects, all or those of one namespace. */
  list(namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...this.#store.values()];
    const inNamespace = this.#byNamespace.get(namespace);
    return inNamespace ? [...inNamespace.values()] : [];
  }

  /** Puts an object the caller just wrote into the cache (if newer), without events. */
  remember(written: KubeObject): void {
    const obj = cacheable(written);
    const key = storeKey(obj);
    const cached = this.#store.get(key);
    if (!isNewerVersion(obj, cached)) return;
    if (!this.#unseen.has(key)) this.#unseen.set(key, cached ?? null);
    this.#put(key, obj);
  }

  /** The object the handlers last saw under `key`. */
  #seen(key: string): KubeObject | undefined {
    const unseen = this.#unseen.get(key);
    return unseen === undefined ? this.#store.get(key) : (unseen ?? undefined);
  }

  /** Makes the next watch start from `version` and ends the running one (tests: a stale version gives 410). */
  forceWatchVersion(version: string): void {
    this.#forcedVersion = version;
    this.#currentWatch?.abort();
  }

  async #run(): Promise<void> {
    const { client, logger } = this.#options;
    const initialBackoff = this.#options.initialBackoffMs ?? 800;
    const maxBackoff = this.#options.maxBackoffMs ?? 30_000;
    let backoff = initialBackoff;
    let needList = true;
    while (!this.#abort.signal.aborted) {
      try {
        const path = await client.path(this.kind, this.namespace);
        if (needList) {
          await this.#list(path);
          needList = false;
        }
        const watch = new AbortController();
        this.#currentWatch = watch;
        const onAbort = (): void => watch.abort();
        this.#abort.signal.addEventListener('abort', onAbort, { once: true });
        let gone: KubeApiError | undefined;
        const version = this.#forcedVersion ?? this.#resourceVersion;
        this.#forcedVersion = undefined;
        try {
          await client.watch(
            path,
            {
              resourceVersion: version,
              allowWatchBookmarks: true,
              timeoutSeconds: 300 + Math.floor(Math.random() * 300),
            },
            (event) => {
              const error = this.#onEvent(event);
              if (error) {
                gone = error;
                watch.abort();
              }
            },
            watch.signal,
          );
        } catch (err) {
          if (!watch.signal.aborted) throw err;
        } finally {
          this.#abort.signal.removeEventListener('abort', onAbort);
        }
        if (gone) throw gone;
        backoff = initialBackoff;
      } catch (err) {
        if (this.#abort.signal.aborted) break;
        if (isGone(err)) {
          logger.info(
            { kind: this.kind.kind, namespace: this.namespace },
            'watch version expired, listing again',
          );
          needList = true;
          continue;
        }
        logger.warn(
          { err, kind: this.kind.kind, namespace: this.namespace, backoffMs: backoff },
          'list/watch failed, retrying',
        );
        await sleep(backoff, this.#abort.signal);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  async #list(path: string): Promise<void> {
    const pageSize = this.#options.pageSize ?? 500;
    const fresh = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.#options.client.request<ListPage>('GET', path, {
        query: { limit: pageSize, continue: continueToken },
        signal: this.#abort.signal,
      });
      for (const item of page.items) {
        const obj = cacheable({ ...item, apiVersion: this.kind.apiVersion, kind: this.kind.kind });
        fresh.set(storeKey(obj), obj);
      }
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);
    const events: WatchEvent[] = [];
    for (const [key, obj] of fresh) {
      const old = this.#seen(key);
      if (!old) events.push({ type: 'added', object: obj });
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
        events.push({ type: 'modified', object: obj, oldObject: old });
    }
    for (const key of this.#store.keys()) {
      const old = this.#seen(key);
      if (!fresh.has(key) && old) events.push({ type: 'deleted', object: old });
    }
    this.#store.clear();
    this.#byNamespace.clear();
    this.#unseen.clear();
    for (const [key, obj] of fresh) this.#put(key, obj);
    this.#resourceVersion = resourceVersion;
    this.#lists += 1;
    for (const event of events) this.#emit(event);
    if (!this.#synced) {
      this.#synced = true;
      for (const wake of [...this.#syncWaiters]) wake();
    }
  }

  /** Applies one watch event; returns the error to stop the watch with (410 Gone). */
  #onEvent(event: RawWatchEvent): KubeApiError | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      return new KubeApiError(`watch error: ${status.message ?? 'unknown'}`, {
        statusCode: status.code ?? 500,
        ...(status.reason ? { reason: status.reason } : {}),
      });
    }
    const obj = cacheable(event.object as unknown as KubeObject);
    const version = obj.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (version) this.#resourceVersion = version;
      return undefined;
    }
    if (version) this.#resourceVersion = version;
    const key = storeKey(obj);
    const cached = this.#store.get(key);
    if (event.type === 'DELETED') {
      this.#remove(key, obj);
      this.#unseen.delete(key);
      this.#emit({ type: 'deleted', object: obj });
      return undefined;
    }
    // Older than what we hold (a write of ours got ahead of the watch): wait for its own event.
    if (cached && !isNewerVersion(obj, cached) && cached.metadata.resourceVersion !== version)
      return undefined;
    const old = this.#seen(key);
    this.#unseen.delete(key);
    this.#put(key, obj);
    this.#emit(old ? { type: 'modified', object: obj, oldObject: old } : { type: 'added', object: obj });
    return undefined;
  }

  #put(key: string, obj: KubeObject): void {
    this.#store.set(key, obj);
    const namespace = obj.metadata.namespace ?? '';
    let inNamespace = this.#byNamespace.get(namespace);
    if (!inNamespace) this.#byNamespace.set(namespace, (inNamespace = new Map<string, KubeObject>()));
    inNamespace.set(key, obj);
  }

  #remove(key: string, obj: KubeObject): void {
    this.#store.delete(key);
    const namespace = obj.metadata.namespace ?? '';
    const inNamespace = this.#byNamespace.get(namespace);
    inNamespace?.delete(key);
    if (inNamespace?.size === 0) this.#byNamespace.delete(namespace);
  }

  #resync(): void {
    for (const object of this.#store.values()) this.#emit({ type: 'modified', object, resync: true });
  }

  #emit(event: WatchEvent): void {
    for (const handler of this.#handlers) {
      try {
        handler(event);
      } catch (err) {
        this.#options.logger.error({ err, kind: this.kind.kind }, 'watch handler threw');
      }
    }
  }
}

/**
 * What the cache keeps of an object: all but `metadata.managedFields` (server-side apply's field
 * ownership, often larger than the object itself and read by nothing here).
 */
function cacheable(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function storeKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
