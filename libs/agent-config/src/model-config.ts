import * as z from 'zod';
import { nullishStringMap } from './nullish-array.js';

/** Fields every `model` block of kagent's `config.json` may carry. */
const baseModelFields = {
  /** The model name sent to the provider, e.g. `gpt-4o`. */
  model: z.string().min(1),
  /** Extra HTTP headers on every provider request. */
  headers: nullishStringMap(),
  /** Forward the caller's bearer token to the provider instead of a configured key. */
  api_key_passthrough: z.boolean().optional(),
  /** A CA bundle (PEM) to trust for the provider's TLS certificate. */
  tls_ca_cert_path: z.string().optional(),
  /** Trust only `tls_ca_cert_path`, not the system CAs. */
  tls_disable_system_cas: z.boolean().optional(),
  /** Skip TLS certificate verification (never in production). */
  tls_insecure_skip_verify: z.boolean().optional(),
  /** Older spelling of `tls_insecure_skip_verify`. */
  tls_disable_verify: z.boolean().optional(),
  /** Per-call timeout in seconds. */
  timeout: z.number().positive().optional(),
};

const samplingFields = {
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_tokens: z.int().positive().optional(),
};

const openAiFields = {
  ...baseModelFields,
  ...samplingFields,
  /** Provider URL; empty means the provider's public endpoint. */
  base_url: z.string().optional(),
  frequency_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  reasoning_effort: z.string().optional(),
  seed: z.int().optional(),
  n: z.int().positive().optional(),
  organization: z.string().optional(),
};

export const openAiModelSchema = z.object({ type: z.literal('openai'), ...openAiFields });

export const azureOpenAiModelSchema = z.object({
  type: z.literal('azure_openai'),
  ...openAiFields,
  azure_endpoint: z.string().optional(),
  azure_deployment: z.string().optional(),
  api_version: z.string().optional(),
});

export const anthropicModelSchema = z.object({
  type: z.literal('anthropic'),
  ...baseModelFields,
  ...samplingFields,
  base_url: z.string().optional(),
  top_k: z.int().positive().optional(),
});

export const geminiModelSchema = z.object({
  type: z.literal('gemini'),
  ...baseModelFields,
  ...samplingFields,
  base_url: z.string().optional(),
});

export const geminiVertexAiModelSchema = z.object({
  type: z.literal('gemini_vertex_ai'),
  ...baseModelFields,
  ...samplingFields,
  project: z.string().optional(),
  location: z.string().optional(),
  /** Vertex AI endpoint; default `https://<location>-aiplatform.googleapis.com`. */
  base_url: z.string().optional(),
});

export const anthropicVertexAiModelSchema = z.object({
  type: z.literal('anthropic_vertex_ai'),
  ...baseModelFields,
  ...samplingFields,
  project: z.string().optional(),
  location: z.string().optional(),
  /** Vertex AI endpoint; default `https://<location>-aiplatform.googleapis.com`. */
  base_url: z.string().optional(),
});

export const ollamaModelSchema = z.object({
  type: z.literal('ollama'),
  ...baseModelFields,
  /** Ollama server URL; default `http://localhost:11434` (or `OLLAMA_API_BASE`). */
  base_url: z.string().optional(),
  host: z.string().optional(),
  /** Ollama model options; kagent writes every value as a string. */
  options: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .nullish()
    .transform((v) => v ?? {}),
});

export const bedrockModelSchema = z.object({
  type: z.literal('bedrock'),
  ...baseModelFields,
  ...samplingFields,
  region: z.string().optional(),
  base_url: z.string().optional(),
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
