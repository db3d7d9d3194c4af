// OpenAI chat chunks as the stream hub: decoding a provider's OpenAI stream, encoding for a client.
import type { ChatChunk, JsonObject } from '../wire.js';
import { isObject, str } from '../wire.js';
import { sseData, type SseEvent } from '../sse.js';
import type { HubItem, StreamDecoder, StreamEncoder } from './anthropic.js';

export class OpenAiStreamDecoder implements StreamDecoder {
  push(ev: SseEvent): HubItem[] {
    if (ev.data === '[DONE]') return [{ kind: 'done' }];
    let d: JsonObject;
    try {
      d = JSON.parse(ev.data) as JsonObject;
    } catch {
      return [];
    }
    if (isObject(d.error)) {
      const e = d.error;
      return [
        {
          kind: 'error',
          status: 500,
          message: str(e.message, 'upstream error'),
          ...(typeof e.type === 'string' ? { type: e.type } : {}),
        },
      ];
    }
    if (!Array.isArray(d.choices)) return [];
    return [{ kind: 'chunk', chunk: d as unknown as ChatChunk }];
  }
}

/**
 * Chunks -> OpenAI SSE. `includeUsage: false` drops the usage-only chunk the gateway asked for on
 * the client's behalf (for accounting) and the `usage: null` fields it implies.
 */
export class OpenAiStreamEncoder implements StreamEncoder {
  private ended = false;
  constructor(private readonly includeUsage: boolean) {}

  push(c: ChatChunk): string {
    if (this.ended) return '';
    if (!this.includeUsage) {
      if (c.choices.length === 0) return '';
      if ('usage' in c) {
        const { usage: _u, ...rest } = c;
        return sseData(JSON.stringify(rest));
      }
    }
    return sseData(JSON.stringify(c));
  }

  end(): string {
    if (this.ended) return '';
    this.ended = true;
    return sseData('[DONE]');
  }
}
