// The controller API's ResourceStore on top of the reconcilers' store (Kubernetes API or a local
// folder): reads come from the same caches the reconcilers use, writes go through the same
// field manager (or, in local mode, into the folder's files), so the API stays a view over the
// cluster.
import type {
  ApplyOptions,
  ResourceKey,
  ResourceKind as ApiKind,
  ResourceStore as ApiResourceStore,
  StoredResource,
} from '@agentplane/controller-api';
import { ResourceStoreError } from '@agentplane/controller-api';
import {
  KubeApiError,
  ManifestError,
  type KubeObject,
  type ResourceKind as KubeKind,
  type ResourceStore,
} from '@agentplane/k8s';
import {
  AGENT,
  MCP_SERVER,
  MODEL_CONFIG,
  MODEL_PROVIDER_CONFIG,
  NAMESPACE,
  REMOTE_MCP_SERVER,
  SECRET,
} from '@agentplane/controller-reconcilers';

const KINDS = {
  Agent: AGENT,
  ModelConfig: MODEL_CONFIG,
  ModelProviderConfig: MODEL_PROVIDER_CONFIG,
  RemoteMCPServer: REMOTE_MCP_SERVER,
  MCPServer: MCP_SERVER,
  Secret: SECRET,
} as const;

function storeError(err: unknown, what: string): unknown {
  if (err instanceof ManifestError)
    return new ResourceStoreError('INVALID', `cannot update the manifest folder: ${err.message}`, {
      cause: err,
    });
  if (!(err instanceof KubeApiError)) return err;
  if (err.statusCode === 404) return new ResourceStoreError('NOT_FOUND', `${what} not found`, { cause: err });
  if (err.statusCode === 409) return new ResourceStoreError('ALREADY_EXISTS', err.message, { cause: err });
  if (err.statusCode === 400 || err.statusCode === 422)
    return new ResourceStoreError('INVALID', err.message, { cause: err });
  return new ResourceStoreError('UNAVAILABLE', err.message, { cause: err });
}

const byNamespaceThenName = (a: KubeObject, b: KubeObject): number =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export interface ApiResourceStoreOptions {
  /**
   * Namespaces are listed from Namespace objects (Kubernetes); when false, from the namespaces
   * the objects of the API's kinds live in (a local folder has no Namespace objects). Default true.
   */
  namespaceObjects?: boolean;
  /**
   * Where the API's creates, updates and deletes go instead of the store's own `apply` and
   * `delete`: in local mode, the folder of manifests (`LocalResourceStore.writeManifest` and
   * `deleteManifest`), so they outlive the controller. Reads still come from the store.
   */
  writer?: ResourceWriteThrough;
}

/** Writes that persist what the API creates (see {@link ApiResourceStoreOptions.writer}). */
export interface ResourceWriteThrough {
  apply(object: KubeObject): Promise<KubeObject>;
  delete(kind: KubeKind, namespace: string, name: string): Promise<boolean>;
}

/** Adapts a `@agentplane/k8s` store to the `ResourceStore` of `@agentplane/controller-api`. */
export function apiResourceStore(
  store: ResourceStore,
  options: ApiResourceStoreOptions = {},
): ApiResourceStore {
  const writer: ResourceWriteThrough = options.writer ?? {
    apply: (object) => store.apply(object),
    delete: (kind, namespace, name) => store.delete(kind, namespace, name),
  };
  const get = async (key: ResourceKey): Promise<StoredResource | undefined> =>
    (await store.get(KINDS[key.kind], key.namespace, key.name)) as StoredResource | undefined;
  return {
    get,
    async list(kind: ApiKind, listOptions: { namespace?: string } = {}): Promise<StoredResource[]> {
      const items = await store.list(
        KINDS[kind],
        listOptions.namespace ? { namespace: listOptions.namespace } : {},
      );
      return [...items].sort(byNamespaceThenName) as StoredResource[];
    },
    async apply(object: StoredResource, applyOptions: ApplyOptions = {}): Promise<StoredResource> {
      const { namespace, name } = object.metadata;
      const what = `${object.kind} ${namespace}/${name}`;
      if (applyOptions.createOnly || applyOptions.mustExist) {
        const existing = await get({ kind: object.kind, namespace, name });
        if (applyOptions.createOnly && existing)
          throw new ResourceStoreError('ALREADY_EXISTS', `${what} already exists`);
        if (applyOptions.mustExist && !existing)
          throw new ResourceStoreError('NOT_FOUND', `${what} not found`);
      }
      try {
        return (await writer.apply(object as unknown as KubeObject)) as unknown as StoredResource;
      } catch (err) {
        throw storeError(err, what);
      }
    },
    async delete(key: ResourceKey): Promise<boolean> {
      try {
        return await writer.delete(KINDS[key.kind], key.namespace, key.name);
      } catch (err) {
        throw storeError(err, `${key.kind} ${key.namespace}/${key.name}`);
      }
    },
    async listNamespaces(): Promise<string[]> {
      const names = new Set<string>();
      if (options.namespaceObjects ?? true) {
        for (const ns of await store.list(NAMESPACE)) if (ns.metadata.name) names.add(ns.metadata.name);
      } else {
        for (const kind of Object.values(KINDS)) {
          for (const obj of await store.list(kind))
            if (obj.metadata.namespace) names.add(obj.metadata.namespace);
        }
      }
      return [...names].sort();
    },
  };
}
