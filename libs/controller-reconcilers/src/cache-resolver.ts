import type { ObjectReference, ReferenceKind, ReferenceResolver } from '@agentplane/agent-translate';
import type { KubeObject, ResourceSource } from '@agentplane/k8s';
import { REFERENCE_KINDS } from './kinds.js';

/** What a resolution read: every object looked up, with the version it had (or absent). */
export interface ResolutionSnapshot {
  references: ObjectReference[];
  /** True when an object read since changed in the cache (appeared, changed or disappeared). */
  changed(): Promise<boolean>;
}

const refKey = (kind: ReferenceKind, namespace: string, name: string): string =>
  `${kind}/${namespace}/${name}`;

/** Bound on re-runs; each run discovers at least one new reference, so chains longer than this are cut. */
const MAX_PASSES = 64;

/**
 * Runs a pure function that looks objects up synchronously (a translation) against the
 * source's cache, which is read asynchronously: the function runs, the objects it asked for and
 * that were not fetched yet are fetched, and it runs again, until a run asks for nothing new.
 * The last run saw every object it read, so its result is exact.
 */
export async function resolveThroughCache<T>(
  source: ResourceSource,
  run: (resolver: ReferenceResolver) => T,
): Promise<{ value: T; snapshot: ResolutionSnapshot }> {
  const fetched = new Map<string, { ref: ObjectReference; obj: KubeObject | undefined }>();
  for (let pass = 0; ; pass++) {
    const missing = new Map<string, ObjectReference>();
    const resolver: ReferenceResolver = {
      get(kind, namespace, name) {
        const key = refKey(kind, namespace, name);
        const hit = fetched.get(key);
        if (hit) return hit.obj;
        missing.set(key, { kind, namespace, name });
        return undefined;
      },
    };
    const value = run(resolver);
    if (missing.size === 0 || pass >= MAX_PASSES) {
      return { value, snapshot: snapshotOf(source, fetched) };
    }
    await Promise.all(
      [...missing].map(async ([key, ref]) => {
        const obj = await source.get(REFERENCE_KINDS[ref.kind], ref.namespace, ref.name);
        fetched.set(key, { ref, obj });
      }),
    );
  }
}

function snapshotOf(
  source: ResourceSource,
  fetched: Map<string, { ref: ObjectReference; obj: KubeObject | undefined }>,
): ResolutionSnapshot {
  const entries = [...fetched.values()];
  return {
    references: entries.map((e) => e.ref),
    async changed() {
      for (const { ref, obj } of entries) {
        const now = await source.get(REFERENCE_KINDS[ref.kind], ref.namespace, ref.name);
        if (now?.metadata.resourceVersion !== obj?.metadata.resourceVersion) return true;
        if (now?.metadata.uid !== obj?.metadata.uid) return true;
      }
      return false;
    },
  };
}
