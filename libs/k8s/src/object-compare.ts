import { canonicalJson } from './stable-hash.js';
import type { KubeObject } from './resource-types.js';

/**
 * True when every value `desired` sets is present and equal in `actual`. Fields only `actual`
 * has (defaults filled in by the server, status, other managers' fields) do not matter; arrays
 * must have the same length, their elements compared the same way.
 */
export function containsDesired(actual: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== 'object') return actual === desired;
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    return desired.every((d, i) => containsDesired(actual[i], d));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => containsDesired(a[k], v));
}

const COMPARED_METADATA = [
  'name',
  'namespace',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
] as const;

/**
 * True when applying `desired` would change nothing in `actual`: the same kind, and every
 * field of desired (metadata limited to name, namespace, labels, annotations, owner references
 * and finalizers; status ignored) already holds in actual.
 */
export function isUpToDate(actual: KubeObject | undefined, desired: KubeObject): boolean {
  if (!actual || actual.apiVersion !== desired.apiVersion || actual.kind !== desired.kind) return false;
  if (actual.metadata.deletionTimestamp) return false;
  for (const field of COMPARED_METADATA) {
    if (!containsDesired(actual.metadata[field], desired.metadata[field])) return false;
  }
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
    if (!containsDesired(actual[key], value)) return false;
  }
  return true;
}

/** True when every top-level field of `status` equals the same field of `actual.status`. */
export function statusUpToDate(actual: KubeObject | undefined, status: Record<string, unknown>): boolean {
  const current = (actual?.['status'] ?? {}) as Record<string, unknown>;
  return Object.entries(status).every(([k, v]) => canonicalJson(current[k]) === canonicalJson(v));
}
