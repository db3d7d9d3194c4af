import type { ConditionInput, KubeObject } from '@agentplane/k8s';

/** kagent's `Ready` condition of an Agent, from its Deployment's availability. */
export function readyCondition(deployment: KubeObject | undefined, generation: number): ConditionInput {
  if (!deployment) {
    return {
      type: 'Ready',
      status: 'False',
      reason: 'DeploymentNotFound',
      message: 'the agent Deployment does not exist yet',
      observedGeneration: generation,
    };
  }
  const spec = (deployment['spec'] ?? {}) as { replicas?: number };
  const status = (deployment['status'] ?? {}) as {
    availableReplicas?: number;
    replicas?: number;
    conditions?: { type?: string; status?: string; message?: string }[];
  };
  const wanted = spec.replicas ?? 1;
  const available = status.availableReplicas ?? 0;
  const availability = status.conditions?.find((c) => c.type === 'Available');
  const availableCondition = availability?.status === 'True';
  // Why not, when the Deployment says (a local process that cannot start, say).
  const why = !availableCondition && availability?.message ? `: ${availability.message}` : '';
  const ready = wanted === 0 ? availableCondition : availableCondition && available >= 1;
  return ready
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'DeploymentReady',
        message: `${available}/${wanted} replicas available`,
        observedGeneration: generation,
      }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'DeploymentNotReady',
        message: `${available}/${wanted} replicas available${why}`,
        observedGeneration: generation,
      };
}

/** kagent's `Accepted` condition: reconciled, or why not (the message names the field). */
export function acceptedAgentCondition(
  result: { ok: true } | { ok: false; message: string },
  generation: number,
): ConditionInput {
  return result.ok
    ? {
        type: 'Accepted',
        status: 'True',
        reason: 'Reconciled',
        message: 'Agent reconciled',
        observedGeneration: generation,
      }
    : {
        type: 'Accepted',
        status: 'False',
        reason: 'ReconcileFailed',
        message: result.message,
        observedGeneration: generation,
      };
}
