import { randomBytes } from 'node:crypto';
import type { RequestView } from './request-view.js';
import { isRecord } from './request-view.js';
import type { FinishReason, Provider, RawReplySpec, ResponseSpec } from './script-schema.js';

/** One tool call of a reply, in a form both providers can be rendered from. */
export interface NeutralToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text (what OpenAI sends; Anthropic parses it into `input`). */
  readonly argumentsJson: string;
}

/** A reply independent of provider format. */
export interface NeutralReply {
  readonly id: string | undefined;
  readonly model: string;
  /** Text content, or null when the reply is tool calls only. */
  readonly text: string | null;
  readonly toolCalls: readonly NeutralToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /** Characters per streamed delta. */
  readonly chunkSize: number;
}

export const DEFAULT_CHUNK_SIZE = 8;

/** A random id with the given prefix, shaped like the providers' ids. */
export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
}

function toolCallPrefix(provider: Provider): string {
  return provider === 'openai' ? 'call_' : 'toolu_';
}

function estimateOutputTokens(text: string | null, toolCalls: readonly NeutralToolCall[]): number {
  const size =
    (text ?? '').length + toolCalls.reduce((n, c) => n + c.name.length + c.argumentsJson.length, 0);
  return Math.max(1, Math.ceil(size / 4));
}

function fromResponse(spec: ResponseSpec, view: RequestView): NeutralReply {
  const toolCalls = (spec.toolCalls ?? []).map((call) => ({
    id: call.id ?? randomId(toolCallPrefix(view.provider)),
    name: call.name,
    argumentsJson: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
  }));
  const text = spec.content ?? (toolCalls.length > 0 ? null : '');
  return {
    id: spec.id,
    model: spec.model ?? view.model,
    text,
    toolCalls,
    finishReason: spec.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: {
      inputTokens: spec.usage?.inputTokens ?? view.promptTokens,
      outputTokens: spec.usage?.outputTokens ?? estimateOutputTokens(text, toolCalls),
    },
    chunkSize: spec.chunkSize ?? DEFAULT_CHUNK_SIZE,
  };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const finishReasons = new Set<string>([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'end_turn',
  'max_tokens',
  'tool_use',
  'stop_sequence',
  'refusal',
]);

function finishOf(value: unknown): FinishReason | undefined {
  return typeof value === 'string' && finishReasons.has(value) ? (value as FinishReason) : undefined;
}

/** Reads an OpenAI `chat.completion` body into a neutral reply. */
export function fromOpenAICompletion(body: Record<string, unknown>, view: RequestView): NeutralReply {
  const choices = Array.isArray(body['choices']) ? (body['choices'] as unknown[]) : [];
  const choice = isRecord(choices[0]) ? choices[0] : {};
  const message = isRecord(choice['message'])
    ? choice['message']
    : isRecord(choice['delta'])
      ? choice['delta']
      : {};
  const rawCalls = Array.isArray(message['tool_calls']) ? (message['tool_calls'] as unknown[]) : [];
  const toolCalls = rawCalls.filter(isRecord).map((call) => {
    const fn = isRecord(call['function']) ? call['function'] : {};
    return {
      id: str(call['id']) ?? randomId('call_'),
      name: str(fn['name']) ?? '',
      argumentsJson: str(fn['arguments']) ?? '{}',
    };
  });
  const text = typeof message['content'] === 'string' ? message['content'] : toolCalls.length > 0 ? null : '';
  const usage = isRecord(body['usage']) ? body['usage'] : {};
  return {
    id: str(body['id']),
    model: str(body['model']) ?? view.model,
    text,
    toolCalls,
    finishReason: finishOf(choice['finish_reason']) ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: {
      inputTokens: num(usage['prompt_tokens']) ?? view.promptTokens,
      outputTokens: num(usage['completion_tokens']) ?? estimateOutputTokens(text, toolCalls),
    },
    chunkSize: DEFAULT_CHUNK_SIZE,
  };
}

/** Reads an Anthropic `message` body into a neutral reply. */
export function fromAnthropicMessage(body: Record<string, unknown>, view: RequestView): NeutralReply {
  const blocks = Array.isArray(body['content']) ? (body['content'] as unknown[]).filter(isRecord) : [];
  const texts: string[] = [];
  const toolCalls: NeutralToolCall[] = [];
  for (const block of blocks) {
    if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
    if (block['type'] === 'tool_use') {
      toolCalls.push({
        id: str(block['id']) ?? randomId('toolu_'),
        name: str(block['name']) ?? '',
        argumentsJson: JSON.stringify(block['input'] ?? {}),
      });
    }
  }
  const text = texts.length > 0 ? texts.join('') : toolCalls.length > 0 ? null : '';
  const usage = isRecord(body['usage']) ? body['usage'] : {};
  return {
    id: str(body['id']),
    model: str(body['model']) ?? view.model,
    text,
    toolCalls,
    finishReason: finishOf(body['stop_reason']) ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
    usage: {
      inputTokens: num(usage['input_tokens']) ?? view.promptTokens,
      outputTokens: num(usage['output_tokens']) ?? estimateOutputTokens(text, toolCalls),
    },
    chunkSize: DEFAULT_CHUNK_SIZE,
  };
}

/**
 * The neutral reply for a rule: the raw body for the request's provider when there is one, else
 * the high-level response, else the other provider's raw body converted.
 */
export function neutralReply(
  reply: { readonly response?: ResponseSpec; readonly raw?: RawReplySpec },
  view: RequestView,
): NeutralReply {
  const own = view.provider === 'openai' ? reply.raw?.openai : reply.raw?.anthropic;
  if (own !== undefined) {
    return view.provider === 'openai' ? fromOpenAICompletion(own, view) : fromAnthropicMessage(own, view);
  }
  if (reply.response !== undefined) return fromResponse(reply.response, view);
  // The other provider's body: keep its content, not its id (ids are shaped per provider).
  if (reply.raw?.openai !== undefined)
    return { ...fromOpenAICompletion(reply.raw.openai, view), id: undefined };
  if (reply.raw?.anthropic !== undefined)
    return { ...fromAnthropicMessage(reply.raw.anthropic, view), id: undefined };
  return fromResponse({}, view);
}
