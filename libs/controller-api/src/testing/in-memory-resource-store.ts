import type {
  ApplyOptions,
  ResourceKey,
  ResourceKind,
  ResourceStore,
  StoredResource,
} from '../resource-store.js';
import { ResourceStoreError } from '../resource-store-error.js';

function keyOf(key: ResourceKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

/**
 * A {@link ResourceStore} in memory, for tests: objects are copied in and out, get a uid, a
 * resourceVersion and a generation that moves when the spec changes; Secrets' `stringData` is
 * folded into base64 `data` as the API server does.
 */
export class InMemoryResourceStore implements ResourceStore {
  private readonly objects = new Map<string, StoredResource>();
  private readonly namespaces = new Set<string>();
  private version = 0;

  constructor(options: { namespaces?: readonly string[]; objects?: readonly StoredResource[] } = {}) {
    for (const ns of options.namespaces ?? []) this.namespaces.add(ns);
    for (const object of options.objects ?? []) this.put(object);
  }

  /** Stores an object as is (status included), as a controller writing status would. */
  put(object: StoredResource): StoredResource {
    const stored = structuredClone(object);
    this.version += 1;
    stored.metadata.resourceVersion = String(this.version);
    stored.metadata.uid ??= crypto.randomUUID();
    stored.metadata.generation ??= 1;
    stored.metadata.creationTimestamp ??= new Date().toISOString();
    if (stored.kind === 'Secret' && stored.stringData) {
      stored.data = {
        ...(stored.data ?? {}),
        ...Object.fromEntries(
          Object.entries(stored.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
      };
      delete stored.stringData;
    }
    this.namespaces.add(stored.metadata.namespace);
    this.objects.set(keyOf({ kind: stored.kind, ...stored.metadata }), stored);
    return structuredClone(stored);
  }

  get(key: ResourceKey): Promise<StoredResource | undefined> {
    const found = this.objects.get(keyOf(key));
    return Promise.resolve(found && structuredClone(found));
  }

  list(kind: ResourceKind, options: { namespace?: string } = {}): Promise<StoredResource[]> {
    const out = [...this.objects.values()]
      .filter(
        (o) =>
          o.kind === kind && (options.namespace === undefined || o.metadata.namespace === options.namespace),
      )
      .sort(
        (a, b) =>
          a.metadata.namespace.localeCompare(b.metadata.namespace) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    return Promise.resolve(out.map((o) => structuredClone(o)));
  }

  apply(object: StoredResource, options: ApplyOptions = {}): Promise<StoredResource> {
    const key = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    const existing = this.objects.get(keyOf(key));
    const name = `${key.kind} ${key.namespace}/${key.name}`;
    if (existing && options.createOnly) {
      return Promise.reject(new ResourceStoreError('ALREADY_EXISTS', `${name} already exists`));
    }
    if (!existing && options.mustExist)
      return Promise.reject(new ResourceStoreError('NOT_FOUND', `${name} not found`));
    const next: StoredResource = structuredClone(object);
    if (existing) {
      next.metadata = { ...existing.metadata, ...next.metadata };
      const specChanged = JSON.stringify(existing.spec) !== JSON.stringify(next.spec);
      next.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      if (existing.status !== undefined) next.status = existing.status;
      if (existing.kind === 'Secret' && existing.data) next.data = { ...existing.data, ...(next.data ?? {}) };
    }
    return Promise.resolve(this.put(next));
  }

  delete(key: ResourceKey): Promise<boolean> {
    return Promise.resolve(this.objects.delete(keyOf(key)));
  }

  listNamespaces(): Promise<string[]> {
    return Promise.resolve([...this.namespaces].sort());
  }
}
