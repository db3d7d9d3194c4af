/** The kinds of object an Agent's translation may look up. */
export type ReferenceKind =
  | 'Agent'
  | 'ModelConfig'
  | 'RemoteMCPServer'
  | 'MCPServer'
  | 'Service'
  | 'Secret'
  | 'ConfigMap'
  | 'Namespace';

/** One object looked up during a translation (found or not). */
export interface ObjectReference {
  kind: ReferenceKind;
  /** Empty for cluster-scoped kinds (Namespace). */
  namespace: string;
  name: string;
}

/**
 * Gives translation the objects an Agent refers to, as stored in the cluster (or in the local
 * folder): a cache lookup in the controller, a map in tests and in `render`. Returns undefined
 * when the object does not exist.
 */
export interface ReferenceResolver {
  get(kind: ReferenceKind, namespace: string, name: string): unknown;
}

const KIND_BY_API: Record<string, ReferenceKind> = {
  'kagent.dev/v1alpha2/Agent': 'Agent',
  'kagent.dev/v1alpha2/ModelConfig': 'ModelConfig',
  'kagent.dev/v1alpha2/RemoteMCPServer': 'RemoteMCPServer',
  'kagent.dev/v1alpha1/MCPServer': 'MCPServer',
  'v1/Service': 'Service',
  'v1/Secret': 'Secret',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Namespace': 'Namespace',
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The reference kind of a Kubernetes object, when it is one translation reads. */
export function referenceKindOf(obj: unknown): ReferenceKind | undefined {
  if (!isRecord(obj)) return undefined;
  return KIND_BY_API[`${String(obj['apiVersion'])}/${String(obj['kind'])}`];
}

/** Namespace and name from an object's metadata. */
export function objectKey(obj: unknown): { namespace: string; name: string } {
  const meta = isRecord(obj) && isRecord(obj['metadata']) ? obj['metadata'] : {};
  return {
    namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : '',
    name: typeof meta['name'] === 'string' ? meta['name'] : '',
  };
}

/**
 * A resolver over a fixed list of objects. Objects without a namespace are placed in
 * `defaultNamespace` (like `kubectl apply -n`); kinds translation never reads are ignored.
 */
export function createObjectResolver(objects: readonly unknown[], defaultNamespace = ''): ReferenceResolver {
  const index = new Map<string, unknown>();
  for (const obj of objects) {
    const kind = referenceKindOf(obj);
    if (!kind) continue;
    const key = objectKey(obj);
    const namespace = kind === 'Namespace' ? '' : key.namespace || defaultNamespace;
    index.set(`${kind}/${namespace}/${key.name}`, obj);
  }
  return { get: (kind, namespace, name) => index.get(`${kind}/${namespace}/${name}`) };
}

/** Wraps a resolver to record every lookup, so the caller can watch what an Agent depends on. */
export function recordingResolver(inner: ReferenceResolver): {
  resolver: ReferenceResolver;
  references: () => ObjectReference[];
} {
  const seen = new Map<string, ObjectReference>();
  return {
    resolver: {
      get(kind, namespace, name) {
        const key = `${kind}/${namespace}/${name}`;
        if (!seen.has(key)) seen.set(key, { kind, namespace, name });
        return inner.get(kind, namespace, name);
      },
    },
    references: () => [...seen.values()],
  };
}
