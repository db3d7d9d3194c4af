import { describe, expect, it } from 'vitest';
import { firstStringOf, lastObjectOf, usageByFormat, usageFromAnthropic, usageFromChat } from './usage.js';

describe('usage', () => {
  it('normalizes each API: input includes cached tokens, output includes reasoning', () => {
    expect(
      usageFromChat({
        prompt_tokens: 100,
        completion_tokens: 50,
        prompt_tokens_details: { cached_tokens: 60 },
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 50, cacheReadTokens: 60, reasoningTokens: 20 });
    // Anthropic's input_tokens leaves the cache out: added back.
    expect(
      usageFromAnthropic({
        input_tokens: 10,
        output_tokens: 5,
        cache_read_input_tokens: 70,
        cache_creation_input_tokens: 20,
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 5, cacheReadTokens: 70, cacheWriteTokens: 20 });
    expect(
      usageByFormat('responses', {
        input_tokens: 9,
        output_tokens: 3,
        input_tokens_details: { cached_tokens: 4 },
      }),
    ).toEqual({ inputTokens: 9, outputTokens: 3, cacheReadTokens: 4 });
  });

  it('reads the usage and model of a response without parsing the rest', () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 'x',
        model: 'gpt-4o-2024-08-06',
        choices: [
          {
            message: { content: 'a "usage": {"prompt_tokens": 999} } { in text', tool_calls: [] },
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 3,
          prompt_tokens_details: { cached_tokens: 0 },
          note: '}{"',
        },
      }),
    );
    expect(lastObjectOf(body, 'usage')).toEqual({
      prompt_tokens: 12,
      completion_tokens: 3,
      prompt_tokens_details: { cached_tokens: 0 },
      note: '}{"',
    });
    expect(firstStringOf(body, 'model')).toBe('gpt-4o-2024-08-06');
    expect(lastObjectOf(Buffer.from('{"usage": null}'), 'usage')).toBeUndefined();
    expect(lastObjectOf(Buffer.from('{"usage": {"a": 1'), 'usage')).toBeUndefined();
    expect(firstStringOf(Buffer.from('{"model": "a\\\\"b"}'), 'model')).toBeUndefined();
    expect(lastObjectOf(Buffer.from('{\n  "usage" : {\n "input_tokens": 3 }\n}'), 'usage')).toEqual({
      input_tokens: 3,
    });
  });
});
