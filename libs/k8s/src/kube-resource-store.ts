import { createLogger, type Logger, type Registry } from '@agentplane/telemetry';
import { isNotFound } from './errors.js';
import { Informer } from './informer.js';
import { KubeClient } from './kube-client.js';
import type { KubeConnection } from './kube-config.js';
import { matchesLabels } from './labels.js';
import { sleep } from './sleep.js';
import type {
  ApplyOptions,
  DeleteOptions,
  ListOptions,
  ResourceStore,
  WatchHandler,
} from './resource-source.js';
import { kindId, type KubeObject, type ResourceKind } from './resource-types.js';

export interface KubeResourceStoreOptions {
  /** Where to connect (`loadKubeConfig`, or a client-node KubeConfig); or pass a ready `client`. */
  kubeConfig?: KubeConnection;
  client?: KubeClient;
  /** Field manager of every write (server-side apply). */
  fieldManager: string;
  /** Watch and cache namespaced kinds only in these namespaces. Default: all namespaces. */
  watchNamespaces?: readonly string[];
  /** Cache replay period of each informer (no API requests). Default 1 h. */
  resyncPeriodMs?: number;
  /** Counts requests (rest_client_requests_total) when the store makes its own client. */
  registry?: Registry;
  logger?: Logger;
}

/** The informers of one kind: one per watched namespace, or one for all. */
interface KindCache {
  kind: ResourceKind;
  ready: Promise<Informer[]>;
  informers: Informer[];
}

/**
 * ResourceSource and ResourceWriter on the Kubernetes API: informer caches per kind (restricted
 * to `watchNamespaces` when given), server-side apply under one field manager, deletes, and
 * status merge patches through the status subresource. Objects written are put into the cache
 * at once, so a reconcile right after a write reads what it wrote.
 */
export class KubeResourceStore implements ResourceStore {
  readonly fieldManager: string;
  readonly client: KubeClient;
  readonly #ownsClient: boolean;
  readonly #options: KubeResourceStoreOptions;
  readonly #logger: Logger;
  readonly #caches = new Map<string, KindCache>();
  #stopped = false;
  readonly #abort = new AbortController();

  constructor(options: KubeResourceStoreOptions) {
    this.fieldManager = options.fieldManager;
    this.#options = options;
    this.#logger = options.logger ?? createLogger({ name: 'k8s', level: 'silent' });
    if (options.client) {
      this.client = options.client;
      this.#ownsClient = false;
    } else {
      if (!options.kubeConfig) throw new Error('KubeResourceStore needs a kubeConfig or a client');
      this.client = new KubeClient({
        kubeConfig: options.kubeConfig,
        ...(options.registry ? { registry: options.registry } : {}),
      });
      this.#ownsClient = true;
    }
  }

  watch<T extends KubeObject = KubeObject>(kind: ResourceKind, handler: WatchHandler<T>): () => void {
    const cache = this.#cache(kind);
    const h = handler as WatchHandler;
    const unsubscribers: Array<() => void> = [];
    let active = true;
    // Handlers are attached to each informer when it exists (the kind's scope may need discovery).
    void cache.ready.then(
      (informers) => {
        if (!active) return;
        for (const informer of informers) unsubscribers.push(informer.addHandler(h));
      },
      () => undefined,
    );
    return () => {
      active = false;
      for (const u of unsubscribers) u();
    };
  }

  async waitForSync(kinds: readonly ResourceKind[], signal?: AbortSignal): Promise<void> {
    await Promise.all(
      kinds.map(async (kind) => {
        const informers = await this.#ready(kind, signal);
        await Promise.all(informers.map((i) => i.waitForSync(signal)));
      }),
    );
  }

  synced(): boolean {
    for (const cache of this.#caches.values()) {
      if (cache.informers.length === 0 || !cache.informers.every((i) => i.hasSynced())) return false;
    }
    return true;
  }

