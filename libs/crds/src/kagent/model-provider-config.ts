import { z } from 'zod';
import { conditionsStatusFields } from '../common/conditions.js';
import { addFieldIssue } from '../common/field-rules.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { modelProviderSchema } from './model-config.js';

export const modelProviderConfigSpecSchema = z
  .object({
    type: modelProviderSchema,
    endpoint: z
      .string()
      .regex(/^https?:\/\/.*/, { message: 'must be a URL starting with http:// or https://' })
      .optional(),
    secretRef: z.object({ name: z.string() }).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.type !== 'Ollama' && !(spec.secretRef?.name ?? '')) {
      addFieldIssue(
        ctx,
        spec,
        `{{secretRef}}.name is required for provider ${spec.type} (only Ollama needs no credentials)`,
        ['secretRef'],
      );
    }
  });
export type ModelProviderConfigSpec = z.infer<typeof modelProviderConfigSpecSchema>;

export const modelProviderConfigStatusSchema = z.object({
  ...conditionsStatusFields,
  discoveredModels: z.array(z.string()).optional(),
  modelCount: z.int().optional(),
  lastDiscoveryTime: z.iso.datetime({ offset: true }).optional(),
  secretHash: z.string().optional(),
});
export type ModelProviderConfigStatus = z.infer<typeof modelProviderConfigStatusSchema>;

/** kagent.dev/v1alpha2 ModelProviderConfig. */
export const modelProviderConfigSchema = z.object({
  apiVersion: z.literal('kagent.dev/v1alpha2'),
  kind: z.literal('ModelProviderConfig'),
  metadata: objectMetaSchema,
  spec: modelProviderConfigSpecSchema,
  status: modelProviderConfigStatusSchema.optional(),
});
export type ModelProviderConfig = z.infer<typeof modelProviderConfigSchema>;
export type ModelProviderConfigInput = z.input<typeof modelProviderConfigSchema>;
