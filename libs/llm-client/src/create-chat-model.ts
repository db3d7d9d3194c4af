import type { ModelConfig } from '@agentplane/agent-config';
import { AnthropicChatModel } from './anthropic-chat-model.js';
import type { ChatModel } from './chat-types.js';
import { LlmError } from './llm-error.js';
import { OpenAiChatModel } from './openai-chat-model.js';
import type { OpenAiSampling } from './openai-translate.js';
import { createTlsFetch, hasTlsOptions } from './tls-fetch.js';

/** Keys and endpoints the app read from its environment. */
export interface ProviderCredentials {
  readonly openaiApiKey?: string;
  readonly anthropicApiKey?: string;
  readonly azureOpenAiApiKey?: string;
  readonly azureOpenAiEndpoint?: string;
  readonly azureOpenAiApiVersion?: string;
  readonly googleApiKey?: string;
  readonly ollamaBaseUrl?: string;
  readonly bedrockBearerToken?: string;
  readonly awsRegion?: string;
}

export interface CreateChatModelOptions {
  readonly credentials?: ProviderCredentials;
  /** Per-call timeout, unless the model config sets `timeout` (seconds). Default 120 s. */
  readonly timeoutMs?: number;
  /** Retries on 408/409/429/5xx and connection errors, with exponential backoff. Default 2. */
  readonly maxRetries?: number;
  /** A `fetch` to use (tests, proxies); TLS settings of the config take precedence. */
  readonly fetch?: typeof fetch;
}

export const DEFAULT_LLM_TIMEOUT_MS = 120_000;
export const DEFAULT_LLM_MAX_RETRIES = 2;
const GEMINI_OPENAI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai/';
const DEFAULT_OLLAMA_URL = 'http://localhost:11434';
/** The SDKs insist on a key; a keyless endpoint (a gateway, Ollama) gets this and ignores it. */
const NO_KEY = 'unset';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function numberOption(value: string | number | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Builds the chat model a `config.json` `model` block describes. Only the SDK of the configured
 * provider is loaded (each weighs tens of megabytes of resident memory).
 */
export async function createChatModel(
  config: ModelConfig,
  options: CreateChatModelOptions = {},
): Promise<ChatModel> {
  const creds = options.credentials ?? {};
  const tls = {
    caCertPath: nonEmpty(config.tls_ca_cert_path),
    disableSystemCas: config.tls_disable_system_cas,
    insecureSkipVerify: config.tls_insecure_skip_verify ?? config.tls_disable_verify,
  };
  const fetchImpl = hasTlsOptions(tls) ? await createTlsFetch(tls) : options.fetch;
  const common = {
    timeout:
      config.timeout !== undefined ? config.timeout * 1000 : (options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS),
    maxRetries: options.maxRetries ?? DEFAULT_LLM_MAX_RETRIES,
    defaultHeaders: config.headers,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };

  switch (config.type) {
    case 'openai':
    case 'azure_openai': {
      const sampling: OpenAiSampling = {
        temperature: config.temperature,
        topP: config.top_p,
        maxTokens: config.max_tokens,
        frequencyPenalty: config.frequency_penalty,
        presencePenalty: config.presence_penalty,
        seed: config.seed,
        reasoningEffort: nonEmpty(config.reasoning_effort),
      };
      const { AzureOpenAI, OpenAI } = await import('openai');
      if (config.type === 'openai') {
        const client = new OpenAI({
          ...common,
          apiKey: creds.openaiApiKey ?? NO_KEY,
          baseURL: nonEmpty(config.base_url) ?? 'https://api.openai.com/v1',
          organization: nonEmpty(config.organization) ?? null,
          project: null,
        });
        return new OpenAiChatModel({ client, model: config.model, provider: 'openai', sampling });
      }
      const endpoint =
        nonEmpty(config.azure_endpoint) ?? nonEmpty(config.base_url) ?? creds.azureOpenAiEndpoint;
      if (!endpoint)
        throw new LlmError('LLM_UNSUPPORTED', 'azure_openai needs azure_endpoint or AZURE_OPENAI_ENDPOINT');
      const client = new AzureOpenAI({
        ...common,
        apiKey: creds.azureOpenAiApiKey ?? NO_KEY,
        endpoint,
        deployment: nonEmpty(config.azure_deployment) ?? config.model,
        apiVersion: nonEmpty(config.api_version) ?? creds.azureOpenAiApiVersion ?? '2024-10-21',
      });
      return new OpenAiChatModel({ client, model: config.model, provider: 'azure_openai', sampling });
    }
    case 'anthropic': {
      const { Anthropic } = await import('@anthropic-ai/sdk');
      const client = new Anthropic({
        ...common,
        apiKey: creds.anthropicApiKey ?? NO_KEY,
        baseURL: nonEmpty(config.base_url) ?? 'https://api.anthropic.com',
      });
      return new AnthropicChatModel({
        client,
        model: config.model,
        sampling: {
          temperature: config.temperature,
          topP: config.top_p,
          topK: config.top_k,
          maxTokens: config.max_tokens,
        },
      });
    }
    case 'ollama': {
      const host =
        nonEmpty(config.base_url) ?? nonEmpty(config.host) ?? creds.ollamaBaseUrl ?? DEFAULT_OLLAMA_URL;
      const { OpenAI } = await import('openai');
      const client = new OpenAI({ ...common, apiKey: NO_KEY, baseURL: `${host.replace(/\/+$/, '')}/v1` });
      return new OpenAiChatModel({
        client,
        model: config.model,
        provider: 'ollama',
        sampling: {
          temperature: numberOption(config.options['temperature']),
          topP: numberOption(config.options['top_p']),
          maxTokens: numberOption(config.options['num_predict']),
          seed: numberOption(config.options['seed']),
        },
      });
    }
    case 'gemini': {
      const { OpenAI } = await import('openai');
      const client = new OpenAI({
        ...common,
        apiKey: creds.googleApiKey ?? NO_KEY,
        baseURL: nonEmpty(config.base_url) ?? GEMINI_OPENAI_BASE_URL,
      });
      return new OpenAiChatModel({
        client,
        model: config.model,
        provider: 'gemini',
        sampling: { temperature: config.temperature, topP: config.top_p, maxTokens: config.max_tokens },
      });
    }
    case 'bedrock': {
      const { BedrockOpenAI } = await import('openai/bedrock');
      const client = new BedrockOpenAI({
        ...common,
        apiKey: creds.bedrockBearerToken ?? NO_KEY,
        ...(nonEmpty(config.base_url) ? { baseURL: config.base_url } : {}),
        awsRegion: nonEmpty(config.region) ?? creds.awsRegion ?? 'us-east-1',
      });
      return new OpenAiChatModel({
        client,
        model: config.model,
        provider: 'bedrock',
        sampling: { temperature: config.temperature, topP: config.top_p, maxTokens: config.max_tokens },
      });
    }
    case 'gemini_vertex_ai':
    case 'anthropic_vertex_ai':
      throw new LlmError('LLM_UNSUPPORTED', `model type ${config.type} is not supported yet`);
  }
}
