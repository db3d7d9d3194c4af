import type { Condition } from './k8s-types.js';

/** A condition before it is stamped with a generation and a transition time. */
export interface ConditionInit {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

interface PreviousCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | Date;
}

/**
 * Stamps conditions the Gateway API way: observedGeneration is the object's generation, and
 * lastTransitionTime is kept from the previous condition of the same type when its status did not
 * change (so re-translating an unchanged object yields identical status).
 */
export function stampConditions(
  inits: readonly ConditionInit[],
  generation: number | undefined,
  previous: readonly PreviousCondition[] | undefined,
  now: string,
): Condition[] {
  return inits.map((c) => {
    const status = c.status ? 'True' : 'False';
    const prev = previous?.find((p) => p.type === c.type);
    const kept = prev?.status === status ? prev.lastTransitionTime : undefined;
    const lastTransitionTime = kept === undefined ? now : kept instanceof Date ? rfc3339(kept) : kept;
    return {
      type: c.type,
      status,
      reason: c.reason,
      message: c.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime,
    };
  });
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
