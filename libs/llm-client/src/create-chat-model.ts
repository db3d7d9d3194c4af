import type { ModelConfig } from '@agentplane/agent-config';
import { AnthropicChatModel } from './anthropic-chat-model.js';
import type { ChatCallOptions, ChatModel, ChatRequest, ChatResult } from './chat-types.js';
import { LlmError } from './llm-error.js';
import { OpenAiChatModel } from './openai-chat-model.js';
import type { OpenAiSampling } from './openai-translate.js';
import { createTlsFetch, hasTlsOptions } from './tls-fetch.js';
import {
  applicationDefaultCredentials,
  vertexBaseUrl,
  vertexModelUrl,
  type AccessTokenProvider,
} from './vertex.js';

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
  /** SigV4 credentials for Bedrock. */
  readonly awsAccessKeyId?: string;
  readonly awsSecretAccessKey?: string;
  readonly awsSessionToken?: string;
  /** Vertex AI project and location when the model config names none. */
  readonly googleCloudProject?: string;
  readonly googleCloudLocation?: string;
}

export interface CreateChatModelOptions {
  readonly credentials?: ProviderCredentials;
  /** Per-call timeout, unless the model config sets `timeout` (seconds). Default 120 s. */
  readonly timeoutMs?: number;
  /** Retries on 408/409/429/5xx and connection errors, with exponential backoff. Default 2. */
  readonly maxRetries?: number;
  /** A `fetch` to use (tests, proxies); TLS settings of the config take precedence. */
  readonly fetch?: typeof fetch;
  /** Google access tokens for Vertex AI; default: Application Default Credentials. */
  readonly googleAccessToken?: AccessTokenProvider;
  /** Load the provider's SDK now instead of on the first call. */
  readonly eager?: boolean;
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

/** Configuration problems found before any provider code is loaded. */
function checkModelConfig(config: ModelConfig, creds: ProviderCredentials): void {
  if (config.type === 'azure_openai') {
    const endpoint =
      nonEmpty(config.azure_endpoint) ?? nonEmpty(config.base_url) ?? creds.azureOpenAiEndpoint;
    if (!endpoint)
      throw new LlmError('LLM_UNSUPPORTED', 'azure_openai needs azure_endpoint or AZURE_OPENAI_ENDPOINT');
  }
  if (config.type === 'bedrock') {
    const keys = Boolean(creds.awsAccessKeyId && creds.awsSecretAccessKey);
    if (!keys && !creds.bedrockBearerToken && !config.api_key_passthrough) {
      throw new LlmError(
        'LLM_UNSUPPORTED',
        'bedrock needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK',
      );
    }
  }
  if (
    (config.type === 'gemini_vertex_ai' || config.type === 'anthropic_vertex_ai') &&
    !(nonEmpty(config.project) ?? creds.googleCloudProject)
  ) {
    throw new LlmError('LLM_UNSUPPORTED', `${config.type} needs model.project or GOOGLE_CLOUD_PROJECT`);
  }
}

/** A model whose provider client is built (and its SDK loaded) on the first call. */
class LazyChatModel implements ChatModel {
  private built: Promise<ChatModel> | undefined;
  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly build: () => Promise<ChatModel>,
  ) {}

  async complete(request: ChatRequest, options?: ChatCallOptions): Promise<ChatResult> {
    this.built ??= this.build().catch((err: unknown) => {
      this.built = undefined;
      throw err;
    });
    return (await this.built).complete(request, options);
  }
}

/**
 * Builds the chat model a `config.json` `model` block describes. Configuration problems are
 * reported here; the provider's SDK (each weighs megabytes of resident memory) is loaded on the
 * first call, or now with `eager`, and only the configured provider's.
 */
export async function createChatModel(
  config: ModelConfig,
  options: CreateChatModelOptions = {},
): Promise<ChatModel> {
  const creds = options.credentials ?? {};
  checkModelConfig(config, creds);
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
  const build = (): Promise<ChatModel> => buildChatModel(config, options, creds, fetchImpl, common);
  return options.eager ? build() : new LazyChatModel(config.type, config.model, build);
}

interface CommonClientOptions {
  readonly timeout: number;
  readonly maxRetries: number;
  readonly defaultHeaders: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
}

async function buildChatModel(
  config: ModelConfig,
  options: CreateChatModelOptions,
  creds: ProviderCredentials,
  fetchImpl: typeof fetch | undefined,
  common: CommonClientOptions,
): Promise<ChatModel> {
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
        nonEmpty(config.azure_endpoint) ?? nonEmpty(config.base_url) ?? creds.azureOpenAiEndpoint ?? '';
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
      const { BedrockChatModel } = await import('./bedrock-chat-model.js');
      const keys =
        creds.awsAccessKeyId && creds.awsSecretAccessKey
          ? {
              accessKeyId: creds.awsAccessKeyId,
              secretAccessKey: creds.awsSecretAccessKey,
              ...(creds.awsSessionToken ? { sessionToken: creds.awsSessionToken } : {}),
            }
          : undefined;
      return new BedrockChatModel({
        model: config.model,
        region: nonEmpty(config.region) ?? creds.awsRegion ?? 'us-east-1',
        ...(nonEmpty(config.base_url) ? { baseUrl: config.base_url } : {}),
        ...(keys ? { credentials: keys } : {}),
        ...(creds.bedrockBearerToken ? { bearerToken: creds.bedrockBearerToken } : {}),
        headers: config.headers,
        sampling: { temperature: config.temperature, topP: config.top_p, maxTokens: config.max_tokens },
        timeoutMs: common.timeout,
        maxRetries: common.maxRetries,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
    }
    case 'gemini_vertex_ai':
    case 'anthropic_vertex_ai': {
      const project = nonEmpty(config.project) ?? creds.googleCloudProject ?? '';
      const location = nonEmpty(config.location) ?? creds.googleCloudLocation ?? 'us-central1';
      const base = nonEmpty(config.base_url) ?? vertexBaseUrl(location);
      const accessToken = options.googleAccessToken ?? applicationDefaultCredentials();
      const sampling = { temperature: config.temperature, topP: config.top_p, maxTokens: config.max_tokens };
      if (config.type === 'gemini_vertex_ai') {
        const { VertexGeminiChatModel } = await import('./vertex-gemini-chat-model.js');
        return new VertexGeminiChatModel({
          model: config.model,
          modelUrl: vertexModelUrl(base, project, location, 'google', config.model),
          accessToken,
          headers: config.headers,
          sampling,
          timeoutMs: common.timeout,
          maxRetries: common.maxRetries,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
      }
      const [{ Anthropic }, { anthropicVertexFetch }] = await Promise.all([
        import('@anthropic-ai/sdk'),
        import('./anthropic-vertex-fetch.js'),
      ]);
      const client = new Anthropic({
        ...common,
        apiKey: NO_KEY,
        // Only the path matters: the fetch below rewrites it to the model's Vertex URL.
        baseURL: base,
        fetch: anthropicVertexFetch({
          modelUrl: (model) => vertexModelUrl(base, project, location, 'anthropic', model),
          accessToken,
          placeholderKey: NO_KEY,
          fetch: fetchImpl ?? fetch,
        }),
      });
      return new AnthropicChatModel({
        client,
        model: config.model,
        sampling,
        provider: 'anthropic_vertex_ai',
      });
    }
  }
}
