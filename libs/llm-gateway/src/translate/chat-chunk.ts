import type { ChatChunk, ChatUsage } from '../wire.js';

/** One OpenAI `chat.completion.chunk` with a single choice, for a stream translated into OpenAI's. */
export function chatChunk(
  id: string,
  model: string,
  created: number,
  delta: ChatChunk['choices'][number]['delta'],
  finish: string | null = null,
): ChatChunk {
  return {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/** The final usage-only chunk a client asks for with `stream_options.include_usage`. */
export function usageChunk(
  id: string,
  model: string,
  created: number,
  usage: ChatUsage | null | undefined,
): ChatChunk {
  return { id, object: 'chat.completion.chunk', created, model, choices: [], usage };
}
