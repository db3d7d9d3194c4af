import type { ObjectReference, ReferenceKind } from '@agentplane/agent-translate';
import { parseObjectKey, type KubeObject, type ObjectRef } from '@agentplane/k8s';

const key = (ref: ObjectReference): string => `${ref.kind}/${ref.namespace}/${ref.name}`;

/**
 * Which objects each referrer (an Agent, a ModelConfig) read during its last reconcile, and the
 * reverse: who read a given object. A watch on a referenced kind maps a changed object to its
 * referrers through it. Missing objects are indexed too, so creating one re-queues the referrers
 * that waited for it.
 */
export class ReferenceIndex {
  readonly #forward = new Map<string, Set<string>>();
  readonly #reverse = new Map<string, Set<string>>();

  /** Replaces what `referrer` (a work-queue key or any id) references. */
  set(referrer: string, references: readonly ObjectReference[]): void {
    this.delete(referrer);
    const targets = new Set(references.map(key));
    this.#forward.set(referrer, targets);
    for (const target of targets) {
      let referrers = this.#reverse.get(target);
      if (!referrers) this.#reverse.set(target, (referrers = new Set()));
      referrers.add(referrer);
    }
  }

  delete(referrer: string): void {
    const targets = this.#forward.get(referrer);
    if (!targets) return;
    this.#forward.delete(referrer);
    for (const target of targets) {
      const referrers = this.#reverse.get(target);
      referrers?.delete(referrer);
      if (referrers?.size === 0) this.#reverse.delete(target);
    }
  }

  /** The referrers of one object. */
  referrers(ref: ObjectReference): string[] {
    return [...(this.#reverse.get(key(ref)) ?? [])];
  }

  /**
   * A watch mapper: a changed object of `kind` re-queues the referrers that read it (their keys
   * are work-queue keys).
   */
  mapperFor(kind: ReferenceKind): (obj: KubeObject) => ObjectRef[] {
    return (obj) =>
      this.referrers({ kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }).map(
        parseObjectKey,
      );
  }

  /** Number of referrers indexed. */
  get size(): number {
    return this.#forward.size;
  }
}
