import type { ModelProvider } from '@agentplane/crds/kagent';
import { DiscoveryError } from './errors.js';

export interface ListModelsOptions {
  provider: ModelProvider;
  /** Provider base URL; the provider's public endpoint when absent. */
  endpoint?: string;
  apiKey?: string;
  signal: AbortSignal;
  /** Follow pagination up to this many pages. Default 20. */
  maxPages?: number;
  fetch?: typeof fetch;
}

const DEFAULT_ENDPOINTS: Partial<Record<ModelProvider, string>> = {
  OpenAI: 'https://api.openai.com/v1',
  Anthropic: 'https://api.anthropic.com',
  Ollama: 'http://localhost:11434',
  Gemini: 'https://generativelanguage.googleapis.com',
};

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

/** `<base>/v1/models` unless the base already ends with a version segment (`/v1`, `/openai/v1`). */
function openAiModelsUrl(base: string): string {
  return /\/v\d+[a-z0-9]*$/.test(base) ? `${base}/models` : `${base}/v1/models`;
}

/**
 * Lists the model ids a provider serves: `GET /v1/models` for OpenAI-compatible endpoints
 * (OpenAI, Azure OpenAI, anything OpenAI-shaped), Anthropic's models list (paged with
 * `after_id`), Ollama's `/api/tags`, Gemini's `/v1beta/models`. Sorted, without duplicates.
 */
export async function listProviderModels(options: ListModelsOptions): Promise<string[]> {
  const doFetch = options.fetch ?? fetch;
  const base = trimSlash(options.endpoint ?? DEFAULT_ENDPOINTS[options.provider] ?? '');
  if (!base) {
    throw new DiscoveryError('UNSUPPORTED', `set spec.endpoint: ${options.provider} has no default endpoint`);
  }
  const get = async (url: string, headers: Record<string, string>): Promise<Record<string, unknown>> => {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { accept: 'application/json', ...headers },
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal.aborted) throw new DiscoveryError('ABORTED', 'discovery aborted', { cause: err });
      throw new DiscoveryError('CONNECT_FAILED', `cannot reach ${new URL(url).origin}`, { cause: err });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DiscoveryError('HTTP_ERROR', `GET ${new URL(url).pathname} answered ${response.status}`);
    }
    const body: unknown = await response.json().catch((err: unknown) => {
      throw new DiscoveryError('PROTOCOL_ERROR', 'the models list is not JSON', { cause: err });
    });
    if (typeof body !== 'object' || body === null)
      throw new DiscoveryError('PROTOCOL_ERROR', 'the models list is not an object');
    return body as Record<string, unknown>;
  };
  const ids = new Set<string>();
  const collect = (items: unknown, field: string): void => {
    if (!Array.isArray(items))
      throw new DiscoveryError('PROTOCOL_ERROR', `the models list has no ${field} array`);
    for (const item of items) {
      const id = (item as Record<string, unknown> | null)?.[field === 'models' ? 'name' : 'id'];
      if (typeof id === 'string' && id) ids.add(id);
    }
  };
  const key = options.apiKey ?? '';
  switch (options.provider) {
    case 'Anthropic': {
      let after: string | undefined;
      for (let page = 0; page < (options.maxPages ?? 20); page++) {
        const url = `${base}/v1/models?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
        const body = await get(url, {
          'anthropic-version': '2023-06-01',
          ...(key ? { 'x-api-key': key } : {}),
        });
        collect(body['data'], 'data');
        const last = body['last_id'];
        if (body['has_more'] !== true || typeof last !== 'string') break;
        after = last;
      }
      break;
    }
    case 'Ollama':
      collect((await get(`${base}/api/tags`, {}))['models'], 'models');
      break;
    case 'Gemini': {
      const body = await get(`${base}/v1beta/models`, key ? { 'x-goog-api-key': key } : {});
      collect(body['models'], 'models');
      break;
    }
    case 'OpenAI':
    case 'AzureOpenAI': {
      const headers: Record<string, string> = key
        ? options.provider === 'AzureOpenAI'
          ? { 'api-key': key }
          : { authorization: `Bearer ${key}` }
        : {};
      collect((await get(openAiModelsUrl(base), headers))['data'], 'data');
      break;
    }
    default:
      throw new DiscoveryError('UNSUPPORTED', `model discovery is not supported for ${options.provider}`);
  }
  return [...ids].map((id) => id.replace(/^models\//, '')).sort();
}
