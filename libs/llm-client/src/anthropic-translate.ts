import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { ChatRequest, ChatResult, FinishReason, ToolCall } from './chat-types.js';
import { parseToolArguments } from './parse-tool-arguments.js';

export interface AnthropicSampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  /** Required by the Messages API; default 4096. */
  readonly maxTokens?: number;
}

export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * Builds a Messages API body (without `stream`). Consecutive tool results become one user
 * message of `tool_result` blocks, as the API requires.
 */
/**
 * The Messages API body. The SDK's types no longer list the sampling fields, but the API still
 * takes them, and kagent configs set them; they go on the wire as they are.
 */
export type AnthropicParams = MessageCreateParamsBase & {
  temperature?: number;
  top_p?: number;
  top_k?: number;
};

export function toAnthropicParams(
  model: string,
  request: ChatRequest,
  sampling: AnthropicSampling,
): AnthropicParams {
  const messages: MessageParam[] = [];
  let pendingResults: ContentBlockParam[] = [];
  const flushResults = (): void => {
    if (pendingResults.length > 0) messages.push({ role: 'user', content: pendingResults });
    pendingResults = [];
  };
  for (const m of request.messages) {
    if (m.role === 'tool') {
      pendingResults.push({
        type: 'tool_result',
        tool_use_id: m.toolCallId,
        content: m.content,
        ...(m.isError ? { is_error: true } : {}),
      });
      continue;
    }
    flushResults();
    if (m.role === 'user') messages.push({ role: 'user', content: m.content });
    else {
      const blocks: ContentBlockParam[] = [];
      if (m.content !== '') blocks.push({ type: 'text', text: m.content });
      for (const c of m.toolCalls)
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
      messages.push({ role: 'assistant', content: blocks.length > 0 ? blocks : '' });
    }
  }
  flushResults();
  const tools: Tool[] = request.tools.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: { type: 'object', ...t.parameters },
  }));
  const params: AnthropicParams = {
    model,
    messages,
    max_tokens: sampling.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
  };
  if (request.system !== '') params.system = request.system;
  if (tools.length > 0) params.tools = tools;
  if (sampling.temperature !== undefined) params.temperature = sampling.temperature;
  if (sampling.topP !== undefined) params.top_p = sampling.topP;
  if (sampling.topK !== undefined) params.top_k = sampling.topK;
  return params;
}

function finishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

/** Reads a buffered Messages API reply. */
export function fromAnthropicMessage(message: Message): ChatResult {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      const input = block.input;
      toolCalls.push({
        id: block.id,
        name: block.name,
        arguments: input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {},
      });
    }
  }
  return {
    text,
    toolCalls,
    finishReason: finishReason(message.stop_reason),
    usage: { inputTokens: message.usage.input_tokens ?? 0, outputTokens: message.usage.output_tokens },
  };
}

/** Folds Messages API stream events into one result (`input_json_delta` pieces per block index). */
export class AnthropicStreamAccumulator {
  private text = '';
  private readonly blocks = new Map<number, { id: string; name: string; json: string }>();
  private reason: string | null | undefined;
  private inputTokens = 0;
  private outputTokens = 0;

  /** Adds one event; returns the text delta it carried ('' for none). */
  add(event: RawMessageStreamEvent): string {
    switch (event.type) {
      case 'message_start':
        this.inputTokens = event.message.usage.input_tokens ?? 0;
        this.outputTokens = event.message.usage.output_tokens;
        return '';
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          this.blocks.set(event.index, {
            id: event.content_block.id,
            name: event.content_block.name,
            json: '',
          });
        }
        return '';
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') {
          this.text += event.delta.text;
          return event.delta.text;
        }
        if (event.delta.type === 'input_json_delta') {
          const block = this.blocks.get(event.index);
          if (block) block.json += event.delta.partial_json;
        }
        return '';
      case 'message_delta':
        if (event.delta.stop_reason) this.reason = event.delta.stop_reason;
        this.outputTokens = event.usage.output_tokens;
        return '';
      default:
        return '';
    }
  }

  result(): ChatResult {
    const toolCalls = [...this.blocks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, b]): ToolCall => {
        const parsed = parseToolArguments(b.json);
        return parsed.error === undefined
          ? { id: b.id, name: b.name, arguments: parsed.arguments }
          : { id: b.id, name: b.name, arguments: parsed.arguments, argumentsError: parsed.error };
      });
    return {
      text: this.text,
      toolCalls,
      finishReason: finishReason(this.reason),
      usage: { inputTokens: this.inputTokens, outputTokens: this.outputTokens },
    };
  }
}
