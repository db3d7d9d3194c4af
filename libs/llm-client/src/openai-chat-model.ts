import type { OpenAI } from 'openai';
import type { ChatCallOptions, ChatModel, ChatRequest, ChatResult } from './chat-types.js';
import { mapSdkError } from './map-sdk-error.js';
import {
  fromOpenAiCompletion,
  OpenAiStreamAccumulator,
  toOpenAiParams,
  type OpenAiSampling,
} from './openai-translate.js';

export interface OpenAiChatModelOptions {
  /** A configured client (OpenAI, AzureOpenAI or any OpenAI-compatible base URL). */
  readonly client: OpenAI;
  readonly model: string;
  /** Label used in errors and logs, e.g. `openai`, `ollama`. */
  readonly provider: string;
  readonly sampling?: OpenAiSampling;
}

/** A model behind the OpenAI chat-completions API (OpenAI, Azure OpenAI, Ollama, Gemini, gateways). */
export class OpenAiChatModel implements ChatModel {
  readonly provider: string;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly sampling: OpenAiSampling;

  constructor(options: OpenAiChatModelOptions) {
    this.client = options.client;
    this.model = options.model;
    this.provider = options.provider;
    this.sampling = options.sampling ?? {};
  }

  async complete(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    const params = toOpenAiParams(this.model, request, this.sampling);
    const keyHeader: Record<string, string> =
      options.apiKey === undefined
        ? {}
        : this.provider === 'azure_openai'
          ? { 'api-key': options.apiKey }
          : { authorization: `Bearer ${options.apiKey}` };
    const requestOptions = { signal: options.signal ?? null, headers: { ...options.headers, ...keyHeader } };
    try {
      if (!options.stream) {
        const completion = await this.client.chat.completions.create(
          { ...params, stream: false },
          requestOptions,
        );
        return fromOpenAiCompletion(completion);
      }
      const stream = await this.client.chat.completions.create(
        { ...params, stream: true, stream_options: { include_usage: true } },
        requestOptions,
      );
      const acc = new OpenAiStreamAccumulator();
      for await (const chunk of stream) {
        const delta = acc.add(chunk);
        if (delta !== '') options.onTextDelta?.(delta);
      }
      return acc.result();
    } catch (err) {
      throw mapSdkError(err, this.provider, options.signal);
    }
  }
}
