import { parseAgentConfig } from '@agentplane/agent-config';
import { createChatModel, type ChatModel } from '@agentplane/llm-client';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool, Toolset } from './agent-tool.js';
import { AgentRunner } from './agent-runner.js';
import type { CompactionOptions } from './context-compaction.js';
import { silentLogger } from './core-logger.js';
import { InMemorySessionStore } from './in-memory-session-store.js';

const filler = (label: string) => `${label}: ${'lorem ipsum dolor sit amet '.repeat(8)}`;

/** A lookup tool with a long answer. */
const lookupTools: Toolset = {
  listTools: () =>
    Promise.resolve<AgentTool[]>([
      {
        definition: {
          name: 'lookup',
          description: 'look up',
          parameters: { type: 'object', properties: {} },
        },
        requiresApproval: false,
        call: () => Promise.resolve({ content: filler('the record says 42'), isError: false }),
      },
    ]),
  close: () => Promise.resolve(),
};

interface LlmMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  tool_calls?: { id: string }[];
}

function bodyOf(llm: MockLlm, i: number): { messages: LlmMessage[] } {
  return llm.requests[i]?.body as { messages: LlmMessage[] };
}

/**
 * The history starts with a user message (as every provider wants) and every tool result
 * follows the assistant message that made its call.
 */
function wellFormed(messages: readonly LlmMessage[]): boolean {
  if (messages.find((m) => m.role !== 'system')?.role !== 'user') return false;
  const called = new Set<string>();
  for (const m of messages) {
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) called.add(c.id);
    if (m.role === 'tool' && !called.has(m.tool_call_id ?? '')) return false;
  }
  return true;
}

describe('context compaction in the tool loop', () => {
  let llm: MockLlm;
  let model: ChatModel;
  let store: InMemorySessionStore;

  const runner = (compaction: CompactionOptions) =>
    new AgentRunner({
      model,
      instruction: 'You are a test agent.',
      toolsets: [lookupTools],
      sessions: store,
      logger: silentLogger,
      stream: false,
      askUser: false,
      compaction,
    });

  const converse = async (r: AgentRunner, sessionId: string): Promise<void> => {
    const turns = [
      filler('I like green tea'),
      'please look it up',
      filler('turn 3'),
      filler('turn 4'),
      filler('turn 5'),
    ];
    for (const [i, text] of turns.entries()) {
      const outcome = await r.run(
        { sessionId, taskId: `t${i}`, userId: 'u1', requestHeaders: {}, text, data: [] },
        () => undefined,
        new AbortController().signal,
      );
      expect(outcome.status).toBe('completed');
    }
  };

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          match: { exact: 'Write the summary.', role: 'user' },
          response: { content: 'SUMMARY: the user likes green tea.' },
        },
        {
          match: { contains: 'look it up', role: 'user' },
          response: { toolCalls: [{ id: 'k1', name: 'lookup', arguments: {} }] },
        },
        { match: { role: 'tool', toolCallId: 'k1' }, response: { content: filler('found it') } },
        { match: { role: 'user' }, response: { content: filler('noted') } },
      ],
    });
    const config = parseAgentConfig({
      model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI },
    });
    model = await createChatModel(config.model, { maxRetries: 0 });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
    store = new InMemorySessionStore();
  });

  it('leaves a conversation under budget untouched', async () => {
    await converse(runner({ tokenBudget: 100_000, summarizer: model }), 's0');
    expect(llm.requests).toHaveLength(6);
    expect(bodyOf(llm, 5).messages).toHaveLength(12);
    expect(bodyOf(llm, 5).messages[0]).toEqual({ role: 'system', content: 'You are a test agent.' });
  });

  it('summarises older turns with the summarizer once the prompt is over budget', async () => {
    await converse(
      runner({
        tokenBudget: 300,
        summarizer: model,
        summaryPrompt: 'Summarise this:\n{conversation_history}',
      }),
      's1',
    );
    const summaries = llm.requests.flatMap((r, i) =>
      (r.body as { messages: LlmMessage[] }).messages.at(-1)?.content === 'Write the summary.' ? [i] : [],
    );
    expect(summaries.length).toBeGreaterThan(0);
    // The summarizer saw the old turns, the tool call and its result among them.
    const first = bodyOf(llm, summaries[0] ?? 0).messages[0]?.content as string;
    expect(first).toContain('Summarise this:');
    expect(first).toContain('User: I like green tea');
    // The next call carries the summary instead of those turns, and is smaller than the history.
    const after = bodyOf(llm, (summaries[0] ?? 0) + 1).messages;
    expect(after[0]?.content).toContain('SUMMARY: the user likes green tea.');
    expect(JSON.stringify(after.slice(1))).not.toContain('I like green tea');
    // Every request kept tool calls and results together.
    for (let i = 0; i < llm.requests.length; i++) expect(wellFormed(bodyOf(llm, i).messages)).toBe(true);
    const last = bodyOf(llm, llm.requests.length - 1).messages;
    expect(last.at(-1)).toMatchObject({ role: 'user' });
    expect(JSON.stringify(last)).toContain('turn 5');
  });

  it('drops older turns with a marker when no summarizer is configured, without extra model calls', async () => {
    await converse(runner({ tokenBudget: 300 }), 's2');
    expect(llm.requests).toHaveLength(6);
    const last = bodyOf(llm, 5).messages;
    expect(last[0]?.content).toContain('were removed to fit the model context window');
    expect(JSON.stringify(last)).not.toContain('I like green tea');
    for (let i = 0; i < llm.requests.length; i++) expect(wellFormed(bodyOf(llm, i).messages)).toBe(true);
  });

  it('builds the same compacted prompt for a new runner on the same store (a restart)', async () => {
    const options = {
      tokenBudget: 300,
      summarizer: model,
      summaryPrompt: 'Summarise this:\n{conversation_history}',
    };
    await converse(runner(options), 's3');
    const before = llm.requests.length;
    const outcome = await runner(options).run(
      { sessionId: 's3', taskId: 't9', userId: 'u1', requestHeaders: {}, text: 'one more', data: [] },
      () => undefined,
      new AbortController().signal,
    );
    expect(outcome.status).toBe('completed');
    const next = bodyOf(llm, llm.requests.length - 1).messages;
    expect(next[0]?.content).toContain('SUMMARY');
    expect(JSON.stringify(next)).not.toContain('I like green tea');
    expect(llm.requests.length - before).toBeGreaterThanOrEqual(1);
  });
});
