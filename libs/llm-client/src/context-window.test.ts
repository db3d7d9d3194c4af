import { parseAgentConfig } from '@agentplane/agent-config';
import { describe, expect, it } from 'vitest';
import { contextWindowTokens } from './context-window.js';

const modelOf = (model: Record<string, unknown>) => parseAgentConfig({ model }).model;

describe('contextWindowTokens', () => {
  it('takes context_window from the config, then Ollama num_ctx, then the provider default', () => {
    expect(contextWindowTokens(modelOf({ type: 'openai', model: 'm', context_window: 32_000 }))).toBe(32_000);
    expect(contextWindowTokens(modelOf({ type: 'ollama', model: 'm', options: { num_ctx: '2048' } }))).toBe(
      2048,
    );
    expect(contextWindowTokens(modelOf({ type: 'ollama', model: 'm' }))).toBe(4096);
    expect(contextWindowTokens(modelOf({ type: 'anthropic', model: 'm' }))).toBe(200_000);
    expect(contextWindowTokens(modelOf({ type: 'gemini', model: 'm' }))).toBe(1_000_000);
  });
});
