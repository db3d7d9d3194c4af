import { randomUUID } from 'node:crypto';
import { watch as watchFs, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createLogger, type Logger } from '@agentplane/telemetry';
import { rfc3339 } from './conditions.js';
import { KubeApiError, ManifestError } from './errors.js';
import { matchesLabels } from './labels.js';
import { appendManifest, editManifest, isList, type ManifestFormat } from './manifest-edit.js';
import { isUpToDate } from './object-compare.js';
import type {
  ApplyOptions,
  DeleteOptions,
  ListOptions,
  ResourceStore,
  WatchEvent,
  WatchHandler,
} from './resource-source.js';
import { kindId, type KubeObject, type ResourceKind } from './resource-types.js';
import { canonicalJson } from './stable-hash.js';

/** Kinds without a namespace; everything else read from a manifest lands in `defaultNamespace`. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'GatewayClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
]);

export interface LocalResourceStoreOptions {
  /** The folder of manifests (`.yaml`, `.yml`, `.json`, multi-document, any depth). Created if missing. */
  dir: string;
  fieldManager: string;
  /** Namespace of namespaced objects whose manifest names none. Default `default`. */
  defaultNamespace?: string;
  /** Extra cluster-scoped kinds (no namespace is added to them). */
  clusterScopedKinds?: readonly string[];
  /** Re-read the folder this long after the last change seen. Default 100 ms. */
  debounceMs?: number;
  /** Watch the folder for changes. Default true. */
  watch?: boolean;
  logger?: Logger;
  now?: () => Date;
}

interface Entry {
  object: KubeObject;
  /** Where the object came from: a manifest file, or a write by a controller (kept in memory). */
  file?: string;
}

/**
 * The one-machine ResourceSource and ResourceWriter: objects come from a folder of manifests,
 * re-read (debounced) when files change; they get a uid, resourceVersion, generation (bumped
 * when anything but metadata and status changes) and creationTimestamp like on an API server.
 * Status and the objects controllers create live in memory. Deleting an object deletes the
 * objects it owns (by owner reference uid), as Kubernetes' garbage collector would.
 * `writeManifest`/`deleteManifest` write through to the folder instead (what a user or an API
 * creates, so it outlives the process).
 *
 * A manifest that cannot be parsed is reported and its previous objects are kept.
 */
export class LocalResourceStore implements ResourceStore {
  readonly fieldManager: string;
  readonly #options: LocalResourceStoreOptions;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #entries = new Map<string, Entry>();
  readonly #handlers = new Map<string, Set<WatchHandler>>();
  /** The canonical manifest text of each object as last read from the folder, by entry key. */
  #lastScan = new Map<string, { text: string; file: string }>();
  /** Objects each file held in the last good read, for files that fail to parse later. */
  #objectsByFile = new Map<string, Map<string, KubeObject>>();
  #resourceVersion = 0;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #loaded = false;
  readonly #loadWaiters = new Set<() => void>();
  #stopped = false;

  constructor(options: LocalResourceStoreOptions) {
    this.fieldManager = options.fieldManager;
    this.#options = options;
    this.#logger = options.logger ?? createLogger({ name: 'local-store', level: 'silent' });
    this.#now = options.now ?? (() => new Date());
  }