  async get<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    const informers = await this.#synced(kind);
    for (const informer of informers) {
      if (informer.namespace !== undefined && informer.namespace !== namespace) continue;
      const obj = informer.get(namespace, name);
      if (obj) return obj as T;
    }
    return undefined;
  }

  async list<T extends KubeObject = KubeObject>(kind: ResourceKind, options: ListOptions = {}): Promise<T[]> {
    const informers = await this.#synced(kind);
    const out: T[] = [];
    for (const informer of informers) {
      if (options.namespace && informer.namespace !== undefined && informer.namespace !== options.namespace)
        continue;
      for (const obj of informer.list(options.namespace || undefined)) {
        if (!matchesLabels(obj, options.labels)) continue;
        out.push(obj as T);
      }
    }
    return out;
  }

  async apply<T extends KubeObject>(obj: T, options: ApplyOptions = {}): Promise<T> {
    const { namespace, name } = obj.metadata;
    if (!name) throw new Error(`cannot apply a ${obj.kind} without metadata.name`);
    const path = await this.client.path(obj, namespace, name);
    const stored = await this.client.request<T>('PATCH', path, {
      query: { fieldManager: this.fieldManager, force: options.force ?? true },
      body: forApply(obj),
      contentType: 'application/apply-patch+yaml',
    });
    this.#remember(stored);
    return stored;
  }

  async delete(
    kind: ResourceKind,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    const path = await this.client.path(kind, namespace, name);
    try {
      await this.client.request('DELETE', path, {
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: options.propagationPolicy ?? 'Background',
        },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async patchStatus<T extends KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<T> {
    const path = await this.client.path(kind, namespace, name, 'status');
    const stored = await this.client.request<T>('PATCH', path, {
      query: { fieldManager: this.fieldManager },
      body: { status },
      contentType: 'application/merge-patch+json',
    });
    this.#remember(stored);
    return stored;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    const informers = await Promise.all([...this.#caches.values()].map((c) => c.ready));
    await Promise.all(informers.flat().map((i) => i.stop()));
    if (this.#ownsClient) this.client.close();
  }

  #remember(obj: KubeObject): void {
    const cache = this.#caches.get(kindId(obj));
    for (const informer of cache?.informers ?? []) {
      if (informer.namespace === undefined || informer.namespace === obj.metadata.namespace)
        informer.remember(obj);
    }
  }

  #cache(kind: ResourceKind): KindCache {
    const id = kindId(kind);
    const existing = this.#caches.get(id);
    if (existing) return existing;
    const cache: KindCache = { kind, informers: [], ready: Promise.resolve([]) };
    cache.ready = this.#makeInformers(cache);
    this.#caches.set(id, cache);
    return cache;
  }

  /** Resolves the kind's scope (retrying while the server does not serve it: a CRD installed later). */
  async #makeInformers(cache: KindCache): Promise<Informer[]> {
    let namespaced: boolean | undefined;
    for (let backoff = 500; namespaced === undefined; backoff = Math.min(backoff * 2, 30_000)) {
      try {
        namespaced = (await this.client.resolve(cache.kind)).namespaced;
      } catch (err) {
        if (this.#stopped) return [];
        this.#logger.warn(
          { err, kind: cache.kind.kind, backoffMs: backoff },
          'cannot resolve kind, retrying',
        );
        await sleep(backoff, this.#abort.signal);
        if (this.#stopped) return [];
      }
    }
    const scopes: Array<string | undefined> =
      namespaced && this.#options.watchNamespaces?.length ? [...this.#options.watchNamespaces] : [undefined];
    const informers = scopes.map(
      (namespace) =>
        new Informer({
          client: this.client,
          kind: cache.kind,
          logger: this.#logger,
          ...(namespace !== undefined ? { namespace } : {}),
          ...(this.#options.resyncPeriodMs !== undefined
            ? { resyncPeriodMs: this.#options.resyncPeriodMs }
            : {}),
        }),
    );
    cache.informers = informers;
    if (!this.#stopped) for (const informer of informers) informer.start();
    return informers;
  }

  async #ready(kind: ResourceKind, signal?: AbortSignal): Promise<Informer[]> {
    const ready = this.#cache(kind).ready;
    if (!signal) return ready;
    return Promise.race([
      ready,
      new Promise<Informer[]>((resolve) =>
        signal.addEventListener('abort', () => resolve([]), { once: true }),
      ),
    ]);
  }

  async #synced(kind: ResourceKind): Promise<Informer[]> {
    const informers = await this.#ready(kind);
    await Promise.all(informers.map((i) => i.waitForSync()));
    return informers;
  }

  /** The informers of a kind (tests use them to simulate a lost watch). */
  async informersOf(kind: ResourceKind): Promise<readonly Informer[]> {
    return this.#ready(kind);
  }
}

/** What server-side apply accepts: no server-owned metadata, no status. */
function forApply<T extends KubeObject>(obj: T): T {
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    uid: _uid,
    creationTimestamp: _ct,
    generation: _gen,
    selfLink: _sl,
    ...metadata
  } = obj.metadata;
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata } as unknown as T;
}
