/** Object metadata as the API server sends it (timestamps stay RFC 3339 strings). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object: typed metadata, everything else open. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/**
 * A kind the runtime reads or writes. `plural` and `namespaced` are looked up through API
 * discovery when left out (the local source assumes `namespaced: true`).
 */
export interface ResourceKind {
  /** `v1`, `apps/v1`, `kagent.dev/v1alpha2` */
  apiVersion: string;
  kind: string;
  plural?: string;
  namespaced?: boolean;
}

/** Names one object. `namespace` is '' for cluster-scoped objects. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** The API group of an apiVersion ('' for the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `kind/namespace/name`: the work-queue key of an object. */
export function objectKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The inverse of {@link objectKey}. */
export function parseObjectKey(key: string): ObjectRef {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  if (first < 0 || second < 0) throw new Error(`not a kind/namespace/name key: ${key}`);
  return { kind: key.slice(0, first), namespace: key.slice(first + 1, second), name: key.slice(second + 1) };
}

/** The reference of an object. */
export function refOf(obj: KubeObject): ObjectRef {
  return { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/** A stable identity of a kind across groups: `group/Kind` (`/ConfigMap` for the core group). */
export function kindId(kind: Pick<ResourceKind, 'apiVersion' | 'kind'>): string {
  return `${apiGroup(kind.apiVersion)}/${kind.kind}`;
}

/** The kind descriptor of an object (version and kind only). */
export function kindOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceKind {
  return { apiVersion: obj.apiVersion, kind: obj.kind };
}
