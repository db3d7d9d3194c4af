import { z } from 'zod';
import { conditionsStatusFields } from '../common/conditions.js';
import { addFieldIssue } from '../common/field-rules.js';
import { anyJson, stringMap } from '../common/meta.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { tlsConfigSchema } from './shared.js';

export const MODEL_PROVIDERS = [
  'Anthropic',
  'OpenAI',
  'AzureOpenAI',
  'Ollama',
  'Gemini',
  'GeminiVertexAI',
  'AnthropicVertexAI',
  'Bedrock',
  'SAPAICore',
] as const;
export const modelProviderSchema = z.enum(MODEL_PROVIDERS);
export type ModelProvider = z.infer<typeof modelProviderSchema>;

/** The provider block that goes with each provider. */
export const PROVIDER_BLOCKS = {
  OpenAI: 'openAI',
  Anthropic: 'anthropic',
  AzureOpenAI: 'azureOpenAI',
  Ollama: 'ollama',
  Gemini: 'gemini',
  GeminiVertexAI: 'geminiVertexAI',
  AnthropicVertexAI: 'anthropicVertexAI',
  Bedrock: 'bedrock',
  SAPAICore: 'sapAICore',
} as const satisfies Record<ModelProvider, string>;

export const openAIConfigSchema = z.object({
  baseUrl: z.string().optional(),
  organization: z.string().optional(),
  temperature: z.string().optional(),
  maxTokens: z.int().optional(),
  topP: z.string().optional(),
  frequencyPenalty: z.string().optional(),
  presencePenalty: z.string().optional(),
  seed: z.int().optional(),
  n: z.int().optional(),
  timeout: z.int().optional(),
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  tokenExchange: z
    .object({
      type: z.enum(['GDCHServiceAccount']),
      gdchServiceAccount: z.object({ audience: z.string() }).optional(),
    })
    .superRefine((te, ctx) => {
      if (te.type === 'GDCHServiceAccount' && te.gdchServiceAccount === undefined) {
        addFieldIssue(ctx, te, '{{gdchServiceAccount}} is required when {{type}} is GDCHServiceAccount', [
          'gdchServiceAccount',
        ]);
      }
    })
    .optional(),
});

export const anthropicConfigSchema = z.object({
  baseUrl: z.string().optional(),
  maxTokens: z.int().optional(),
  temperature: z.string().optional(),
  topP: z.string().optional(),
  topK: z.int().optional(),
});

export const azureOpenAIConfigSchema = z.object({
  azureEndpoint: z.string(),
  apiVersion: z.string(),
  azureDeployment: z.string().optional(),
  azureAdToken: z.string().optional(),
  temperature: z.string().optional(),
  maxTokens: z.int().optional(),
  topP: z.string().optional(),
});

export const ollamaConfigSchema = z.object({
  host: z.string().optional(),
  options: stringMap().optional(),
});

export const geminiConfigSchema = z.object({});

export const geminiVertexAIConfigSchema = z.object({
  projectID: z.string(),
  location: z.string(),
  temperature: z.string().optional(),
  topP: z.string().optional(),
  topK: z.string().optional(),
  stopSequences: z.array(z.string()).optional(),
  maxOutputTokens: z.int().optional(),
  candidateCount: z.int().optional(),
  responseMimeType: z.string().optional(),
});

export const anthropicVertexAIConfigSchema = z.object({
  projectID: z.string(),
  location: z.string(),
  temperature: z.string().optional(),
  topP: z.string().optional(),
  topK: z.string().optional(),
  stopSequences: z.array(z.string()).optional(),
  maxTokens: z.int().optional(),
});

export const bedrockConfigSchema = z.object({
  region: z.string(),
  additionalModelRequestFields: anyJson().optional(),
  promptCaching: z.boolean().default(false),
  cacheTTL: z.enum(['5m', '1h']).default('5m'),
});

export const sapAICoreConfigSchema = z.object({
  baseUrl: z.string(),
  resourceGroup: z.string().default('default'),
  authUrl: z.string().optional(),
});

