/** A status condition as in metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string };

/**
 * Returns `conditions` with `condition` set: added when absent, else updated in place (order
 * kept). `lastTransitionTime` changes only when the status changes, so setting the same
 * condition again yields an equal list (and no status write).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  condition: ConditionInput,
  now: () => Date = () => new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === condition.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    existing && existing.status === condition.status
      ? existing.lastTransitionTime
      : (condition.lastTransitionTime ?? rfc3339(now()));
  const next: Condition = {
    type: condition.type,
    status: condition.status,
    reason: condition.reason,
    message: condition.message,
    lastTransitionTime,
    ...(condition.observedGeneration !== undefined
      ? { observedGeneration: condition.observedGeneration }
      : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** Sets several conditions at once (see setCondition). */
export function mergeConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionInput[],
  now: () => Date = () => new Date(),
): Condition[] {
  let list = [...(conditions ?? [])];
  for (const update of updates) list = setCondition(list, update, now);
  return list;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** RFC 3339 at second precision, as the API server stores metav1.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
