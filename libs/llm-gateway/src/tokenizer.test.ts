import { describe, expect, it } from 'vitest';
import { countPromptTokens } from './tokenizer.js';

describe('countPromptTokens', () => {
  it('counts text with the o200k tokenizer plus per-message framing', async () => {
    const n = await countPromptTokens('openai', {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello world' },
      ],
    });
    // "You are terse.\nHello world" is 6 tokens; 2 messages add 4 each.
    expect(n).toBe(14);
    const a = await countPromptTokens('anthropic', {
      system: 'You are terse.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello world' }] }],
    });
    expect(a).toBeGreaterThan(8);
  });
});
