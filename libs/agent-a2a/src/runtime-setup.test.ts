import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { describe, expect, it } from 'vitest';
import { runtimeCompaction, runtimeModel, type AgentRuntimeOptions } from './runtime-setup.js';

const card = parseAgentCard({ name: 'a', url: 'http://a.test:8080' });

function options(config: Record<string, unknown>): AgentRuntimeOptions {
  return {
    config: parseAgentConfig(config),
    card,
    sessions: new InMemorySessionStore(),
    logger: silentLogger,
    credentials: { openaiApiKey: 'sk-test' },
  };
}

describe('runtimeCompaction', () => {
  it('without context_config: drops old turns past 80% of the window, no summarizer', async () => {
    const o = options({ model: { type: 'openai', model: 'gpt-4o', context_window: 10_000 } });
    const compaction = await runtimeCompaction(o, await runtimeModel(o));
    expect(compaction).toEqual({ tokenBudget: 8_000 });
  });

  it("with context_config.compaction: summarises with the agent's model or summarizer_model", async () => {
    const own = options({
      model: { type: 'openai', model: 'gpt-4o' },
      context_config: {
        compaction: { token_threshold: 1234, prompt_template: 'P', event_retention_size: 4 },
      },
    });
    const model = await runtimeModel(own);
    expect(await runtimeCompaction(own, model)).toEqual({
      tokenBudget: 1234,
      summarizer: model,
      summaryPrompt: 'P',
      keepEvents: 4,
    });
    const other = options({
      model: { type: 'openai', model: 'gpt-4o' },
      context_config: { compaction: { summarizer_model: { type: 'openai', model: 'gpt-4o-mini' } } },
    });
    const compaction = await runtimeCompaction(other, await runtimeModel(other));
    expect(compaction.tokenBudget).toBe(102_400);
    expect(compaction.summarizer?.model).toBe('gpt-4o-mini');
  });
});
