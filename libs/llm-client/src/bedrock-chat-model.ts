import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { readAwsEventStream } from './aws-event-stream.js';
import {
  ConverseStreamAccumulator,
  fromConverseResponse,
  toConverseBody,
  type BedrockSampling,
} from './bedrock-translate.js';
import type { ChatCallOptions, ChatModel, ChatRequest, ChatResult } from './chat-types.js';
import { LlmError } from './llm-error.js';
import { providerFetch, readJson, timeoutOrAbort } from './provider-fetch.js';

/** AWS credentials for SigV4 (from the app's environment). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface BedrockChatModelOptions {
  readonly model: string;
  readonly region: string;
  /** Default `https://bedrock-runtime.<region>.amazonaws.com`. */
  readonly baseUrl?: string;
  /** Signs requests with SigV4 (service `bedrock`). */
  readonly credentials?: AwsCredentials;
  /** A Bedrock API key, sent as a bearer token instead of signing. */
  readonly bearerToken?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sampling?: BedrockSampling;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly fetch?: typeof fetch;
}

/** A model behind Amazon Bedrock's Converse API (buffered) and ConverseStream (AWS event stream). */
export class BedrockChatModel implements ChatModel {
  readonly provider = 'bedrock';
  readonly model: string;
  private readonly options: BedrockChatModelOptions;
  private readonly signer: SignatureV4 | undefined;
  private readonly baseUrl: string;

  constructor(options: BedrockChatModelOptions) {
    this.options = options;
    this.model = options.model;
    this.baseUrl = (options.baseUrl ?? `https://bedrock-runtime.${options.region}.amazonaws.com`).replace(
      /\/+$/,
      '',
    );
    this.signer = options.credentials
      ? new SignatureV4({
          credentials: options.credentials,
          region: options.region,
          service: 'bedrock',
          sha256: Sha256,
        })
      : undefined;
  }

  private async request(
    stream: boolean,
    body: string,
    apiKey: string | undefined,
    extra: Readonly<Record<string, string>> | undefined,
  ): Promise<{ url: string; init: RequestInit }> {
    const url = new URL(
      `${this.baseUrl}/model/${encodeURIComponent(this.model)}/${stream ? 'converse-stream' : 'converse'}`,
    );
    const headers: Record<string, string> = {
      ...this.options.headers,
      ...extra,
      'content-type': 'application/json',
      accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
    };
    const bearer = apiKey ?? this.options.bearerToken;
    if (bearer !== undefined) {
      headers['authorization'] = `Bearer ${bearer}`;
      return { url: url.href, init: { method: 'POST', headers, body } };
    }
    if (!this.signer)
      throw new LlmError('LLM_UNSUPPORTED', 'bedrock needs AWS credentials or a bearer token');
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    });
    // `host` is set by fetch itself from the URL (the signed value is the same).
    const { host: _host, ...sent } = signed.headers;
    return { url: url.href, init: { method: 'POST', headers: sent, body } };
  }

  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    const stream = options.stream === true;
    const body = JSON.stringify(toConverseBody(request, this.options.sampling ?? {}));
    const res = await providerFetch({
      provider: this.provider,
      fetch: this.options.fetch ?? fetch,
      timeoutMs: this.options.timeoutMs,
      maxRetries: this.options.maxRetries,
      signal: options.signal,
      request: () => this.request(stream, body, options.apiKey, options.headers),
    });
    if (!stream) return fromConverseResponse(await readJson(this.provider, res));
    const acc = new ConverseStreamAccumulator();
    try {
      if (!res.response.body) throw new LlmError('LLM_BAD_RESPONSE', 'bedrock sent no stream');
      for await (const event of readAwsEventStream(res.response.body, this.provider)) {
        if (event.messageType !== 'event') {
          const message = (event.payload as { message?: unknown }).message;
          throw new LlmError(
            'LLM_HTTP_ERROR',
            `bedrock stream failed: ${event.type}${typeof message === 'string' ? `: ${message}` : ''}`,
            event.type === 'throttlingException' ? 429 : 500,
          );
        }
        const delta = acc.add(event.type, event.payload);
        if (delta !== '') options.onTextDelta?.(delta);
      }
    } catch (err) {
      if (err instanceof LlmError) throw err;
      if (res.signal.aborted) throw timeoutOrAbort(this.provider, err, options.signal);
      throw new LlmError('LLM_CONNECTION', `bedrock stream broke: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    } finally {
      res.done();
    }
    return acc.result();
  }
}
