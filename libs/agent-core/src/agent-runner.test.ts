import { parseAgentConfig } from '@agentplane/agent-config';
import { createChatModel, type ChatModel } from '@agentplane/llm-client';
import { startMockLlm, type MockLlm, type MockLlmRule } from '@agentplane/testing/mock-llm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool, Toolset } from './agent-tool.js';
import { AgentRunner } from './agent-runner.js';
import { silentLogger } from './core-logger.js';
import { InMemorySessionStore } from './in-memory-session-store.js';
import type { RunEvent, RunInput } from './run-types.js';

/** In-process tools that record how they were called. */
class ProbeTools implements Toolset {
  active = 0;
  maxActive = 0;
  dangerRuns = 0;

  private tool(name: string, call: AgentTool['call'], requiresApproval = false): AgentTool {
    return {
      definition: { name, description: name, parameters: { type: 'object', properties: {} } },
      requiresApproval,
      call,
    };
  }

  listTools(): Promise<AgentTool[]> {
    return Promise.resolve([
      this.tool('slow', async (args) => {
        this.active++;
        this.maxActive = Math.max(this.maxActive, this.active);
        await new Promise((r) => setTimeout(r, 150));
        this.active--;
        return { content: `slow ${JSON.stringify(args)} done`, isError: false };
      }),
      this.tool('boom', () => Promise.reject(new Error('disk on fire'))),
      this.tool(
        'danger',
        () => {
          this.dangerRuns++;
          return Promise.resolve({ content: 'danger executed', isError: false });
        },
        true,
      ),
    ]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const rules: MockLlmRule[] = [
  {
    match: { contains: 'run two', role: 'user' },
    response: {
      toolCalls: [
        { id: 'p1', name: 'slow', arguments: { n: 1 } },
        { id: 'p2', name: 'slow', arguments: { n: 2 } },
      ],
    },
  },
  { match: { role: 'tool', toolCallId: 'p2' }, response: { content: 'both done' } },
  {
    match: { contains: 'break it', role: 'user' },
    response: { toolCalls: [{ id: 'f1', name: 'boom', arguments: {} }] },
  },
  { match: { role: 'tool', toolCallId: 'f1' }, response: { content: 'handled the failure' } },
  {
    match: { contains: 'loop forever', role: 'user' },
    response: { toolCalls: [{ id: 'L', name: 'slow', arguments: {} }] },
  },
  {
    match: { role: 'tool', toolCallId: 'L' },
    response: { toolCalls: [{ id: 'L', name: 'slow', arguments: {} }] },
  },
  {
    match: { contains: 'do danger', role: 'user' },
    response: { toolCalls: [{ id: 'd1', name: 'danger', arguments: { x: 1 } }] },
  },
  { match: { role: 'tool', toolCallId: 'd1' }, response: { content: 'danger step finished' } },
  {
    match: { contains: 'ask me', role: 'user' },
    response: { toolCalls: [{ id: 'a1', name: 'ask_user', arguments: { question: 'Which color?' } }] },
  },
  { match: { role: 'tool', toolCallId: 'a1' }, response: { content: 'Noted your color.' } },
  { match: { contains: 'my name is Bob' }, response: { content: 'Nice to meet you, Bob.' } },
  { match: { contains: 'what is my name' }, response: { content: 'Your name is Bob.' } },
];

interface LlmMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

function messagesOf(llm: MockLlm, index: number): LlmMessage[] {
  return (llm.requests[index]?.body as { messages: LlmMessage[] }).messages;
}

describe('AgentRunner with the mock LLM', () => {
  let llm: MockLlm;
  let model: ChatModel;
  let probe: ProbeTools;
  let store: InMemorySessionStore;
  let runner: AgentRunner;

  const newRunner = (maxIterations = 5): AgentRunner =>
    new AgentRunner({
      model,
      instruction: 'You are a test agent.',
      toolsets: [probe],
      sessions: store,
      logger: silentLogger,
      stream: true,
      maxIterations,
    });

  const run = async (r: AgentRunner, input: Partial<RunInput> & { sessionId: string; taskId: string }) => {
    const events: RunEvent[] = [];
    const outcome = await r.run(
      { userId: 'u1', requestHeaders: {}, text: '', data: [], ...input },
      (e) => events.push(e),
      new AbortController().signal,
    );
    return { outcome, events };
  };

  beforeAll(async () => {
    llm = await startMockLlm({ rules });
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
    probe = new ProbeTools();
    store = new InMemorySessionStore();
    runner = newRunner();
  });

  it('runs parallel tool calls concurrently and feeds both results back', async () => {
    const { outcome, events } = await run(runner, { sessionId: 's1', taskId: 't1', text: 'run two' });
    expect(outcome).toEqual({ status: 'completed', text: 'both done' });
    expect(probe.maxActive).toBe(2);
    const toolMessages = messagesOf(llm, 1).filter((m) => m.role === 'tool');
    expect(toolMessages.map((m) => m.tool_call_id)).toEqual(['p1', 'p2']);
    expect(events.filter((e) => e.type === 'tool_result')).toHaveLength(2);
    expect(messagesOf(llm, 0)[0]).toEqual({ role: 'system', content: 'You are a test agent.' });
  });

  it("calls the model with the caller's bearer token when api_key_passthrough is on", async () => {
    const passthrough = new AgentRunner({
      model,
      instruction: 'x',
      toolsets: [],
      sessions: store,
      logger: silentLogger,
      stream: false,
      apiKeyPassthrough: true,
    });
    await run(passthrough, {
      sessionId: 's-pass',
      taskId: 't1',
      text: 'my name is Bob',
      requestHeaders: { authorization: 'Bearer caller-token-9' },
    });
    await run(runner, {
      sessionId: 's-nopass',
      taskId: 't2',
      text: 'my name is Bob',
      requestHeaders: { authorization: 'Bearer caller-token-9' },
    });
    expect(llm.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer caller-token-9',
      'Bearer unset',
    ]);
  });

  it('gives a failing tool an error result and keeps going', async () => {
    const { outcome } = await run(runner, { sessionId: 's1', taskId: 't1', text: 'break it' });
    expect(outcome).toEqual({ status: 'completed', text: 'handled the failure' });
    const result = messagesOf(llm, 1).find((m) => m.tool_call_id === 'f1');
    expect(result?.content).toContain('disk on fire');
  });

  it('ends a runaway loop after maxIterations model calls', async () => {
    const { outcome } = await run(newRunner(3), { sessionId: 's1', taskId: 't1', text: 'loop forever' });
    expect(outcome).toMatchObject({ status: 'failed', code: 'MAX_ITERATIONS' });
    expect(llm.requests).toHaveLength(3);
  });

  it('pauses for approval, then runs the approved call once without asking the model first', async () => {
    const first = await run(runner, { sessionId: 's2', taskId: 't1', text: 'do danger' });
    expect(first.outcome).toMatchObject({
      status: 'input_required',
      pending: [{ kind: 'approval', call: { id: 'd1' } }],
    });
    expect(probe.dangerRuns).toBe(0);
    expect(llm.requests).toHaveLength(1);
    const second = await run(runner, { sessionId: 's2', taskId: 't1', data: [{ decision_type: 'approve' }] });
    expect(second.outcome).toEqual({ status: 'completed', text: 'danger step finished' });
    expect(probe.dangerRuns).toBe(1);
    expect(llm.requests).toHaveLength(2);
    expect(messagesOf(llm, 1).at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: 'd1',
      content: 'danger executed',
    });
  });

  it('skips a rejected call and tells the model why', async () => {
    await run(runner, { sessionId: 's3', taskId: 't1', text: 'do danger' });
    const second = await run(runner, {
      sessionId: 's3',
      taskId: 't1',
      data: [{ decision_type: 'reject', rejection_reasons: { d1: 'not on Fridays' } }],
    });
    expect(second.outcome).toEqual({ status: 'completed', text: 'danger step finished' });
    expect(probe.dangerRuns).toBe(0);
    const last = messagesOf(llm, 1).at(-1);
    expect(last).toMatchObject({ role: 'tool', tool_call_id: 'd1' });
    expect(last?.content).toContain('rejected');
    expect(last?.content).toContain('not on Fridays');
  });

  it('round-trips ask_user', async () => {
    const first = await run(runner, { sessionId: 's4', taskId: 't1', text: 'ask me' });
    expect(first.outcome).toMatchObject({ status: 'input_required', pending: [{ kind: 'ask_user' }] });
    const second = await run(runner, { sessionId: 's4', taskId: 't1', text: 'blue' });
    expect(second.outcome).toEqual({ status: 'completed', text: 'Noted your color.' });
    expect(messagesOf(llm, 1).at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'a1', content: 'blue' });
  });

  it('keeps a pause across a restart (a new runner on the same store)', async () => {
    await run(runner, { sessionId: 's5', taskId: 't1', text: 'do danger' });
    const restarted = newRunner();
    const second = await run(restarted, {
      sessionId: 's5',
      taskId: 't1',
      data: [{ decision_type: 'approve' }],
    });
    expect(second.outcome).toEqual({ status: 'completed', text: 'danger step finished' });
    expect(probe.dangerRuns).toBe(1);
  });

  it('sends earlier turns of the session to the model', async () => {
    await run(runner, { sessionId: 's6', taskId: 't1', text: 'my name is Bob' });
    const second = await run(runner, { sessionId: 's6', taskId: 't2', text: 'what is my name' });
    expect(second.outcome).toEqual({ status: 'completed', text: 'Your name is Bob.' });
    expect(messagesOf(llm, 1).map((m) => [m.role, m.content])).toEqual([
      ['system', 'You are a test agent.'],
      ['user', 'my name is Bob'],
      ['assistant', 'Nice to meet you, Bob.'],
      ['user', 'what is my name'],
    ]);
    const other = await run(runner, { sessionId: 's7', taskId: 't3', text: 'what is my name' });
    expect(other.outcome.status).toBe('completed');
    expect(messagesOf(llm, 2)).toHaveLength(2);
  });

  it('streams text deltas', async () => {
    const { events } = await run(runner, { sessionId: 's8', taskId: 't1', text: 'my name is Bob' });
    const deltas = events.flatMap((e) => (e.type === 'text_delta' ? [e.text] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Nice to meet you, Bob.');
  });
});
