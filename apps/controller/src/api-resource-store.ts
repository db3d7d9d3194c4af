// The controller API's ResourceStore on top of the reconcilers' store (Kubernetes API or a local
// folder): reads come from the same caches the reconcilers use, writes go through the same
// field manager, so the API stays a view over the cluster.
import type {
  ApplyOptions,
  ResourceKey,
  ResourceKind as ApiKind,
  ResourceStore as ApiResourceStore,
  StoredResource,
} from '@agentplane/controller-api';
import { ResourceStoreError } from '@agentplane/controller-api';
import { KubeApiError, type KubeObject, type ResourceStore } from '@agentplane/k8s';
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
}

/** Adapts a `@agentplane/k8s` store to the `ResourceStore` of `@agentplane/controller-api`. */
export function apiResourceStore(
  store: ResourceStore,
  options: ApiResourceStoreOptions = {},
): ApiResourceStore {
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
        return (await store.apply(object as unknown as KubeObject)) as unknown as StoredResource;
      } catch (err) {
        throw storeError(err, what);
      }
    },
    async delete(key: ResourceKey): Promise<boolean> {
      try {
        return await store.delete(KINDS[key.kind], key.namespace, key.name);
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
