import type { KubeObject } from './resource-types.js';

/**
 * True when `candidate` is a newer version of the same object than `current`. Resource versions
 * are opaque strings in general; when both parse as integers (etcd, the local source) they are
 * compared numerically, otherwise any difference counts as newer.
 */
export function isNewerVersion(candidate: KubeObject, current: KubeObject | undefined): boolean {
  if (!current) return true;
  const a = candidate.metadata.resourceVersion;
  const b = current.metadata.resourceVersion;
  if (a === undefined || b === undefined) return true;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b);
  return a !== b;
}
