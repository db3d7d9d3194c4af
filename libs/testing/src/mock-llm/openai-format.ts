import type { NeutralReply } from './neutral-reply.js';
import { randomId } from './neutral-reply.js';
import type { FinishReason } from './script-schema.js';
import { splitText } from './split-text.js';

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** Maps either provider's stop vocabulary to OpenAI's `finish_reason`. */
export function openAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return reason;
  }
}

function usageOf(reply: NeutralReply): Record<string, unknown> {
  const { inputTokens, outputTokens } = reply.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const SYSTEM_FINGERPRINT = 'fp_mockllm';

/** A buffered `chat.completion` body. */
export function openAICompletion(reply: NeutralReply, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.text,
    refusal: null,
    annotations: [],
  };
  if (reply.toolCalls.length > 0) {
    message['tool_calls'] = reply.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    }));
  }
  return {
    id: reply.id ?? randomId('chatcmpl-'),
    object: 'chat.completion',
    created,
    model: reply.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openAIFinishReason(reply.finishReason) }],
    usage: usageOf(reply),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/**
 * The `chat.completion.chunk` payloads of a streamed reply, in order: the role, content deltas,
 * for each tool call one chunk with id/type/name and then its arguments in pieces, the finish
 * reason, and (with `include_usage`) a final chunk with `choices: []` and the usage. The caller
 * sends each as a `data:` line and ends with `data: [DONE]`.
 */
export function openAIChunks(
  reply: NeutralReply,
  includeUsage: boolean,
  created: number,
): Record<string, unknown>[] {
  const id = reply.id ?? randomId('chatcmpl-');
  const chunk = (
    delta: Record<string, unknown>,
    finishReason: string | null = null,
  ): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: reply.model,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: Record<string, unknown>[] = [];
  chunks.push(chunk({ role: 'assistant', content: reply.text === null ? null : '', refusal: null }));
  for (const piece of splitText(reply.text ?? '', reply.chunkSize)) chunks.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of splitText(call.argumentsJson, reply.chunkSize, 2)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, openAIFinishReason(reply.finishReason)));
  if (includeUsage) {
    chunks.push({
      id,
      object: 'chat.completion.chunk',
      created,
      model: reply.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [],
      usage: usageOf(reply),
    });
  }
  return chunks;
}
