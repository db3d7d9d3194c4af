/** A status condition without its transition time (the controller stamps that). */
export interface ConditionInput {
  readonly type: 'Accepted' | 'ResolvedRefs' | 'Programmed' | 'Ready';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}

export function condition(
  type: ConditionInput['type'],
  ok: boolean | 'unknown',
  reason: string,
  message: string,
  generation: number | undefined,
): ConditionInput {
  return {
    type,
    status: ok === 'unknown' ? 'Unknown' : ok ? 'True' : 'False',
    reason,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}
