import type { ObjectRef } from './agent-resolver.js';

/**
 * kagent's database id of an agent: `<namespace>/<name>` with `-` turned into `_` and `/` into
 * `__NS__` (names are RFC 1123, so the mapping is one to one).
 */
export function agentDbId(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`.replaceAll('-', '_').replaceAll('/', '__NS__');
}

/** The reference back from {@link agentDbId}. */
export function agentRefFromDbId(id: string): ObjectRef | undefined {
  const [namespace, name, ...rest] = id.split('__NS__');
  if (namespace === undefined || name === undefined || rest.length > 0) return undefined;
  return { namespace: namespace.replaceAll('_', '-'), name: name.replaceAll('_', '-') };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a valid Kubernetes namespace or object name (RFC 1123 label, 63 characters at most). */
export function isResourceName(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => DNS_LABEL.test(part));
}

/**
 * Parses `namespace/name` (or a bare `name`, in `defaultNamespace`). Undefined when malformed.
 */
export function parseRef(ref: string, defaultNamespace: string): ObjectRef | undefined {
  const parts = ref.split('/');
  const [a, b] = parts;
  if (parts.length === 1 && a !== undefined && isResourceName(a)) {
    return { namespace: defaultNamespace, name: a };
  }
  if (parts.length === 2 && a !== undefined && b !== undefined && isResourceName(a) && isResourceName(b)) {
    return { namespace: a, name: b };
  }
  return undefined;
}

export function formatRef(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}
