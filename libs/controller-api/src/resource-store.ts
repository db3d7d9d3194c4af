/** The kinds the API reads and writes through a {@link ResourceStore}. */
export type ResourceKind =
  'Agent' | 'ModelConfig' | 'ModelProviderConfig' | 'RemoteMCPServer' | 'MCPServer' | 'Secret';

/** The apiVersion of each kind. */
export const RESOURCE_API_VERSIONS: Readonly<Record<ResourceKind, string>> = {
  Agent: 'kagent.dev/v1alpha2',
  ModelConfig: 'kagent.dev/v1alpha2',
  ModelProviderConfig: 'kagent.dev/v1alpha2',
  RemoteMCPServer: 'kagent.dev/v1alpha2',
  MCPServer: 'kagent.dev/v1alpha1',
  Secret: 'v1',
};

export interface ResourceKey {
  kind: ResourceKind;
  namespace: string;
  name: string;
}

/** Object metadata as the store returns it (the fields the API reads; others are kept). */
export interface ResourceMetadata {
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Record<string, unknown>[];
  [field: string]: unknown;
}

/** A Kubernetes object of one of the {@link ResourceKind}s, as plain JSON. */
export interface StoredResource {
  apiVersion: string;
  kind: ResourceKind;
  metadata: ResourceMetadata;
  spec?: unknown;
  status?: unknown;
  /** Secrets: base64 values. */
  data?: Record<string, string>;
  /** Secrets: plain values (write only). */
  stringData?: Record<string, string>;
  type?: string;
  [field: string]: unknown;
}

export interface ApplyOptions {
  /** Fail with `ALREADY_EXISTS` instead of replacing an existing object. */
  createOnly?: boolean;
  /** Fail with `NOT_FOUND` unless the object exists. */
  mustExist?: boolean;
}

/**
 * Where the cluster's resources live: the Kubernetes API, or a local folder of manifests. The
 * controller API reads and writes agents, model configs, tool servers and API-key Secrets only
 * through this interface, so it stays a view over the cluster rather than a second source of truth.
 *
 * Implementations throw {@link ResourceStoreError} for expected failures.
 */
export interface ResourceStore {
  /** The object, or undefined when there is none. */
  get(key: ResourceKey): Promise<StoredResource | undefined>;
  /** Objects of a kind, in one namespace or in all of them; ordered by namespace then name. */
  list(kind: ResourceKind, options?: { namespace?: string }): Promise<StoredResource[]>;
  /** Creates or replaces the object's spec (and a Secret's data); returns it as stored. */
  apply(object: StoredResource, options?: ApplyOptions): Promise<StoredResource>;
  /** Deletes the object; false when there was none. */
  delete(key: ResourceKey): Promise<boolean>;
  /** The namespaces that exist. */
  listNamespaces(): Promise<string[]>;
}
