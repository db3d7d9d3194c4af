import type { Provider } from './script-schema.js';

/** The last message of a request, reduced to what rules match on. */
export interface LastMessageView {
  /** "system", "developer", "user", "assistant" or "tool" (Anthropic tool results count as "tool"). */
  readonly role: string;
  /** Its text: string content, or text parts / tool result text joined with newlines. */
  readonly text: string;
  /** Tool call ids this message answers (`tool_call_id`, `tool_use_id`). */
  readonly toolCallIds: readonly string[];
  /** The message as sent. */
  readonly raw: Record<string, unknown>;
}

/** What matching and rendering need to know about a request. */
export interface RequestView {
  readonly provider: Provider;
  readonly model: string;
  readonly stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  readonly last: LastMessageView | undefined;
  /** A rough token count of the prompt (characters / 4), for default usage numbers. */
  readonly promptTokens: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a content value: a string, or an array of parts whose text parts are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (isRecord(part)) {
      if (typeof part['text'] === 'string') parts.push(part['text']);
      else if (part['type'] === 'tool_result') parts.push(contentText(part['content']));
    }
  }
  return parts.join('\n');
}

function openAILast(message: Record<string, unknown>): LastMessageView {
  const role = typeof message['role'] === 'string' ? message['role'] : '';
  const id = message['tool_call_id'];
  return {
    role,
    text: contentText(message['content']),
    toolCallIds: typeof id === 'string' ? [id] : [],
    raw: message,
  };
}

function anthropicLast(message: Record<string, unknown>): LastMessageView {
  let role = typeof message['role'] === 'string' ? message['role'] : '';
  const content = message['content'];
  const toolCallIds: string[] = [];
  if (Array.isArray(content)) {
    for (const block of content) {
      if (isRecord(block) && block['type'] === 'tool_result') {
        role = 'tool';
        if (typeof block['tool_use_id'] === 'string') toolCallIds.push(block['tool_use_id']);
      }
    }
  }
  return { role, text: contentText(content), toolCallIds, raw: message };
}

function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Builds the view of a request body that was already checked to be an object with `messages`. */
export function viewRequest(provider: Provider, body: Record<string, unknown>): RequestView {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const lastRaw = messages[messages.length - 1];
  const last = isRecord(lastRaw)
    ? provider === 'openai'
      ? openAILast(lastRaw)
      : anthropicLast(lastRaw)
    : undefined;
  const streamOptions = body['stream_options'];
  return {
    provider,
    model: typeof body['model'] === 'string' ? body['model'] : '',
    stream: body['stream'] === true,
    includeUsage: isRecord(streamOptions) && streamOptions['include_usage'] === true,
    last,
    promptTokens: estimateTokens([body['system'] ?? '', messages]),
  };
}