  /** Reads the folder and starts watching it. */
  async start(): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    await this.reload();
    if (this.#options.watch ?? true) {
      this.#watcher = watchFs(this.#options.dir, { recursive: true }, () => this.#scheduleReload());
      this.#watcher.on('error', (err) => this.#logger.error({ err }, 'cannot watch the manifest folder'));
    }
    this.#loaded = true;
    for (const wake of [...this.#loadWaiters]) wake();
  }

  /** Re-reads the folder now and applies the differences (also called by the watcher). */
  reload(): Promise<void> {
    this.#reloading = this.#reloading
      .then(() => this.#reload())
      .catch((err: unknown) => {
        this.#logger.error({ err }, 'cannot read the manifest folder');
      });
    return this.#reloading;
  }

  watch<T extends KubeObject = KubeObject>(kind: ResourceKind, handler: WatchHandler<T>): () => void {
    const id = kindId(kind);
    let set = this.#handlers.get(id);
    if (!set) {
      set = new Set();
      this.#handlers.set(id, set);
    }
    const h = handler as WatchHandler;
    set.add(h);
    for (const entry of this.#entries.values()) {
      if (kindId(entry.object) === id) h({ type: 'added', object: entry.object });
    }
    return () => set.delete(h);
  }

  waitForSync(_kinds: readonly ResourceKind[], signal?: AbortSignal): Promise<void> {
    if (this.#loaded || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#loadWaiters.delete(done);
        resolve();
      };
      this.#loadWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  synced(): boolean {
    return this.#loaded;
  }

  get<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    return Promise.resolve(this.#entries.get(entryKey(kind, namespace, name))?.object as T | undefined);
  }

  list<T extends KubeObject = KubeObject>(kind: ResourceKind, options: ListOptions = {}): Promise<T[]> {
    const id = kindId(kind);
    const out: T[] = [];
    for (const { object } of this.#entries.values()) {
      if (kindId(object) !== id) continue;
      if (options.namespace && (object.metadata.namespace ?? '') !== options.namespace) continue;
      if (!matchesLabels(object, options.labels)) continue;
      out.push(object as T);
    }
    return Promise.resolve(out);
  }

  apply<T extends KubeObject>(obj: T, _options?: ApplyOptions): Promise<T> {
    const namespace = this.#namespaceOf(obj);
    const name = obj.metadata.name;
    if (!name) return Promise.reject(new Error(`cannot apply a ${obj.kind} without metadata.name`));
    const key = entryKey(obj, namespace, name);
    const existing = this.#entries.get(key);
    const { status: _status, ...content } = normalizeSecret(obj);
    const identity = { name, ...(namespace ? { namespace } : {}) };
    if (!existing) {
      const created = this.#stamp({
        ...content,
        metadata: { ...stripServerFields(obj.metadata), ...identity },
      });
      this.#entries.set(key, { object: created });
      this.#emit({ type: 'added', object: created });
      return Promise.resolve(created as T);
    }
    const current = existing.object;
    const desired = {
      ...content,
      metadata: { ...stripServerFields(obj.metadata), ...identity },
    } as KubeObject;
    const unchanged = existing.file
      ? isUpToDate(current, desired)
      : canonicalJson(withoutServerFields(current)) === canonicalJson(desired);
    if (unchanged) return Promise.resolve(current as T);
    // In memory, apply replaces what this manager set; objects read from files get the applied
    // fields laid over their manifest (until the file changes again).
    const merged: KubeObject = existing.file
      ? {
          ...current,
          ...content,
          metadata: {
            ...current.metadata,
            ...desired.metadata,
            labels: { ...current.metadata.labels, ...desired.metadata.labels },
            annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
          },
        }
      : { ...desired, ...(current['status'] !== undefined ? { status: current['status'] } : {}) };
    const updated = this.#update(current, merged);
    this.#entries.set(key, { ...existing, object: updated });
    this.#emit({ type: 'modified', object: updated, oldObject: current });
    return Promise.resolve(updated as T);
  }

