import type { AllowedNamespaces, LabelSelector } from '@agentplane/crds/kagent';
import type { ReferenceResolver } from './reference-resolver.js';

/** Whether `labels` match a Kubernetes label selector (matchLabels and matchExpressions). */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Decides whether an object in `targetNamespace` with `allowed` may be referenced from
 * `fromNamespace`. Returns undefined when allowed, or the reason it is not.
 */
export function namespaceDenial(
  allowed: AllowedNamespaces | undefined,
  fromNamespace: string,
  targetNamespace: string,
  resolver: ReferenceResolver,
): string | undefined {
  if (fromNamespace === targetNamespace) return undefined;
  const from = allowed?.from ?? 'Same';
  if (from === 'All') return undefined;
  if (from === 'Same') {
    return `it allows references from its own namespace only (spec.allowedNamespaces.from is ${allowed ? 'Same' : 'unset'}); set spec.allowedNamespaces on it to allow namespace ${fromNamespace}`;
  }
  const ns = resolver.get('Namespace', '', fromNamespace);
  const meta = (ns as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata;
  if (allowed?.selector && matchesSelector(allowed.selector, meta?.labels ?? {})) return undefined;
  return ns === undefined
    ? `namespace ${fromNamespace} not found, so it cannot match spec.allowedNamespaces.selector`
    : `namespace ${fromNamespace} does not match its spec.allowedNamespaces.selector`;
}
