import { z } from 'zod';
import { conditionsStatusFields } from '../common/conditions.js';
import { addFieldIssue } from '../common/field-rules.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { allowedNamespacesSchema, tlsConfigSchema, valueRefSchema } from './shared.js';

export const remoteMCPServerSpecSchema = z
  .object({
    description: z.string(),
    protocol: z.enum(['SSE', 'STREAMABLE_HTTP']).default('STREAMABLE_HTTP'),
    url: z.string().min(1),
    headersFrom: z.array(valueRefSchema).optional(),
    timeout: z.string().default('30s'),
    sseReadTimeout: z.string().optional(),
    terminateOnClose: z.boolean().default(true),
    allowedNamespaces: allowedNamespacesSchema.optional(),
    tls: tlsConfigSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.url.startsWith('http://') && spec.tls !== undefined) {
      addFieldIssue(
        ctx,
        spec,
        '{{tls}} must be unset when {{url}} is plain http://; drop tls or use an https:// URL',
        ['tls'],
      );
    }
    const from = spec.allowedNamespaces?.from;
    if ((from === 'All' || from === 'Selector') && (spec.tls?.caCertSecretRef ?? '') !== '') {
      addFieldIssue(
        ctx,
        spec,
        '{{allowedNamespaces}}.from must be Same when {{tls}}.caCertSecretRef is set: the CA Secret is mounted into the consuming agent, in its own namespace',
        ['allowedNamespaces', 'from'],
      );
    }
  });
export type RemoteMCPServerSpec = z.infer<typeof remoteMCPServerSpecSchema>;

export const mcpToolSchema = z.object({
  name: z.string(),
  description: z.string(),
});
export type McpTool = z.infer<typeof mcpToolSchema>;

export const remoteMCPServerStatusSchema = z.object({
  ...conditionsStatusFields,
  discoveredTools: z.array(mcpToolSchema).optional(),
  secretHash: z.string().optional(),
});
export type RemoteMCPServerStatus = z.infer<typeof remoteMCPServerStatusSchema>;

/** kagent.dev/v1alpha2 RemoteMCPServer. */
export const remoteMCPServerSchema = z.object({
  apiVersion: z.literal('kagent.dev/v1alpha2'),
  kind: z.literal('RemoteMCPServer'),
  metadata: objectMetaSchema,
  spec: remoteMCPServerSpecSchema,
  status: remoteMCPServerStatusSchema.optional(),
});
export type RemoteMCPServer = z.infer<typeof remoteMCPServerSchema>;
export type RemoteMCPServerInput = z.input<typeof remoteMCPServerSchema>;
