import type { ChatCallOptions, ChatModel, ChatRequest, ChatResult } from './chat-types.js';
import { GeminiAccumulator, toGenerateContentBody, type GeminiSampling } from './gemini-translate.js';
import { LlmError } from './llm-error.js';
import { providerFetch, readJson, readSseData, timeoutOrAbort } from './provider-fetch.js';
import type { AccessTokenProvider } from './vertex.js';

export interface VertexGeminiChatModelOptions {
  readonly model: string;
  /** The model's URL without the method: `.../publishers/google/models/{model}`. */
  readonly modelUrl: string;
  readonly accessToken: AccessTokenProvider;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sampling?: GeminiSampling;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly fetch?: typeof fetch;
}

/** Gemini on Vertex AI: `generateContent`, and `streamGenerateContent?alt=sse` when streaming. */
export class VertexGeminiChatModel implements ChatModel {
  readonly provider = 'gemini_vertex_ai';
  readonly model: string;
  private readonly options: VertexGeminiChatModelOptions;

  constructor(options: VertexGeminiChatModelOptions) {
    this.options = options;
    this.model = options.model;
  }

  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    const stream = options.stream === true;
    const body = JSON.stringify(toGenerateContentBody(request, this.options.sampling ?? {}));
    const url = `${this.options.modelUrl}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    const res = await providerFetch({
      provider: this.provider,
      fetch: this.options.fetch ?? fetch,
      timeoutMs: this.options.timeoutMs,
      maxRetries: this.options.maxRetries,
      signal: options.signal,
      request: async () => ({
        url,
        init: {
          method: 'POST',
          headers: {
            ...this.options.headers,
            ...options.headers,
            'content-type': 'application/json',
            authorization: `Bearer ${options.apiKey ?? (await this.options.accessToken())}`,
          },
          body,
        },
      }),
    });
    const acc = new GeminiAccumulator();
    if (!stream) {
      acc.add(await readJson(this.provider, res));
      return acc.result();
    }
    try {
      if (!res.response.body) throw new LlmError('LLM_BAD_RESPONSE', 'gemini_vertex_ai sent no stream');
      for await (const data of readSseData(res.response.body)) {
        let json: unknown;
        try {
          json = JSON.parse(data) as unknown;
        } catch (err) {
          throw new LlmError(
            'LLM_BAD_RESPONSE',
            'gemini_vertex_ai sent an event that is not JSON',
            undefined,
            {
              cause: err,
            },
          );
        }
        const error = (json as { error?: { message?: unknown; code?: unknown } }).error;
        if (error) {
          throw new LlmError(
            'LLM_HTTP_ERROR',
            `gemini_vertex_ai stream failed: ${typeof error.message === 'string' ? error.message : 'error'}`,
            typeof error.code === 'number' ? error.code : 500,
          );
        }
        const delta = acc.add(json);
        if (delta !== '') options.onTextDelta?.(delta);
      }
    } catch (err) {
      if (err instanceof LlmError) throw err;
      if (res.signal.aborted) throw timeoutOrAbort(this.provider, err, options.signal);
      throw new LlmError(
        'LLM_CONNECTION',
        `gemini_vertex_ai stream broke: ${(err as Error).message}`,
        undefined,
        {
          cause: err,
        },
      );
    } finally {
      res.done();
    }
    return acc.result();
  }
}
