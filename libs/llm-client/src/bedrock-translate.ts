import type { ChatRequest, ChatResult, FinishReason, ToolCall } from './chat-types.js';
import { parseToolArguments } from './parse-tool-arguments.js';

/** Converse API content blocks we send and read. */
type ContentBlock =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | {
      toolResult: {
        toolUseId: string;
        content: { text: string }[];
        status?: 'success' | 'error';
      };
    };

interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface BedrockSampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
}

export interface ConverseBody {
  messages: ConverseMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number };
  toolConfig?: {
    tools: { toolSpec: { name: string; description: string; inputSchema: { json: unknown } } }[];
  };
}

/**
 * Builds a Converse / ConverseStream body. Tool results go in user messages, and consecutive
 * messages of one role are merged, as the API wants strictly alternating roles.
 */
export function toConverseBody(request: ChatRequest, sampling: BedrockSampling): ConverseBody {
  const messages: ConverseMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of request.messages) {
    if (m.role === 'user') push('user', [{ text: m.content }]);
    else if (m.role === 'tool') {
      push('user', [
        {
          toolResult: {
            toolUseId: m.toolCallId,
            content: [{ text: m.content }],
            ...(m.isError ? { status: 'error' as const } : {}),
          },
        },
      ]);
    } else {
      const blocks: ContentBlock[] = m.content === '' ? [] : [{ text: m.content }];
      for (const c of m.toolCalls)
        blocks.push({ toolUse: { toolUseId: c.id, name: c.name, input: c.arguments } });
      push('assistant', blocks);
    }
  }
  const body: ConverseBody = { messages };
  if (request.system !== '') body.system = [{ text: request.system }];
  const inference: NonNullable<ConverseBody['inferenceConfig']> = {};
  if (sampling.maxTokens !== undefined) inference.maxTokens = sampling.maxTokens;
  if (sampling.temperature !== undefined) inference.temperature = sampling.temperature;
  if (sampling.topP !== undefined) inference.topP = sampling.topP;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  if (request.tools.length > 0) {
    body.toolConfig = {
      tools: request.tools.map((t) => ({
        toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.parameters } },
      })),
    };
  }
  return body;
}

export function converseFinishReason(reason: unknown): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

interface ConverseResponse {
  output?: { message?: { content?: Record<string, unknown>[] } };
  stopReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
}

/** Reads a buffered Converse reply. */
export function fromConverseResponse(json: unknown): ChatResult {
  const res = json as ConverseResponse;
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of res.output?.message?.content ?? []) {
    if (typeof block['text'] === 'string') text += block['text'];
    const use = block['toolUse'] as { toolUseId?: string; name?: string; input?: unknown } | undefined;
    if (use && typeof use.toolUseId === 'string' && typeof use.name === 'string') {
      const input = use.input;
      toolCalls.push({
        id: use.toolUseId,
        name: use.name,
        arguments:
          input !== null && typeof input === 'object' && !Array.isArray(input)
            ? (input as Record<string, unknown>)
            : {},
      });
    }
  }
  return {
    text,
    toolCalls,
    finishReason: converseFinishReason(res.stopReason),
    usage: res.usage
      ? { inputTokens: res.usage.inputTokens ?? 0, outputTokens: res.usage.outputTokens ?? 0 }
      : undefined,
  };
}

/** Folds ConverseStream events into one result (tool input JSON assembled per block index). */
export class ConverseStreamAccumulator {
  private text = '';
  private readonly tools = new Map<number, { id: string; name: string; json: string }>();
  private reason: unknown;
  private usage: { inputTokens: number; outputTokens: number } | undefined;

  /** Adds one event; returns the text delta it carried ('' for none). */
  add(type: string, payload: unknown): string {
    const p = (payload ?? {}) as Record<string, unknown>;
    const index = typeof p['contentBlockIndex'] === 'number' ? p['contentBlockIndex'] : 0;
    switch (type) {
      case 'contentBlockStart': {
        const use = (p['start'] as { toolUse?: { toolUseId?: string; name?: string } } | undefined)?.toolUse;
        if (use?.toolUseId && use.name)
          this.tools.set(index, { id: use.toolUseId, name: use.name, json: '' });
        return '';
      }
      case 'contentBlockDelta': {
        const delta = (p['delta'] ?? {}) as { text?: unknown; toolUse?: { input?: unknown } };
        if (typeof delta.text === 'string') {
          this.text += delta.text;
          return delta.text;
        }
        const tool = this.tools.get(index);
        if (tool && typeof delta.toolUse?.input === 'string') tool.json += delta.toolUse.input;
        return '';
      }
      case 'messageStop':
        this.reason = p['stopReason'];
        return '';
      case 'metadata': {
        const u = p['usage'] as { inputTokens?: number; outputTokens?: number } | undefined;
        if (u) this.usage = { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0 };
        return '';
      }
      default:
        return '';
    }
  }

  result(): ChatResult {
    const toolCalls = [...this.tools.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, t]): ToolCall => {
        const parsed = parseToolArguments(t.json);
        return parsed.error === undefined
          ? { id: t.id, name: t.name, arguments: parsed.arguments }
          : { id: t.id, name: t.name, arguments: parsed.arguments, argumentsError: parsed.error };
      });
    return { text: this.text, toolCalls, finishReason: converseFinishReason(this.reason), usage: this.usage };
  }
}
