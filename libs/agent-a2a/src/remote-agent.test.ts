import type { Part, StreamResponse, Task } from '@a2a-js/sdk';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { freePort } from '@agentplane/testing/free-port';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startA2aServer, type A2aServer } from './a2a-server.js';
import { createAgentRuntime, type AgentRuntime } from './create-agent-runtime.js';

const card = (name: string) =>
  parseAgentCard({
    name,
    description: `${name} agent`,
    url: 'http://placeholder:8080',
    capabilities: { streaming: true },
    supportedInterfaces: [
      { url: 'http://placeholder:8080', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      { url: 'http://placeholder:8080', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
  });

function message(
  text: string,
  extra: { taskId?: string; contextId?: string; data?: unknown } = {},
): SendMessageRequest {
  const parts: unknown[] = text === '' ? [] : [{ text }];
  if (extra.data !== undefined) parts.push({ data: extra.data });
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts,
      ...(extra.taskId ? { taskId: extra.taskId } : {}),
      ...(extra.contextId ? { contextId: extra.contextId } : {}),
    },
  });
}

async function collect(stream: AsyncGenerator<StreamResponse>): Promise<StreamResponse[]> {
  const out: StreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

function lastStatus(events: StreamResponse[]): { state: TaskState | undefined; parts: Part[] } {
  const updates = events.flatMap((e) => (e.payload?.$case === 'statusUpdate' ? [e.payload.value] : []));
  const last = updates.at(-1);
  return { state: last?.status?.state, parts: last?.status?.message?.parts ?? [] };
}

/** The child's session store, noting which tasks it saves for which context. */
class ChildStore extends InMemorySessionStore {
  readonly tasksByContext = new Map<string, string>();
  override saveTask(taskId: string, sessionId: string, task: unknown): Promise<void> {
    this.tasksByContext.set(sessionId, taskId);
    return super.saveTask(taskId, sessionId, task);
  }
}

function lastMessageOf(body: unknown): { role: string; content: string } | undefined {
  return (body as { messages: { role: string; content: string }[] }).messages.at(-1);
}

describe('remote agents as tools', () => {
  let llm: MockLlm;
  let everything: HttpMcpServer;
  let child: AgentRuntime;
  let parent: AgentRuntime;
  let childServer: A2aServer;
  let parentServer: A2aServer;
  const childHeaders: Headers[] = [];
  const childBodies: { method: string; params: { message?: { taskId?: string } } }[] = [];
  let client: Client;
  let childClient: Client;
  const childStore = new ChildStore();

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          match: { contains: 'delegate this', role: 'user' },
          response: {
            toolCalls: [{ id: 'r1', name: 'test__NS__child', arguments: { request: 'child job' } }],
          },
        },
        { match: { role: 'tool', toolCallId: 'r1' }, response: { content: 'parent got it' } },
        { match: { contains: 'child job', role: 'user' }, response: { content: 'child result 7' } },
        // Approval inside the child, approved by the parent's client.
        {
          match: { contains: 'sum via child', role: 'user' },
          response: {
            toolCalls: [{ id: 'r2', name: 'test__NS__child', arguments: { request: 'child adds 2 and 3' } }],
          },
        },
        {
          match: { contains: 'child adds', role: 'user' },
          response: {
            content: 'Adding.',
            toolCalls: [{ id: 's1', name: 'get-sum', arguments: { a: 2, b: 3 } }],
          },
        },
        { match: { role: 'tool', toolCallId: 's1' }, response: { content: 'child sum done' } },
        { match: { role: 'tool', toolCallId: 'r2' }, response: { content: 'parent reports the sum' } },
        // The same, rejected.
        {
          match: { contains: 'refuse via child', role: 'user' },
          response: {
            toolCalls: [{ id: 'r3', name: 'test__NS__child', arguments: { request: 'child tries 4 and 4' } }],
          },
        },
        {
          match: { contains: 'child tries', role: 'user' },
          response: { toolCalls: [{ id: 's2', name: 'get-sum', arguments: { a: 4, b: 4 } }] },
        },
        { match: { role: 'tool', toolCallId: 's2' }, response: { content: 'child was refused' } },
        { match: { role: 'tool', toolCallId: 'r3' }, response: { content: 'parent reports the refusal' } },
        // Canceled while the child waits for approval.
        {
          match: { contains: 'pause then cancel', role: 'user' },
          response: {
            toolCalls: [{ id: 'r4', name: 'test__NS__child', arguments: { request: 'child sums 6 and 7' } }],
          },
        },
        {
          match: { contains: 'child sums', role: 'user' },
          response: { toolCalls: [{ id: 's3', name: 'get-sum', arguments: { a: 6, b: 7 } }] },
        },
        // Canceled while the child is still working (its model call is slow).
        {
          match: { contains: 'cancel mid-call', role: 'user' },
          response: {
            toolCalls: [{ id: 'r5', name: 'test__NS__child', arguments: { request: 'child thinks long' } }],
          },
        },
        {
          match: { contains: 'child thinks long', role: 'user' },
          delayMs: 30_000,
          response: { content: 'too late' },
        },
      ],
    });
    everything = await startHttpMcpServer({ transport: 'streamableHttp' });
    const model = { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI };
    const [childPort, parentPort] = [await freePort(), await freePort()];
    const childUrl = `http://127.0.0.1:${childPort}`;
    child = await createAgentRuntime({
      config: parseAgentConfig({
        model,
        instruction: 'child',
        http_tools: [{ params: { url: everything.url }, tools: ['get-sum'], require_approval: ['get-sum'] }],
      }),
      card: card('child'),
      sessions: childStore,
      logger: silentLogger,
      publicUrl: childUrl,
    });
    childServer = await startA2aServer({ app: child.app, host: '127.0.0.1', port: childPort });
    // Records what the parent sends to the child.
    const recordingFetch: typeof fetch = (input, init) => {
      if (init?.method === 'POST') {
        childHeaders.push(new Headers(init.headers));
        childBodies.push(JSON.parse(init.body as string) as (typeof childBodies)[number]);
      }
      return fetch(input, init);
    };
    parent = await createAgentRuntime({
      config: parseAgentConfig({
        model,
        instruction: 'parent',
        remote_agents: [
          { name: 'test__NS__child', url: childUrl, headers: { 'x-kagent-host': 'child.test' } },
        ],
      }),
      card: card('parent'),
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
      publicUrl: `http://127.0.0.1:${parentPort}`,
      remoteAgentFetch: recordingFetch,
    });
    parentServer = await startA2aServer({ app: parent.app, host: '127.0.0.1', port: parentPort });
    client = await new ClientFactory().createFromUrl(`http://127.0.0.1:${parentServer.port}`);
    childClient = await new ClientFactory().createFromUrl(childUrl);
  });

  afterAll(async () => {
    await parentServer.close();
    await childServer.close();
    await parent.close();
    await child.close();
    await everything.dispose();
    await llm.close();
  });

  it('delegates over A2A with the user and source headers and returns the child answer', async () => {
    const result = (await client.sendMessage(
      SendMessageRequest.fromJSON({
        message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'delegate this' }] },
      }),
      { serviceParameters: { 'x-user-id': 'alice@example.com' } },
    )) as Task;
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const toolResult = (
      llm.requests.at(-1)?.body as { messages: { role: string; content: string }[] }
    ).messages.at(-1);
    expect(toolResult).toMatchObject({ role: 'tool', content: 'child result 7' });
    const sent = childHeaders.at(-1);
    expect(sent?.get('x-user-id')).toBe('alice@example.com');
    expect(sent?.get('x-kagent-source')).toBe('agent');
    expect(sent?.get('x-kagent-host')).toBe('child.test');
  });

  it("carries the child's approval up to the parent's client and the decision down to the child", async () => {
    const events = await collect(client.sendMessageStream(message('sum via child')));
    const first = events[0]?.payload;
    const task = first?.$case === 'task' ? first.value : undefined;
    const paused = lastStatus(events);
    expect(paused.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    // The child's pending call, as the child described it, tagged with the sub-agent's name.
    const request = paused.parts.find((p) => p.content?.$case === 'data');
    expect(request?.content?.value).toMatchObject({
      id: 'confirm_s1',
      name: 'adk_request_confirmation',
      args: { originalFunctionCall: { id: 's1', name: 'get-sum', args: { a: 2, b: 3 } } },
    });
    expect(request?.metadata).toMatchObject({
      kagent_type: 'function_call',
      kagent_is_long_running: true,
      kagent_subagent: 'test__NS__child',
    });
    // The child's steps were streamed into the parent's stream while it worked.
    const progress = events.flatMap((e) =>
      e.payload?.$case === 'statusUpdate' &&
      e.payload.value.status?.message?.metadata?.['kagent_author'] === 'test__NS__child'
        ? (e.payload.value.status.message.parts ?? [])
        : [],
    );
    expect(progress.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('\n')).toContain(
      'Calling get-sum.',
    );
    expect(childBodies.at(-1)?.params.message?.taskId ?? '').toBe('');
    const before = llm.requests.length;

    const done = (await client.sendMessage(
      message('', { taskId: task?.id, contextId: task?.contextId, data: { decision_type: 'approve' } }),
    )) as Task;
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.artifacts.flatMap((a) => a.parts)[0]?.content?.value).toBe('parent reports the sum');
    // The decision went to the same child task, which ran the tool once and finished.
    const resumed = childBodies.at(-1)?.params.message as { taskId?: string; contextId?: string };
    const childClient = await new ClientFactory().createFromUrl(`http://127.0.0.1:${childServer.port}`);
    const childTask = await childClient.getTask({
      id: resumed.taskId ?? '',
      tenant: '',
      historyLength: undefined,
    });
    expect(childTask.contextId).toBe(resumed.contextId);
    expect(childTask.contextId).toBe(`${task?.contextId ?? ''}-test__NS__child`);
    expect(childTask.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(JSON.stringify(childTask.history)).toContain('child adds 2 and 3');
    const after = llm.requests.slice(before).map((r) => lastMessageOf(r.body));
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ role: 'tool' });
    expect(after[0]?.content).toContain('5');
    expect(after[1]).toMatchObject({ role: 'tool', content: 'child sum done' });
  });

  it('forwards a rejection down; the child skips the tool and the parent goes on', async () => {
    const events = await collect(client.sendMessageStream(message('refuse via child')));
    const first = events[0]?.payload;
    const task = first?.$case === 'task' ? first.value : undefined;
    expect(lastStatus(events).state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const before = llm.requests.length;
    const done = (await client.sendMessage(
      message('', {
        taskId: task?.id,
        contextId: task?.contextId,
        data: { decision_type: 'reject', rejection_reasons: { confirm_s2: 'not today' } },
      }),
    )) as Task;
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.artifacts.flatMap((a) => a.parts)[0]?.content?.value).toBe('parent reports the refusal');
    const after = llm.requests.slice(before).map((r) => lastMessageOf(r.body));
    expect(after[0]?.content).toContain('rejected');
    expect(after[0]?.content).toContain('not today');
    expect(after[1]).toMatchObject({ role: 'tool', content: 'child was refused' });
  });
  const childState = async (taskId: string): Promise<TaskState | undefined> =>
    (await childClient.getTask({ id: taskId, tenant: '', historyLength: undefined })).status?.state;

  it("cancels the child's task when the parent is canceled while both wait for approval", async () => {
    const events = await collect(
      client.sendMessageStream(message('pause then cancel'), {
        serviceParameters: { 'x-user-id': 'bob@example.com' },
      }),
    );
    const first = events[0]?.payload;
    const task = first?.$case === 'task' ? first.value : undefined;
    expect(lastStatus(events).state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const childTaskId = childStore.tasksByContext.get(`${task?.contextId ?? ''}-test__NS__child`) ?? '';
    expect(await childState(childTaskId)).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    const canceled = await client.cancelTask(
      { id: task?.id ?? '', tenant: '', metadata: undefined },
      { serviceParameters: { 'x-user-id': 'bob@example.com' } },
    );
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // The cancel went down to the child task, as the same user, before the parent answered.
    const sent = childBodies.at(-1);
    expect(sent?.method).toMatch(/^(tasks\/cancel|CancelTask)$/);
    expect(childHeaders.at(-1)?.get('x-user-id')).toBe('bob@example.com');
    expect(await childState(childTaskId)).toBe(TaskState.TASK_STATE_CANCELED);
    // The child's approval never runs: its pause is closed.
    const before = llm.requests.length;
    await expect(
      childClient.sendMessage(
        message('', {
          taskId: childTaskId,
          contextId: `${task?.contextId ?? ''}-test__NS__child`,
          data: { decision_type: 'approve' },
        }),
      ),
    ).rejects.toThrow();
    expect(llm.requests.length).toBe(before);
  });

  it("cancels the child's task when the parent is canceled during the call", async () => {
    const stream = client.sendMessageStream(message('cancel mid-call'));
    const first = (await stream.next()).value as StreamResponse | undefined;
    const task = first?.payload?.$case === 'task' ? first.payload.value : undefined;
    const childContext = `${task?.contextId ?? ''}-test__NS__child`;
    // The child has started (its slow model call is under way).
    const childTaskId = await waitFor(() => childStore.tasksByContext.get(childContext), {
      description: 'the child task',
    });
    await waitFor(() => llm.requests.some((r) => JSON.stringify(r.body).includes('child thinks long')), {
      description: "the child's model call",
    });
    const canceled = await client.cancelTask({ id: task?.id ?? '', tenant: '', metadata: undefined });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const rest = await collect(stream);
    expect(lastStatus(rest).state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(
      await waitFor(async () => (await childState(childTaskId)) === TaskState.TASK_STATE_CANCELED, {
        description: 'the child task canceled',
      }),
    ).toBe(true);
    expect(child.executor.activeTasks).toBe(0);
  });
});
