import { z } from 'zod';
import { addFieldIssue } from '../common/field-rules.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { agentgatewayParametersSpecSchema, agentgatewayParametersStatusSchema } from './spec-schemas.js';

/** The parameters spec, with the rules between the workload kind and its overlays. */
export const parametersSpecSchema = agentgatewayParametersSpecSchema.superRefine((spec, ctx) => {
  const kind = spec.workload?.kind;
  if (spec.deployment !== undefined && kind !== undefined && kind !== 'Deployment') {
    addFieldIssue(
      ctx,
      spec,
      `{{deployment}} overlays need {{workload}}.kind Deployment (or unset), not ${kind}`,
      ['deployment'],
    );
  }
  if (spec.daemonSet !== undefined && kind !== 'DaemonSet') {
    addFieldIssue(ctx, spec, '{{daemonSet}} overlays need {{workload}}.kind DaemonSet', ['daemonSet']);
  }
  if (spec.horizontalPodAutoscaler !== undefined && kind === 'DaemonSet') {
    addFieldIssue(ctx, spec, '{{horizontalPodAutoscaler}} cannot be used with {{workload}}.kind DaemonSet', [
      'horizontalPodAutoscaler',
    ]);
  }
  if (spec.shutdown !== undefined && spec.shutdown.min > spec.shutdown.max) {
    addFieldIssue(ctx, spec, '{{shutdown}}.min must be less than or equal to {{shutdown}}.max', [
      'shutdown',
      'min',
    ]);
  }
});
export type AgentgatewayParametersSpec = z.infer<typeof parametersSpecSchema>;
export type AgentgatewayParametersStatus = z.infer<typeof agentgatewayParametersStatusSchema>;

/** agentgateway.dev/v1alpha1 AgentgatewayParameters. */
export const agentgatewayParametersSchema = z.object({
  apiVersion: z.literal('agentgateway.dev/v1alpha1'),
  kind: z.literal('AgentgatewayParameters'),
  metadata: objectMetaSchema,
  spec: parametersSpecSchema,
  status: agentgatewayParametersStatusSchema.optional(),
});
export type AgentgatewayParameters = z.infer<typeof agentgatewayParametersSchema>;
export type AgentgatewayParametersInput = z.input<typeof agentgatewayParametersSchema>;
