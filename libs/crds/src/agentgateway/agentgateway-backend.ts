import { z } from 'zod';
import { addFieldIssue } from '../common/field-rules.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { agentgatewayBackendSpecSchema, agentgatewayBackendStatusSchema } from './spec-schemas.js';

/** The backend spec, with the rules that tie `policies` to the backend kind. */
export const backendSpecSchema = agentgatewayBackendSpecSchema.superRefine((spec, ctx) => {
  if (spec.policies?.ai !== undefined && spec.ai === undefined) {
    addFieldIssue(
      ctx,
      spec,
      '{{policies}}.ai only applies to an AI backend; set {{ai}} or remove the AI policies',
      ['policies', 'ai'],
    );
  }
  if (spec.policies?.mcp !== undefined && spec.mcp === undefined) {
    addFieldIssue(
      ctx,
      spec,
      '{{policies}}.mcp only applies to an MCP backend; set {{mcp}} or remove the MCP policies',
      ['policies', 'mcp'],
    );
  }
});
export type AgentgatewayBackendSpec = z.infer<typeof backendSpecSchema>;
export type AgentgatewayBackendStatus = z.infer<typeof agentgatewayBackendStatusSchema>;

/** agentgateway.dev/v1alpha1 AgentgatewayBackend. */
export const agentgatewayBackendSchema = z.object({
  apiVersion: z.literal('agentgateway.dev/v1alpha1'),
  kind: z.literal('AgentgatewayBackend'),
  metadata: objectMetaSchema,
  spec: backendSpecSchema,
  status: agentgatewayBackendStatusSchema.optional(),
});
export type AgentgatewayBackend = z.infer<typeof agentgatewayBackendSchema>;
export type AgentgatewayBackendInput = z.input<typeof agentgatewayBackendSchema>;
