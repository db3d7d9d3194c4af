import { condition, type ConditionInput } from './conditions.js';

/** The parts of a Deployment's status that decide readiness. */
export interface DeploymentStatusView {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly availableReplicas?: number;
    readonly conditions?: readonly {
      readonly type: string;
      readonly status: string;
      readonly message?: string;
    }[];
  };
}

/**
 * `Ready` from the Deployment the controller observed (undefined: not created yet). True when the
 * Deployment's controller has seen its latest spec and reports `Available`.
 */
export function readyCondition(
  deployment: DeploymentStatusView | undefined,
  generation: number | undefined,
): ConditionInput {
  if (!deployment)
    return condition('Ready', false, 'DeploymentNotFound', 'Deployment not created yet', generation);
  const st = deployment.status ?? {};
  const want = deployment.spec?.replicas ?? 1;
  const available = st.availableReplicas ?? 0;
  if (
    deployment.metadata?.generation !== undefined &&
    (st.observedGeneration ?? 0) < deployment.metadata.generation
  )
    return condition(
      'Ready',
      false,
      'DeploymentProgressing',
      'Deployment update not observed yet',
      generation,
    );
  const avail = st.conditions?.find((c) => c.type === 'Available');
  if (avail?.status === 'True' && (want === 0 || available > 0))
    return condition(
      'Ready',
      true,
      'DeploymentAvailable',
      `${available}/${want} replicas available`,
      generation,
    );
  return condition(
    'Ready',
    false,
    'DeploymentUnavailable',
    `${available}/${want} replicas available${avail?.message ? `: ${avail.message}` : ''}`,
    generation,
  );
}