  delete(kind: ResourceKind, namespace: string, name: string, _options?: DeleteOptions): Promise<boolean> {
    const key = entryKey(kind, namespace, name);
    if (!this.#entries.has(key)) return Promise.resolve(false);
    this.#remove(key);
    return Promise.resolve(true);
  }

  patchStatus<T extends KubeObject>(
    kind: ResourceKind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<T> {
    const key = entryKey(kind, namespace, name);
    const entry = this.#entries.get(key);
    if (!entry) {
      return Promise.reject(
        new KubeApiError(`${kind.kind} ${namespace}/${name} not found`, {
          statusCode: 404,
          reason: 'NotFound',
        }),
      );
    }
    const current = entry.object;
    const next = { ...((current['status'] as Record<string, unknown> | undefined) ?? {}), ...status };
    if (canonicalJson(next) === canonicalJson(current['status'] ?? {})) return Promise.resolve(current as T);
    const updated: KubeObject = {
      ...current,
      metadata: { ...current.metadata, resourceVersion: this.#nextVersion() },
      status: next,
    };
    this.#entries.set(key, { ...entry, object: updated });
    this.#emit({ type: 'modified', object: updated, oldObject: current });
    return Promise.resolve(updated as T);
  }

  /**
   * Writes `obj` into the folder, so it outlives this process and the folder stays the source
   * of truth: into the file it was read from (its document replaced, the file's other documents
   * and comments kept), else into a new file `<kind>-<namespace>-<name>.yaml` at the top of the
   * folder (appended as one more document if that file exists). Status, server-assigned
   * metadata and owner references (uids live one run here) are not written. Resolves with the
   * object as stored once the folder was read again.
   *
   * @throws ManifestError when the object's file no longer parses.
   */
  writeManifest<T extends KubeObject>(obj: T): Promise<T> {
    const namespace = this.#namespaceOf(obj);
    const name = obj.metadata.name;
    if (!name) return Promise.reject(new Error(`cannot write a ${obj.kind} without metadata.name`));
    const key = entryKey(obj, namespace, name);
    return this.#serial(async () => {
      const file = this.#entries.get(key)?.file;
      let written = false;
      if (file !== undefined) {
        written = await this.#editFile(file, key, (current) =>
          this.#manifestOf(obj, namespace, name, {
            // A document that relied on the default namespace keeps relying on it.
            withNamespace: Boolean(current.metadata?.namespace) || namespace !== this.#defaultNamespace,
          }),
        );
      }
      if (!written) {
        const rel = newManifestName(obj.kind, namespace, name);
        const path = join(this.#options.dir, rel);
        const existing = await readFile(path, 'utf8').catch(() => '');
        const manifest = this.#manifestOf(obj, namespace, name, { withNamespace: true });
        await writeAtomically(path, appendManifest(rel, existing, formatOf(rel), manifest));
      }
      await this.#reload();
      const stored = this.#entries.get(key)?.object;
      if (!stored)
        throw new ManifestError(`${obj.kind} ${namespace}/${name} was not read back`, { file: file ?? '' });
      return stored as T;
    });
  }

  /**
   * Deletes an object from the folder: its document is removed from the file it was read from
   * (the file too when nothing else is left in it). Objects that live only in memory are
   * deleted as by `delete`. Resolves false when there was no such object.
   */
  deleteManifest(kind: ResourceKind, namespace: string, name: string): Promise<boolean> {
    const key = entryKey(kind, namespace, name);
    return this.#serial(async () => {
      const entry = this.#entries.get(key);
      if (!entry) return false;
      if (entry.file === undefined || !(await this.#editFile(entry.file, key, () => undefined))) {
        this.#remove(key);
        return true;
      }
      await this.#reload();
      return true;
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    if (this.#debounce) clearTimeout(this.#debounce);
    await this.#reloading;
  }

  #scheduleReload(): void {
    if (this.#stopped) return;
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.reload(), this.#options.debounceMs ?? 100);
  }

  async #reload(): Promise<void> {
    if (this.#stopped) return;
    const files = await manifestFiles(this.#options.dir);
    const scan = new Map<string, { object: KubeObject; file: string }>();
    const objectsByFile = new Map<string, Map<string, KubeObject>>();
    for (const file of files) {
      const rel = relative(this.#options.dir, file);
      let objects: Map<string, KubeObject>;
      try {
        objects = this.#parse(rel, await readFile(file, 'utf8'));
      } catch (err) {
        this.#logger.error({ err, file: rel }, 'invalid manifest file, keeping its previous objects');
        objects = this.#objectsByFile.get(rel) ?? new Map<string, KubeObject>();
      }
      objectsByFile.set(rel, objects);
      for (const [key, object] of objects) {
        if (scan.has(key)) this.#logger.warn({ file: rel, key }, 'object defined twice; the later file wins');
        scan.set(key, { object, file: rel });
      }
    }
    const next = new Map<string, { text: string; file: string }>();
    for (const [key, { object, file }] of scan) {
      const text = canonicalJson(object);
      next.set(key, { text, file });
      if (this.#lastScan.get(key)?.text === text && this.#entries.has(key)) continue;
      const existing = this.#entries.get(key);
      if (!existing) {
        const created = this.#stamp(object);
        this.#entries.set(key, { object: created, file });
        this.#emit({ type: 'added', object: created });
      } else {
        const current = existing.object;
        const updated = this.#update(current, {
          ...object,
          ...(current['status'] !== undefined ? { status: current['status'] } : {}),
        });
        this.#entries.set(key, { object: updated, file });
        this.#emit({ type: 'modified', object: updated, oldObject: current });
      }
    }
    for (const key of this.#lastScan.keys()) {
      if (!next.has(key) && this.#entries.get(key)?.file !== undefined) this.#remove(key);
    }
    this.#lastScan = next;
    this.#objectsByFile = objectsByFile;
  }

  #parse(file: string, text: string): Map<string, KubeObject> {
    const objects = new Map<string, KubeObject>();
    const docs =
      extname(file) === '.json'
        ? [JSON.parse(text) as unknown]
        : parseAllDocuments(text).map((doc) => {
            if (doc.errors.length > 0)
              throw new ManifestError(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`, { file });
            return doc.toJS() as unknown;
          });
    for (const doc of docs) {
      if (doc === null || doc === undefined) continue;
      const items = isList(doc) ? doc.items : [doc];
      for (const item of items) {
        const obj = item as Partial<KubeObject> | null;
        if (
          !obj ||
          typeof obj !== 'object' ||
          typeof obj.apiVersion !== 'string' ||
          typeof obj.kind !== 'string'
        ) {
          throw new ManifestError(`${file}: a document has no apiVersion or kind`, { file });
        }
        const name = obj.metadata?.name;
        if (typeof name !== 'string' || name === '') {
          throw new ManifestError(`${file}: a ${obj.kind} has no metadata.name`, { file });
        }
        const full = normalizeSecret(obj as KubeObject);
        const namespace = this.#namespaceOf(full);
        const { status: _status, ...content } = full;
        const object: KubeObject = {
          ...content,
          metadata: { ...stripServerFields(full.metadata), name, ...(namespace ? { namespace } : {}) },
        };
        objects.set(entryKey(object, namespace, name), object);
      }
    }
    return objects;
  }

  /** Runs `task` after every read or write queued before it; later ones wait for it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#reloading.then(task);
    this.#reloading = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Replaces (or, when `replace` returns undefined, removes) the object `key` in `file`; the file
   * is deleted when nothing is left in it. False when the file no longer holds the object.
   */
  async #editFile(
    file: string,
    key: string,
    replace: (current: KubeObject) => KubeObject | undefined,
  ): Promise<boolean> {
    const path = join(this.#options.dir, file);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return false;
    const edit = editManifest(file, text, formatOf(file), (raw) => this.#keyOfRaw(raw) === key, replace);
    if (!edit.found) return false;
    if (edit.remaining === 0) await unlink(path);
    else await writeAtomically(path, edit.text);
    return true;
  }

  /** The entry key of an object as written in a manifest (undefined when it has no identity). */
  #keyOfRaw(raw: KubeObject): string | undefined {
    if (typeof raw?.apiVersion !== 'string' || typeof raw.kind !== 'string') return undefined;
    const name = raw.metadata?.name;
    if (typeof name !== 'string' || name === '') return undefined;
    return entryKey(raw, this.#namespaceOf(raw), name);
  }

  /** What is written to the folder for `obj`: its content without anything a server assigns. */
  #manifestOf(
    obj: KubeObject,
    namespace: string,
    name: string,
    options: { withNamespace: boolean },
  ): KubeObject {
    const { apiVersion, kind, metadata, status: _status, ...content } = normalizeSecret(obj);
    const {
      name: _name,
      namespace: _namespace,
      ownerReferences: _owners,
      deletionTimestamp: _deleted,
      deletionGracePeriodSeconds: _grace,
      selfLink: _selfLink,
      ...meta
    } = stripServerFields(metadata) as KubeObject['metadata'] & Record<string, unknown>;
    return {
      apiVersion,
      kind,
      metadata: { name, ...(namespace && options.withNamespace ? { namespace } : {}), ...meta },
      ...content,
    };
  }

  get #defaultNamespace(): string {
    return this.#options.defaultNamespace || 'default';
  }

  #namespaceOf(obj: KubeObject): string {
    const clusterScoped =
      CLUSTER_SCOPED.has(obj.kind) || (this.#options.clusterScopedKinds ?? []).includes(obj.kind);
    if (clusterScoped) return '';
    return obj.metadata?.namespace || this.#defaultNamespace;
  }

  #nextVersion(): string {
    this.#resourceVersion += 1;
    return String(this.#resourceVersion);
  }

  /** A new object's server-assigned metadata. */
  #stamp(obj: KubeObject): KubeObject {
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        uid: randomUUID(),
        resourceVersion: this.#nextVersion(),
        generation: 1,
        creationTimestamp: rfc3339(this.#now()),
      },
    };
  }

  /** `next` as a new version of `current`: identity kept, generation bumped on spec changes. */
  #update(current: KubeObject, next: KubeObject): KubeObject {
    const specChanged = canonicalJson(specOf(current)) !== canonicalJson(specOf(next));
    return {
      ...next,
      metadata: {
        ...next.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: this.#nextVersion(),
        generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      },
    };
  }

  /** Deletes an object and, like the garbage collector, everything it owns. */
  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#emit({ type: 'deleted', object: entry.object });
    const uid = entry.object.metadata.uid;
    if (!uid) return;
    for (const [childKey, child] of [...this.#entries]) {
      if (child.object.metadata.ownerReferences?.some((r) => r.uid === uid)) this.#remove(childKey);
    }
  }

  #emit(event: WatchEvent): void {
    for (const handler of this.#handlers.get(kindId(event.object)) ?? []) {
      try {
        handler(event);
      } catch (err) {
        this.#logger.error({ err, kind: event.object.kind }, 'watch handler threw');
      }
    }
  }
}

function entryKey(kind: Pick<ResourceKind, 'apiVersion' | 'kind'>, namespace: string, name: string): string {
  return `${kindId(kind)}/${namespace}/${name}`;
}

function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

function stripServerFields(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  const {
    uid: _uid,
    resourceVersion: _rv,
    generation: _gen,
    creationTimestamp: _ct,
    managedFields: _mf,
    ...rest
  } = metadata ?? {};
  return rest;
}

/** As the API server does: a Secret's `stringData` is merged into `data`, base64-encoded. */
function normalizeSecret(obj: KubeObject): KubeObject {
  const stringData = obj['stringData'] as Record<string, string> | undefined;
  if (obj.apiVersion !== 'v1' || obj.kind !== 'Secret' || !stringData) return obj;
  const { stringData: _sd, ...rest } = obj;
  const encoded = Object.fromEntries(
    Object.entries(stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]),
  );
  return { ...rest, data: { ...(obj['data'] as Record<string, string> | undefined), ...encoded } };
}

function withoutServerFields(obj: KubeObject): KubeObject {
  const { status: _s, ...rest } = obj;
  return { ...rest, metadata: stripServerFields(obj.metadata) };
}

function formatOf(file: string): ManifestFormat {
  return extname(file) === '.json' ? 'json' : 'yaml';
}

/** The file a new object is written to, relative to the folder: `<kind>-<namespace>-<name>.yaml`. */
export function newManifestName(kind: string, namespace: string, name: string): string {
  return `${[kind.toLowerCase(), namespace, name].filter(Boolean).join('-')}.yaml`;
}

/**
 * Writes through a hidden temporary file renamed over `path`, so the folder's watcher never reads
 * half a file. Keeps the mode of the file it replaces; new files are private (they may hold Secrets).
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const mode = (await stat(path).catch(() => undefined))?.mode ?? 0o600;
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter(
      (e) => e.isFile() && ['.yaml', '.yml', '.json'].includes(extname(e.name)) && !e.name.startsWith('.'),
    )
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
