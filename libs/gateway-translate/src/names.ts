// Identity helpers: namespaced names, refs and the stable keys of xDS resources.

export interface NamespacedName {
  namespace: string;
  name: string;
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const AGENTGATEWAY_GROUP = 'agentgateway.dev';

/** `namespace/name`: the key gateways are scoped by in the xDS cache. */
export function nsName(ref: NamespacedName): string {
  return `${ref.namespace}/${ref.name}`;
}

interface Meta {
  metadata?: { name?: string; namespace?: string };
}

/** The object's namespace and name ("default" when the namespace is unset). */
export function metaRef(obj: Meta): NamespacedName {
  return { namespace: obj.metadata?.namespace ?? 'default', name: obj.metadata?.name ?? '' };
}

/** Compares by namespace, then name. */
export function byNsName(a: Meta, b: Meta): number {
  return compareStrings(nsName(metaRef(a)), nsName(metaRef(b)));
}

/** Code-point string order (locale independent, so output is the same everywhere). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedBy<T>(items: Iterable<T>, key: (t: T) => string): T[] {
  return [...items].sort((a, b) => compareStrings(key(a), key(b)));
}

/** Keys of the xDS resources. Each names its source objects so keys never collide. */
export const ResourceKey = {
  bind: (gateway: NamespacedName, port: number): string => `bind/${nsName(gateway)}/${port}`,
  listener: (gateway: NamespacedName, listener: string): string => `listener/${nsName(gateway)}/${listener}`,
  route: (route: NamespacedName, rule: string, gateway: NamespacedName, listener: string): string =>
    `route/${nsName(route)}/${rule}@${nsName(gateway)}/${listener}`,
  backend: (backend: NamespacedName): string => `backend/${nsName(backend)}`,
  service: (service: NamespacedName, port: number): string => `service/${nsName(service)}:${port}`,
  policy: (policy: NamespacedName, target: string): string => `policy/${nsName(policy)}/${target}`,
  /** The Policy carrying an AgentgatewayBackend's own spec.policies. */
  backendPolicy: (backend: NamespacedName): string => `backend-policy/${nsName(backend)}`,
} as const;
