import type { AccessTokenProvider } from './vertex.js';

/** The `anthropic_version` Vertex AI wants in the body of Anthropic models. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export interface AnthropicVertexFetchOptions {
  /** `model` → its Vertex URL without the method. */
  readonly modelUrl: (model: string) => string;
  readonly accessToken: AccessTokenProvider;
  /** The key the client was built with; any other `x-api-key` is a caller's token (passthrough). */
  readonly placeholderKey: string;
  readonly fetch: typeof fetch;
}

/**
 * A `fetch` for the Anthropic client that turns its Messages API calls into Vertex AI calls:
 * `POST .../publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict` when streaming),
 * the model moved from the body to the URL, `anthropic_version` in the body, and a Google
 * bearer token instead of `x-api-key`. The replies are the Messages API's, so the client reads
 * them as usual.
 */
export function anthropicVertexFetch(options: AnthropicVertexFetchOptions): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!url.pathname.endsWith('/v1/messages') || typeof init?.body !== 'string') {
      return options.fetch(input, init);
    }
    const body = JSON.parse(init.body) as Record<string, unknown>;
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    delete body['model'];
    body['anthropic_version'] = VERTEX_ANTHROPIC_VERSION;
    const headers = new Headers(init.headers);
    const passed = headers.get('x-api-key');
    headers.delete('x-api-key');
    headers.delete('anthropic-version');
    const token = passed && passed !== options.placeholderKey ? passed : await options.accessToken();
    headers.set('authorization', `Bearer ${token}`);
    const method = body['stream'] === true ? 'streamRawPredict' : 'rawPredict';
    return options.fetch(`${options.modelUrl(model)}:${method}`, {
      ...init,
      headers,
      body: JSON.stringify(body),
    });
  };
}
