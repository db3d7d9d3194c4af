import type { KubeObject } from './resource-types.js';

/** Recommended label keys (app.kubernetes.io/*). */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;

/** True when `obj` carries every label of `selector` with the same value. */
export function matchesLabels(obj: KubeObject, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Returns `obj` with `labels` merged into its labels. */
export function withLabels<T extends KubeObject>(obj: T, labels: Record<string, string>): T {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, ...labels } } };
}

/** Returns `obj` with `annotations` merged into its annotations. */
export function withAnnotations<T extends KubeObject>(obj: T, annotations: Record<string, string>): T {
  return {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, ...annotations } },
  };
}

/** A label selector string (`a=b,c=d`) for the API's `labelSelector` parameter. */
export function labelSelectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
