import { withAnnotations } from './labels.js';
import { isControlledBy, setControllerReference } from './owner-references.js';
import { stableHash } from './stable-hash.js';
import { isUpToDate, statusUpToDate } from './object-compare.js';
import type { ResourceSource, ResourceWriter } from './resource-source.js';
import {
  kindId,
  kindOf,
  refOf,
  type KubeObject,
  type ObjectRef,
  type ResourceKind,
} from './resource-types.js';

/**
 * Annotation holding the hash of what was last applied to a child: a desired child whose hash
 * differs (a field added, changed or removed) is applied again, even when the remaining fields
 * still match.
 */
export const DESIRED_HASH_ANNOTATION = 'agentplane.dev/desired-hash';

export interface ApplyChildrenOptions {
  /** Reads the current children from the cache (their kinds must be watched, e.g. `owns`). */
  source: ResourceSource;
  writer: ResourceWriter;
  owner: KubeObject;
  /** Everything that should exist for the owner now; the owner is set as controller on each. */
  desired: readonly KubeObject[];
  /**
   * Kinds to prune: children of these kinds controlled by the owner and not desired are deleted.
   * Include every kind the owner may ever have had, even when none is desired now.
   */
  ownedKinds: readonly ResourceKind[];
  /** Only prune children carrying these labels (on top of the controller reference). */
  pruneSelector?: Record<string, string>;
}

export interface ApplyChildrenResult {
  /** Children written (created or changed). */
  applied: ObjectRef[];
  /** Children already as desired (no request made). */
  unchanged: ObjectRef[];
  /** Children deleted as no longer desired. */
  pruned: ObjectRef[];
}

/**
 * Makes the owner's children match `desired`: server-side applies each desired child whose
 * cached copy differs (a field changed by someone else, or a different desired hash; see
 * DESIRED_HASH_ANNOTATION), all at once, and then deletes the owner's children of `ownedKinds`
 * that are not desired.
 * Idempotent: when everything is up to date it makes no request at all, so a restart or a resync
 * causes no writes.
 */
export async function applyChildren(options: ApplyChildrenOptions): Promise<ApplyChildrenResult> {
  const { source, writer, owner } = options;
  const namespace = owner.metadata.namespace ?? '';
  const result: ApplyChildrenResult = { applied: [], unchanged: [], pruned: [] };
  const wanted = new Set<string>();
  const writes: Array<Promise<unknown>> = [];
  for (const child of options.desired) {
    const withOwner = setControllerReference(
      { ...child, metadata: { ...child.metadata, namespace: child.metadata.namespace ?? namespace } },
      owner,
    );
    const owned = withAnnotations(withOwner, { [DESIRED_HASH_ANNOTATION]: stableHash(withOwner, 32) });
    const ref = refOf(owned);
    wanted.add(`${kindId(owned)}/${ref.namespace}/${ref.name}`);
    const current = await source.get(kindOf(owned), ref.namespace, ref.name);
    if (isUpToDate(current, owned)) {
      result.unchanged.push(ref);
      continue;
    }
    // The children do not depend on each other: their writes go out together.
    writes.push(writer.apply(owned));
    result.applied.push(ref);
  }
  // Every write has ended before this returns or throws (the first failure).
  const failed = (await Promise.allSettled(writes)).find((w) => w.status === 'rejected');
  if (failed) throw failed.reason;
  for (const kind of options.ownedKinds) {
    const existing = await source.list(kind, {
      namespace,
      ...(options.pruneSelector ? { labels: options.pruneSelector } : {}),
    });
    for (const child of existing) {
      const ref = refOf(child);
      if (wanted.has(`${kindId(kind)}/${ref.namespace}/${ref.name}`)) continue;
      if (!isControlledBy(child, owner) || child.metadata.deletionTimestamp) continue;
      await writer.delete(kind, ref.namespace, ref.name);
      result.pruned.push(ref);
    }
  }
  return result;
}

/**
 * Writes `status` (top-level fields, merge-patched) through the status subresource unless the
 * cached object already has exactly these values. Resolves true when it wrote.
 */
export async function updateStatus(
  writer: ResourceWriter,
  current: KubeObject,
  status: Record<string, unknown>,
): Promise<boolean> {
  if (statusUpToDate(current, status)) return false;
  await writer.patchStatus(
    kindOf(current),
    current.metadata.namespace ?? '',
    current.metadata.name ?? '',
    status,
  );
  return true;
}
