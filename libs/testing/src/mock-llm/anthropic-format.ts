import type { NeutralReply } from './neutral-reply.js';
import { randomId } from './neutral-reply.js';
import type { FinishReason } from './script-schema.js';
import { splitText } from './split-text.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal';

/** Maps either provider's stop vocabulary to Anthropic's `stop_reason`. */
export function anthropicStopReason(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return reason;
  }
}

/** One server-sent event of a streamed Anthropic reply. */
export interface AnthropicEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

function parseInput(call: { name: string; argumentsJson: string }): unknown {
  try {
    return JSON.parse(call.argumentsJson) as unknown;
  } catch (err) {
    throw new Error(`mock-llm: arguments of tool call "${call.name}" are not valid JSON`, { cause: err });
  }
}

function usageOf(reply: NeutralReply, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: reply.usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** A buffered `message` body. */
export function anthropicMessage(reply: NeutralReply): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (reply.text !== null && (reply.text !== '' || reply.toolCalls.length === 0)) {
    content.push({ type: 'text', text: reply.text });
  }
  for (const call of reply.toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseInput(call) });
  }
  return {
    id: reply.id ?? randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content,
    stop_reason: anthropicStopReason(reply.finishReason),
    stop_sequence: null,
    usage: usageOf(reply, reply.usage.outputTokens),
  };
}

/**
 * The events of a streamed reply: `message_start`, `ping`, per content block `content_block_start`,
 * `content_block_delta` (`text_delta` / `input_json_delta` with the JSON in pieces) and
 * `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`.
 */
export function anthropicEvents(reply: NeutralReply): AnthropicEvent[] {
  const events: AnthropicEvent[] = [];
  events.push({
    event: 'message_start',
    data: {
      type: 'message_start',
      message: {
        id: reply.id ?? randomId('msg_'),
        type: 'message',
        role: 'assistant',
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageOf(reply, 1),
      },
    },
  });
  events.push({ event: 'ping', data: { type: 'ping' } });
  let index = 0;
  if (reply.text !== null && (reply.text !== '' || reply.toolCalls.length === 0)) {
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    });
    for (const piece of splitText(reply.text, reply.chunkSize)) {
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } },
      });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  for (const call of reply.toolCalls) {
    const json = JSON.stringify(parseInput(call));
    events.push({
      event: 'content_block_start',
      data: {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      },
    });
    for (const piece of splitText(json, reply.chunkSize, 2)) {
      events.push({
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        },
      });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: anthropicStopReason(reply.finishReason), stop_sequence: null },
      usage: { output_tokens: reply.usage.outputTokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}
