// A configured upstream provider: where its endpoints are and how requests to it are authenticated.
import { readFileSync } from 'node:fs';
import type { BackendAuthModel } from '@agentplane/gateway-config';
import type { PromptCaching } from '../prompt-caching.js';
import type { ProviderFormat } from '../wire.js';
import { ANTHROPIC_VERSION } from './presets.js';

export type ProviderKind = 'openai' | 'anthropic' | 'gemini' | 'vertex' | 'bedrock' | 'azure';

export type Operation = 'chat' | 'messages' | 'countTokens' | 'embeddings' | 'models' | 'responses';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ProviderTarget {
  /** Unique within the backend: used for eviction state, metrics and logs. */
  readonly name: string;
  /** Provider family, e.g. `openai` for every OpenAI-compatible preset. */
  readonly kind: ProviderKind;
  /** `gen_ai.system` label value (openai, anthropic, gcp.gemini, aws.bedrock, ...). */
  readonly system: string;
  readonly format: ProviderFormat;
  /** Fixed upstream model (overrides the request's). */
  readonly model?: string;
  /** Origin plus base path, no trailing slash. */
  readonly baseUrl: string;
  /** `baseUrl`'s origin (`https://host[:port]`), kept so requests need not parse URLs. */
  readonly origin: string;
  /** Replaces the whole path of the main operation. */
  readonly pathOverride?: string;
  readonly apiKey?: string;
  /** Forward the client's own credentials instead of `apiKey`. */
  readonly passthroughAuth: boolean;
  /**
   * The provider sets its own credentials (a key, passthrough or AWS signing); without them a
   * route's `backendAuth` applies, and only then the provider's key from the environment.
   */
  readonly ownAuth?: boolean;
  readonly region?: string;
  readonly azureApiVersion?: string;
  /** SigV4 signing credentials (Bedrock from the env, or `backendAuth.aws`). */
  readonly aws?: AwsCredentials;
  /** SigV4 service name (default `bedrock`). */
  readonly awsService?: string;
  /** Vertex: the model is an Anthropic one (rawPredict with Anthropic bodies). */
  readonly vertexAnthropic?: boolean;
  /** The provider's own `promptCaching` (an `llm:` model or its provider defaults, an `ai` provider's policy). */
  readonly promptCaching?: PromptCaching;
  readonly headers?: {
    readonly set: readonly (readonly [string, string])[];
    readonly remove: readonly string[];
  };
}

/** The native format a provider uses for a model (Vertex serves Anthropic models in Anthropic's). */
export function providerFormatFor(p: ProviderTarget, model: string): ProviderFormat {
  if (p.kind === 'vertex') return p.vertexAnthropic || model.startsWith('claude') ? 'anthropic' : 'gemini';
  return p.format;
}

/** URL of an operation for a model. */
export function endpointUrl(p: ProviderTarget, op: Operation, model: string, stream: boolean): string {
  const base = p.baseUrl;
  const main = op === 'chat' || op === 'messages';
  if (p.pathOverride && main) return p.origin + p.pathOverride;
  switch (p.kind) {
    case 'anthropic':
      return `${base}/${op === 'countTokens' ? 'messages/count_tokens' : op === 'models' ? 'models' : 'messages'}`;
    case 'gemini':
      if (op === 'models') return `${base}/models`;
      if (op === 'embeddings') return `${base}/models/${model}:embedContent`;
      if (op === 'countTokens') return `${base}/models/${model}:countTokens`;
      return `${base}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    case 'vertex': {
      if (providerFormatFor(p, model) === 'anthropic') {
        if (op === 'countTokens') return `${base}/publishers/anthropic/models/count-tokens:rawPredict`;
        return `${base}/publishers/anthropic/models/${model}:${stream ? 'streamRawPredict' : 'rawPredict'}`;
      }
      const m = `${base}/publishers/google/models/${model}`;
      if (op === 'embeddings') return `${m}:predict`;
      if (op === 'countTokens') return `${m}:countTokens`;
      return `${m}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    }
    case 'bedrock':
      return `${base}/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;
    case 'azure': {
      const path = opPath(op);
      if (p.azureApiVersion)
        return `${base}/deployments/${encodeURIComponent(model)}${path}?api-version=${p.azureApiVersion}`;
      return `${base}/v1${path}`;
    }
    default:
      return base + opPath(op);
  }
}

function opPath(op: Operation): string {
  switch (op) {
    case 'embeddings':
      return '/embeddings';
    case 'models':
      return '/models';
    case 'responses':
      return '/responses';
    default:
      return '/chat/completions';
  }
}

/** Sets the provider's auth headers. `client` is the caller's credential (for passthrough). */
export function applyAuth(
  p: ProviderTarget,
  headers: Record<string, string>,
  client: string | undefined,
): void {
  const key = p.passthroughAuth ? client : p.apiKey;
  if (p.format === 'anthropic' && p.kind !== 'vertex') headers['anthropic-version'] ??= ANTHROPIC_VERSION;
  if (!key) return;
  switch (p.kind) {
    case 'anthropic':
      headers['x-api-key'] = key;
      return;
    case 'gemini':
      headers['x-goog-api-key'] = key;
      return;
    case 'azure':
      headers['api-key'] = key;
      return;
    case 'bedrock':
      // Bedrock API keys are bearer tokens; SigV4 is applied separately when credentials are set.
      if (!p.aws) headers.authorization = `Bearer ${key}`;
      return;
    default:
      if (!p.aws) headers.authorization = `Bearer ${key}`;
  }
}

/**
 * The provider as a route's `backendAuth` leaves it: unchanged when there is none or the provider
 * sets its own credentials; else with the route's key (a `file` key read on each call, so a
 * rotated secret takes effect) or the client's own credential in place of the environment's key.
 */
export function withRouteAuth(p: ProviderTarget, auth: BackendAuthModel | undefined): ProviderTarget {
  if (!auth || p.ownAuth) return p;
  if (auth.kind === 'passthrough') return { ...p, passthroughAuth: true };
  const key = 'inline' in auth.value ? auth.value.inline : readFileSync(auth.value.file, 'utf8').trim();
  return { ...p, passthroughAuth: false, apiKey: key };
}

/** The caller's credential from its auth headers (any provider style). */
export function clientCredential(h: Record<string, string | string[] | undefined>): string | undefined {
  const auth = h.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
  for (const k of ['x-api-key', 'api-key', 'x-goog-api-key']) {
    const v = h[k];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}
