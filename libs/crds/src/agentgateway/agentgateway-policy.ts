import { z } from 'zod';
import { atLeastOneOf } from '../common/field-rules.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { agentgatewayPolicySpecSchema, agentgatewayPolicyStatusSchema } from './spec-schemas.js';

/** The policy spec: a policy must configure at least one of traffic, frontend or backend. */
export const policySpecSchema = agentgatewayPolicySpecSchema.superRefine(
  atLeastOneOf(['traffic', 'frontend', 'backend']),
);
export type AgentgatewayPolicySpec = z.infer<typeof policySpecSchema>;
export type AgentgatewayPolicyStatus = z.infer<typeof agentgatewayPolicyStatusSchema>;

/** agentgateway.dev/v1alpha1 AgentgatewayPolicy. */
export const agentgatewayPolicySchema = z.object({
  apiVersion: z.literal('agentgateway.dev/v1alpha1'),
  kind: z.literal('AgentgatewayPolicy'),
  metadata: objectMetaSchema,
  spec: policySpecSchema,
  status: agentgatewayPolicyStatusSchema.optional(),
});
export type AgentgatewayPolicy = z.infer<typeof agentgatewayPolicySchema>;
export type AgentgatewayPolicyInput = z.input<typeof agentgatewayPolicySchema>;