const nonEmpty = (v: string | undefined): boolean => v !== undefined && v.length > 0;

export const modelConfigSpecSchema = z
  .object({
    model: z.string(),
    apiKeySecret: z.string().optional(),
    apiKeySecretKey: z.string().optional(),
    apiKeyPassthrough: z.boolean().optional(),
    provider: modelProviderSchema.default('OpenAI'),
    defaultHeaders: stringMap().optional(),
    tls: tlsConfigSchema.optional(),
    openAI: openAIConfigSchema.optional(),
    anthropic: anthropicConfigSchema.optional(),
    azureOpenAI: azureOpenAIConfigSchema.optional(),
    ollama: ollamaConfigSchema.optional(),
    gemini: geminiConfigSchema.optional(),
    geminiVertexAI: geminiVertexAIConfigSchema.optional(),
    anthropicVertexAI: anthropicVertexAIConfigSchema.optional(),
    bedrock: bedrockConfigSchema.optional(),
    sapAICore: sapAICoreConfigSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    for (const [provider, block] of Object.entries(PROVIDER_BLOCKS)) {
      if (spec[block] !== undefined && spec.provider !== provider) {
        addFieldIssue(
          ctx,
          spec,
          `{{${block}}} is only allowed when {{provider}} is ${provider} (provider is ${spec.provider}); use the ${PROVIDER_BLOCKS[spec.provider]} block or change the provider`,
          [block],
        );
      }
    }
    if (spec.apiKeySecretKey !== undefined && spec.apiKeySecret === undefined) {
      addFieldIssue(ctx, spec, '{{apiKeySecretKey}} requires {{apiKeySecret}}', ['apiKeySecret']);
    }
    if (
      spec.apiKeySecret !== undefined &&
      spec.apiKeySecretKey === undefined &&
      spec.provider !== 'Bedrock' &&
      spec.provider !== 'SAPAICore'
    ) {
      addFieldIssue(ctx, spec, '{{apiKeySecret}} requires {{apiKeySecretKey}} (the key in the Secret)', [
        'apiKeySecretKey',
      ]);
    }
    if (spec.apiKeyPassthrough === true) {
      if (nonEmpty(spec.apiKeySecret)) {
        addFieldIssue(
          ctx,
          spec,
          '{{apiKeyPassthrough}} and {{apiKeySecret}} are mutually exclusive; set one',
        );
      }
      if (
        spec.provider === 'Gemini' ||
        spec.provider === 'GeminiVertexAI' ||
        spec.provider === 'AnthropicVertexAI'
      ) {
        addFieldIssue(ctx, spec, `{{apiKeyPassthrough}} is not supported with provider ${spec.provider}`, [
          'apiKeyPassthrough',
        ]);
      }
    }
    if (spec.openAI?.tokenExchange !== undefined) {
      if (!nonEmpty(spec.apiKeySecret)) {
        addFieldIssue(
          ctx,
          spec,
          '{{openAI}}.tokenExchange requires {{apiKeySecret}} (the service account secret)',
          ['apiKeySecret'],
        );
      }
      if (spec.apiKeyPassthrough === true) {
        addFieldIssue(
          ctx,
          spec,
          '{{openAI}}.tokenExchange and {{apiKeyPassthrough}} are mutually exclusive; set one',
        );
      }
    }
  });
export type ModelConfigSpec = z.infer<typeof modelConfigSpecSchema>;

export const modelConfigStatusSchema = z.object({
  ...conditionsStatusFields,
  /** Hash of the referenced Secret's data; a change rolls the agents that use this model. */
  secretHash: z.string().optional(),
});
export type ModelConfigStatus = z.infer<typeof modelConfigStatusSchema>;

/** kagent.dev/v1alpha2 ModelConfig. */
export const modelConfigSchema = z.object({
  apiVersion: z.literal('kagent.dev/v1alpha2'),
  kind: z.literal('ModelConfig'),
  metadata: objectMetaSchema,
  spec: modelConfigSpecSchema,
  status: modelConfigStatusSchema.optional(),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;
