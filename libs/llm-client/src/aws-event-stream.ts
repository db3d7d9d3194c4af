import { EventStreamCodec } from '@smithy/core/event-streams';
import { LlmError } from './llm-error.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);
const fromUtf8 = (text: string): Uint8Array => encoder.encode(text);

/** One decoded event of an AWS event stream (`application/vnd.amazon.eventstream`). */
export interface AwsStreamEvent {
  /** `event`, `exception` or `error` (`:message-type`). */
  readonly messageType: string;
  /** `:event-type`, or `:exception-type` / `:error-code` for failures. */
  readonly type: string;
  /** The JSON payload. */
  readonly payload: unknown;
}

function header(headers: Record<string, { type: string; value: unknown }>, name: string): string {
  const h = headers[name];
  return h && typeof h.value === 'string' ? h.value : '';
}

/**
 * Splits an AWS event-stream body into messages (each frame: 4-byte total length, 4-byte header
 * length, prelude CRC, headers, payload, message CRC) and decodes them with Smithy's codec,
 * which checks both checksums.
 */
export async function* readAwsEventStream(
  body: AsyncIterable<Uint8Array>,
  provider: string,
): AsyncGenerator<AwsStreamEvent> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let buffer = new Uint8Array(0);
  for await (const chunk of body) {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    while (buffer.length >= 4) {
      const total = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, false);
      if (total < 16) throw new LlmError('LLM_BAD_RESPONSE', `${provider} sent a malformed event frame`);
      if (buffer.length < total) break;
      let message;
      try {
        message = codec.decode(buffer.subarray(0, total));
      } catch (err) {
        throw new LlmError('LLM_BAD_RESPONSE', `${provider} sent a corrupt event frame`, undefined, {
          cause: err,
        });
      }
      buffer = buffer.slice(total);
      const headers = message.headers as Record<string, { type: string; value: unknown }>;
      const messageType = header(headers, ':message-type') || 'event';
      const type =
        header(headers, ':event-type') ||
        header(headers, ':exception-type') ||
        header(headers, ':error-code');
      const text = toUtf8(message.body);
      let payload: unknown = {};
      if (text !== '') {
        try {
          payload = JSON.parse(text) as unknown;
        } catch {
          payload = { message: text };
        }
      }
      yield { messageType, type, payload };
    }
  }
  if (buffer.length > 0)
    throw new LlmError('LLM_BAD_RESPONSE', `${provider} stream ended inside an event frame`);
}

/** Encodes one event-stream message (for fixtures and test servers). */
export function encodeAwsEvent(
  type: string,
  payload: unknown,
  messageType: 'event' | 'exception' = 'event',
): Uint8Array {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: messageType },
      [messageType === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
