import * as z from 'zod/mini';
import { nonEmptyString, nullishStringMap } from './nullish-array.js';

const positiveNumber = () => z.optional(z.number().check(z.positive()));
const positiveInt = () => z.optional(z.int().check(z.positive()));

/** Fields every `model` block of kagent's `config.json` may carry. */
const baseModelFields = {
  /** The model name sent to the provider, e.g. `gpt-4o`. */
  model: nonEmptyString(),
  /** Extra HTTP headers on every provider request. */
  headers: nullishStringMap(),
  /** Forward the caller's bearer token to the provider instead of a configured key. */
  api_key_passthrough: z.optional(z.boolean()),
  /** A CA bundle (PEM) to trust for the provider's TLS certificate. */
  tls_ca_cert_path: z.optional(z.string()),
  /** Trust only `tls_ca_cert_path`, not the system CAs. */
  tls_disable_system_cas: z.optional(z.boolean()),
  /** Skip TLS certificate verification (never in production). */
  tls_insecure_skip_verify: z.optional(z.boolean()),
  /** Older spelling of `tls_insecure_skip_verify`. */
  tls_disable_verify: z.optional(z.boolean()),
  /** Per-call timeout in seconds. */
  timeout: positiveNumber(),
  /**
   * The model's context window in tokens. Not written by kagent; when absent, a known window
   * for the model name is used by context compaction.
   */
  context_window: positiveInt(),
};

const samplingFields = {
  temperature: z.optional(z.number()),
  top_p: z.optional(z.number()),
  max_tokens: positiveInt(),
};

const openAiFields = {
  ...baseModelFields,
  ...samplingFields,
  /** Provider URL; empty means the provider's public endpoint. */
  base_url: z.optional(z.string()),
  frequency_penalty: z.optional(z.number()),
  presence_penalty: z.optional(z.number()),
  reasoning_effort: z.optional(z.string()),
  seed: z.optional(z.int()),
  n: positiveInt(),
  organization: z.optional(z.string()),
};

export const openAiModelSchema = z.object({ type: z.literal('openai'), ...openAiFields });

export const azureOpenAiModelSchema = z.object({
  type: z.literal('azure_openai'),
  ...openAiFields,
  azure_endpoint: z.optional(z.string()),
  azure_deployment: z.optional(z.string()),
  api_version: z.optional(z.string()),
});

export const anthropicModelSchema = z.object({
  type: z.literal('anthropic'),
  ...baseModelFields,
  ...samplingFields,
  base_url: z.optional(z.string()),
  top_k: positiveInt(),
});

export const geminiModelSchema = z.object({
  type: z.literal('gemini'),
  ...baseModelFields,
  ...samplingFields,
  base_url: z.optional(z.string()),
});

export const geminiVertexAiModelSchema = z.object({
  type: z.literal('gemini_vertex_ai'),
  ...baseModelFields,
  ...samplingFields,
  project: z.optional(z.string()),
  location: z.optional(z.string()),
  /** Vertex AI endpoint; default `https://<location>-aiplatform.googleapis.com`. */
  base_url: z.optional(z.string()),
});

export const anthropicVertexAiModelSchema = z.object({
  type: z.literal('anthropic_vertex_ai'),
  ...baseModelFields,
  ...samplingFields,
  project: z.optional(z.string()),
  location: z.optional(z.string()),
  /** Vertex AI endpoint; default `https://<location>-aiplatform.googleapis.com`. */
  base_url: z.optional(z.string()),
});

export const ollamaModelSchema = z.object({
  type: z.literal('ollama'),
  ...baseModelFields,
  /** Ollama server URL; default `http://localhost:11434` (or `OLLAMA_API_BASE`). */
  base_url: z.optional(z.string()),
  host: z.optional(z.string()),
  /** Ollama model options; kagent writes every value as a string. */
  options: z.pipe(
    z.nullish(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
    z.transform((v): Record<string, string | number | boolean> => v ?? {}),
  ),
});

export const bedrockModelSchema = z.object({
  type: z.literal('bedrock'),
  ...baseModelFields,
  ...samplingFields,
  region: z.optional(z.string()),
  base_url: z.optional(z.string()),
});

export const modelConfigSchema = z.discriminatedUnion('type', [
  openAiModelSchema,
  azureOpenAiModelSchema,
  anthropicModelSchema,
  geminiModelSchema,
  geminiVertexAiModelSchema,
  anthropicVertexAiModelSchema,
  ollamaModelSchema,
  bedrockModelSchema,
]);

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ModelType = ModelConfig['type'];
export type OpenAiModelConfig = z.output<typeof openAiModelSchema>;
export type AzureOpenAiModelConfig = z.output<typeof azureOpenAiModelSchema>;
export type AnthropicModelConfig = z.output<typeof anthropicModelSchema>;
export type OllamaModelConfig = z.output<typeof ollamaModelSchema>;
