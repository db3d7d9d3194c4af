import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ChatRequest, ChatResult, FinishReason, ToolCall } from './chat-types.js';
import { parseToolArguments } from './parse-tool-arguments.js';

/** Sampling settings sent with every OpenAI-format request. */
export interface OpenAiSampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly frequencyPenalty?: number;
  readonly presencePenalty?: number;
  readonly seed?: number;
  readonly reasoningEffort?: string;
}

/** Builds the chat-completions body (without `stream`) for a provider-neutral request. */
export function toOpenAiParams(
  model: string,
  request: ChatRequest,
  sampling: OpenAiSampling,
): ChatCompletionCreateParamsBase {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system !== '') messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) {
    if (m.role === 'user') messages.push({ role: 'user', content: m.content });
    else if (m.role === 'tool')
      messages.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content });
    else if (m.toolCalls.length > 0) {
      messages.push({
        role: 'assistant',
        content: m.content === '' ? null : m.content,
        tool_calls: m.toolCalls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: JSON.stringify(c.arguments) },
        })),
      });
    } else messages.push({ role: 'assistant', content: m.content });
  }
  const tools: ChatCompletionTool[] = request.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
  const params: ChatCompletionCreateParamsBase = { model, messages };
  if (tools.length > 0) params.tools = tools;
  if (sampling.temperature !== undefined) params.temperature = sampling.temperature;
  if (sampling.topP !== undefined) params.top_p = sampling.topP;
  if (sampling.maxTokens !== undefined) params.max_tokens = sampling.maxTokens;
  if (sampling.frequencyPenalty !== undefined) params.frequency_penalty = sampling.frequencyPenalty;
  if (sampling.presencePenalty !== undefined) params.presence_penalty = sampling.presencePenalty;
  if (sampling.seed !== undefined) params.seed = sampling.seed;
  if (sampling.reasoningEffort !== undefined) {
    params.reasoning_effort = sampling.reasoningEffort as NonNullable<
      ChatCompletionCreateParamsBase['reasoning_effort']
    >;
  }
  return params;
}

function finishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'stop') return 'stop';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'other';
}

function toToolCall(id: string, name: string, argumentsText: string): ToolCall {
  const parsed = parseToolArguments(argumentsText);
  return parsed.error === undefined
    ? { id, name, arguments: parsed.arguments }
    : { id, name, arguments: parsed.arguments, argumentsError: parsed.error };
}

/** Reads a buffered chat completion. */
export function fromOpenAiCompletion(completion: ChatCompletion): ChatResult {
  const choice = completion.choices[0];
  const message = choice?.message;
  const toolCalls: ToolCall[] = [];
  for (const call of message?.tool_calls ?? []) {
    if (call.type === 'function')
      toolCalls.push(toToolCall(call.id, call.function.name, call.function.arguments));
  }
  return {
    text: message?.content ?? '',
    toolCalls,
    finishReason: finishReason(choice?.finish_reason),
    usage: completion.usage
      ? { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens }
      : undefined,
  };
}

/** Folds streamed chunks into one result; tool-call arguments arrive split by `index`. */
export class OpenAiStreamAccumulator {
  private text = '';
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private reason: string | null | undefined;
  private usage: ChatResult['usage'];

  /** Adds one chunk; returns the text delta it carried ('' for none). */
  add(chunk: ChatCompletionChunk): string {
    if (chunk.usage) {
      this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    }
    const choice = chunk.choices[0];
    if (!choice) return '';
    if (choice.finish_reason) this.reason = choice.finish_reason;
    const delta = choice.delta;
    for (const tc of delta.tool_calls ?? []) {
      const entry = this.calls.get(tc.index) ?? { id: '', name: '', args: '' };
      if (tc.id) entry.id = tc.id;
      if (tc.function?.name) entry.name += tc.function.name;
      if (tc.function?.arguments) entry.args += tc.function.arguments;
      this.calls.set(tc.index, entry);
    }
    const text = delta.content ?? '';
    this.text += text;
    return text;
  }

  result(): ChatResult {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => toToolCall(c.id === '' ? `call_${index}` : c.id, c.name, c.args));
    return { text: this.text, toolCalls, finishReason: finishReason(this.reason), usage: this.usage };
  }
}
