import type { Anthropic } from '@anthropic-ai/sdk';
import {
  AnthropicStreamAccumulator,
  fromAnthropicMessage,
  toAnthropicParams,
  type AnthropicSampling,
} from './anthropic-translate.js';
import type { ChatCallOptions, ChatModel, ChatRequest, ChatResult } from './chat-types.js';
import { mapSdkError } from './map-sdk-error.js';

export interface AnthropicChatModelOptions {
  readonly client: Anthropic;
  readonly model: string;
  readonly sampling?: AnthropicSampling;
  /** Label used in errors and logs. Default `anthropic`. */
  readonly provider?: string;
}

/** A model behind the Anthropic Messages API. */
export class AnthropicChatModel implements ChatModel {
  readonly provider: string;
  readonly model: string;
  private readonly client: Anthropic;
  private readonly sampling: AnthropicSampling;

  constructor(options: AnthropicChatModelOptions) {
    this.client = options.client;
    this.model = options.model;
    this.sampling = options.sampling ?? {};
    this.provider = options.provider ?? 'anthropic';
  }

  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    const params = toAnthropicParams(this.model, request, this.sampling);
    const headers =
      options.apiKey === undefined ? options.headers : { ...options.headers, 'x-api-key': options.apiKey };
    const requestOptions = { signal: options.signal ?? null, headers };
    try {
      if (!options.stream) {
        const message = await this.client.messages.create({ ...params, stream: false }, requestOptions);
        return fromAnthropicMessage(message);
      }
      const stream = await this.client.messages.create({ ...params, stream: true }, requestOptions);
      const acc = new AnthropicStreamAccumulator();
      for await (const event of stream) {
        const delta = acc.add(event);
        if (delta !== '') options.onTextDelta?.(delta);
      }
      return acc.result();
    } catch (err) {
      throw mapSdkError(err, this.provider, options.signal);
    }
  }
}
