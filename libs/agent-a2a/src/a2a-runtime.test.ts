import type { AgentCard, Part, StreamResponse, Task } from '@a2a-js/sdk';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@agentplane/testing/wait';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startA2aServer, type A2aServer } from './a2a-server.js';
import { createAgentRuntime, type AgentRuntime } from './create-agent-runtime.js';
import { toSdkAgentCard } from './to-sdk-agent-card.js';

interface SentRequest {
  version: string | null;
  method: string;
}

function partsOf(event: StreamResponse): Part[] {
  const p = event.payload;
  if (p?.$case === 'statusUpdate') return p.value.status?.message?.parts ?? [];
  if (p?.$case === 'artifactUpdate') return p.value.artifact?.parts ?? [];
  return [];
}

function dataParts(events: StreamResponse[], kagentType: string): Record<string, unknown>[] {
  return events
    .flatMap(partsOf)
    .filter((p) => p.content?.$case === 'data' && p.metadata?.['kagent_type'] === kagentType)
    .map((p) => (p.content?.$case === 'data' ? (p.content.value as Record<string, unknown>) : {}));
}

function states(events: StreamResponse[]): TaskState[] {
  return events.flatMap((e) => {
    if (e.payload?.$case === 'task')
      return [e.payload.value.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED];
    if (e.payload?.$case === 'statusUpdate')
      return [e.payload.value.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED];
    return [];
  });
}

function userMessage(
  text: string,
  extra: { contextId?: string; taskId?: string; data?: unknown } = {},
): SendMessageRequest {
  const parts: unknown[] = text === '' ? [] : [{ text }];
  if (extra.data !== undefined) parts.push({ data: extra.data });
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts,
      ...(extra.contextId ? { contextId: extra.contextId } : {}),
      ...(extra.taskId ? { taskId: extra.taskId } : {}),
    },
  });
}

function asTask(result: unknown): Task {
  expect(result).toHaveProperty('status');
  return result as Task;
}

async function collect(stream: AsyncGenerator<StreamResponse>): Promise<StreamResponse[]> {
  const out: StreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe('agent runtime over A2A with the official client', () => {
  let llm: MockLlm;
  let everything: HttpMcpServer;
  let runtime: AgentRuntime;
  let server: A2aServer;
  let baseUrl: string;
  let card: AgentCard;
  const sent: SentRequest[] = [];

  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : {};
    sent.push({ version: headers.get('a2a-version'), method: body.method ?? '' });
    return fetch(input, init);
  };

  const clientFor = async (version: '0.3' | '1.0'): Promise<Client> => {
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [
          new JsonRpcTransportFactory({ fetchImpl: recordingFetch, legacyCompat: { enabled: true } }),
        ],
      }),
    );
    return factory.createFromAgentCard({
      ...card,
      supportedInterfaces: card.supportedInterfaces.filter((i) => i.protocolVersion === version),
    });
  };

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        { match: { contains: 'say hello', role: 'user' }, response: { content: 'Hello from the agent.' } },
        {
          match: { contains: 'echo please', role: 'user' },
          response: {
            content: 'Calling echo.',
            toolCalls: [{ id: 'e1', name: 'echo', arguments: { message: 'ping-42' } }],
          },
        },
        { match: { role: 'tool', toolCallId: 'e1' }, response: { content: 'The tool said: done' } },
        {
          match: { contains: 'add numbers', role: 'user' },
          response: { toolCalls: [{ id: 'g1', name: 'get-sum', arguments: { a: 2, b: 3 } }] },
        },
        { match: { role: 'tool', toolCallId: 'g1' }, response: { content: 'sum reported' } },
        {
          match: { contains: 'short story', role: 'user' },
          response: { content: 'A short story, told slowly.', chunkSize: 2 },
          chunkDelayMs: 40,
        },
        {
          match: { contains: 'slow story', role: 'user' },
          response: {
            content: 'Once upon a time there was a very long story that never seemed to end at all.',
            chunkSize: 2,
          },
          chunkDelayMs: 100,
        },
      ],
    });
    everything = await startHttpMcpServer({ transport: 'streamableHttp' });
    const config = parseAgentConfig({
      model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI },
      instruction: 'You are helpful.',
      http_tools: [
        { params: { url: everything.url }, tools: ['echo', 'get-sum'], require_approval: ['get-sum'] },
      ],
      stream: true,
    });
    const agentCard = parseAgentCard({
      name: 'test_agent',
      description: 'a test agent',
      url: 'http://test-agent.test:8080',
      capabilities: { streaming: true },
      supportedInterfaces: [
        { url: 'http://test-agent.test:8080', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
        { url: 'http://test-agent.test:8080', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      ],
      skills: null,
    });
    runtime = await createAgentRuntime({
      config,
      card: agentCard,
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
      llmMaxRetries: 0,
    });
    server = await startA2aServer({ app: runtime.app, host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${server.port}`;
    card = toSdkAgentCard(agentCard, { publicUrl: baseUrl });
  });

  afterAll(async () => {
    await server.close();
    await runtime.close();
    await everything.dispose();
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
    sent.length = 0;
  });

  it('serves the agent card at both well-known paths, in v0.3 and v1.0 form', async () => {
    const legacy = (await (await fetch(`${baseUrl}/.well-known/agent.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(legacy).toMatchObject({
      name: 'test_agent',
      url: 'http://test-agent.test:8080',
      capabilities: { streaming: true },
    });
    const v1 = (await (
      await fetch(`${baseUrl}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })
    ).json()) as { supportedInterfaces: { protocolVersion: string }[] };
    expect(v1.supportedInterfaces.map((i) => i.protocolVersion)).toEqual(['0.3', '1.0']);
    expect(legacy).toMatchObject({
      protocolVersion: '0.3',
      preferredTransport: 'JSONRPC',
      defaultInputModes: ['text'],
      supportsAuthenticatedExtendedCard: false,
    });
  });

  describe.each([
    ['0.3', 'message/send', 'message/stream'],
    ['1.0', 'SendMessage', 'SendStreamingMessage'],
  ] as const)('protocol %s', (version, sendMethod, streamMethod) => {
    it('message/send returns a completed task with the answer as artifact', async () => {
      const client = await clientFor(version);
      const task = asTask(await client.sendMessage(userMessage('say hello')));
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const text = task.artifacts.flatMap((a) => a.parts).find((p) => p.content?.$case === 'text');
      expect(text?.content).toEqual({ $case: 'text', value: 'Hello from the agent.' });
      expect(sent.map((s) => s.method)).toEqual([sendMethod]);
      if (version === '1.0') expect(sent[0]?.version).toBe('1.0');
    });

    it('message/stream streams steps, tool call and result, artifact, then completed', async () => {
      const client = await clientFor(version);
      const events = await collect(client.sendMessageStream(userMessage('echo please')));
      expect(sent.map((s) => s.method)).toEqual([streamMethod]);
      expect(events[0]?.payload?.$case).toBe('task');
      const seen = states(events);
      expect(seen[0]).toBe(TaskState.TASK_STATE_SUBMITTED);
      expect(seen).toContain(TaskState.TASK_STATE_WORKING);
      expect(seen.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(dataParts(events, 'function_call')).toEqual([
        { id: 'e1', name: 'echo', args: { message: 'ping-42' } },
      ]);
      const [response] = dataParts(events, 'function_response');
      expect(response).toMatchObject({ id: 'e1', name: 'echo', response: { isError: false } });
      expect(JSON.stringify(response)).toContain('Echo: ping-42');
      const artifact = events.find((e) => e.payload?.$case === 'artifactUpdate');
      expect(partsOf(artifact ?? {})[0]?.content).toEqual({ $case: 'text', value: 'The tool said: done' });
      // Partial token messages were streamed while the model answered.
      const partials = events.filter(
        (e) =>
          e.payload?.$case === 'statusUpdate' &&
          e.payload.value.status?.message?.metadata?.['adk_partial'] === true,
      );
      expect(partials.length).toBeGreaterThan(0);
      // The MCP server's answer reached the model.
      const second = llm.requests[1]?.body as { messages: { role: string; content: string }[] };
      expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: 'Echo: ping-42' });
    });

    it('resubscribing to a running task gives the current task, then the remaining events', async () => {
      const client = await clientFor(version);
      const first = client.sendMessageStream(userMessage('short story'));
      let taskId = '';
      // Drop the first connection once the task works (a client that lost its stream).
      for await (const e of first) {
        if (e.payload?.$case === 'task') taskId = e.payload.value.id;
        if (e.payload?.$case === 'statusUpdate') break;
      }
      expect(taskId).not.toBe('');
      const events = await collect(client.resubscribeTask({ id: taskId, tenant: '' }));
      expect(sent.at(-1)?.method).toBe(version === '0.3' ? 'tasks/resubscribe' : 'SubscribeToTask');
      const head = events[0]?.payload;
      expect(head?.$case).toBe('task');
      expect(head?.$case === 'task' ? head.value.id : '').toBe(taskId);
      expect(head?.$case === 'task' ? head.value.status?.state : undefined).toBe(
        TaskState.TASK_STATE_WORKING,
      );
      expect(states(events).at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
      const artifact = events.find((e) => e.payload?.$case === 'artifactUpdate');
      expect(partsOf(artifact ?? {})[0]?.content).toEqual({
        $case: 'text',
        value: 'A short story, told slowly.',
      });
      // A finished task cannot be subscribed to.
      await expect(collect(client.resubscribeTask({ id: taskId, tenant: '' }))).rejects.toThrow();
    });

    it('pauses a tool that needs approval and runs it after approve', async () => {
      const client = await clientFor(version);
      const events = await collect(client.sendMessageStream(userMessage('add numbers')));
      expect(states(events).at(-1)).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const [confirmation] = dataParts(events, 'function_call').filter(
        (d) => d['name'] === 'adk_request_confirmation',
      );
      expect(confirmation).toMatchObject({
        id: 'confirm_g1',
        args: { originalFunctionCall: { id: 'g1', name: 'get-sum', args: { a: 2, b: 3 } } },
      });
      const first = events[0]?.payload;
      const task = first?.$case === 'task' ? first.value : undefined;
      expect(llm.requests).toHaveLength(1);
      const resumed = asTask(
        await client.sendMessage(
          userMessage('', {
            taskId: task?.id,
            contextId: task?.contextId,
            data: { decision_type: 'approve' },
          }),
        ),
      );
      expect(resumed.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(llm.requests).toHaveLength(2);
      const body = llm.requests[1]?.body as { messages: { role: string; content: string }[] };
      expect(body.messages.at(-1)?.role).toBe('tool');
      expect(body.messages.at(-1)?.content).toContain('5');
    });
  });

  it('keeps the conversation of a contextId across tasks', async () => {
    const client = await clientFor('1.0');
    const first = asTask(await client.sendMessage(userMessage('say hello')));
    await client.sendMessage(userMessage('say hello again', { contextId: first.contextId }));
    const body = llm.requests[1]?.body as { messages: { role: string; content: string }[] };
    expect(body.messages.map((m) => m.content)).toEqual([
      'You are helpful.',
      'say hello',
      'Hello from the agent.',
      'say hello again',
    ]);
  });

  it('cancel stops the model call in flight', async () => {
    const client = await clientFor('0.3');
    const stream = client.sendMessageStream(userMessage('slow story'));
    const events: StreamResponse[] = [];
    let taskId = '';
    const started = Date.now();
    for await (const e of stream) {
      events.push(e);
      if (e.payload?.$case === 'task') taskId = e.payload.value.id;
      const partial =
        e.payload?.$case === 'statusUpdate' &&
        e.payload.value.status?.message?.metadata?.['adk_partial'] === true;
      if (partial && events.length === 4) {
        const canceled = await client.cancelTask({ id: taskId, tenant: '', metadata: undefined });
        expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      }
    }
    expect(states(events).at(-1)).toBe(TaskState.TASK_STATE_CANCELED);
    // The full reply takes about 4 s to stream; cancel ended it long before.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(runtime.executor.activeTasks).toBe(0);
    const got = await client.getTask({ id: taskId, tenant: '', historyLength: undefined });
    expect(got.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('answers malformed JSON and unknown methods with JSON-RPC errors', async () => {
    const bad = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const unknown = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'NoSuchMethod', params: {} }),
    });
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32601);
    const notAnObject = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1]',
    });
    expect(((await notAnObject.json()) as { error: { code: number } }).error.code).toBe(-32600);
    const wrongType = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(((await wrongType.json()) as { error: { code: number } }).error.code).toBe(-32005);
    const tooBig = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(tooBig.status).toBe(413);
  });

  it('speaks the v0.3 wire shape to a plain JSON-RPC client', async () => {
    const res = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: 'm1',
            role: 'user',
            parts: [{ kind: 'text', text: 'say hello' }],
          },
        },
      }),
    });
    const json = (await res.json()) as { id: number; result: Record<string, unknown> };
    expect(json.id).toBe(7);
    expect(json.result).toMatchObject({
      kind: 'task',
      status: { state: 'completed' },
      artifacts: [{ parts: [{ kind: 'text', text: 'Hello from the agent.' }] }],
    });
  });

  it('delivers push notifications to a webhook, retrying failures', async () => {
    const received: { token: string | undefined; body: string }[] = [];
    let calls = 0;
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        calls++;
        // The first two deliveries fail; the sender must retry them.
        if (calls <= 2) {
          res.writeHead(503).end();
          return;
        }
        received.push({
          token: req.headers['x-a2a-notification-token'] as string | undefined,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      const res = await fetch(baseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'message/send',
          params: {
            message: {
              kind: 'message',
              messageId: 'push-1',
              role: 'user',
              parts: [{ kind: 'text', text: 'say hello' }],
            },
            configuration: { pushNotificationConfig: { url: hookUrl, token: 'hook-token' } },
          },
        }),
      });
      const json = (await res.json()) as { result?: { status: { state: string } } };
      // With a webhook registered the send may return before the task ends.
      expect(['submitted', 'working', 'completed']).toContain(json.result?.status.state);
      await waitFor(() => received.some((r) => r.body.includes('"completed"')), {
        timeoutMs: 10_000,
        description: 'completed notification',
      });
      expect(calls).toBeGreaterThan(received.length);
      expect(received.every((r) => r.token === 'hook-token')).toBe(true);
      // v0.3 client, v0.3 payloads.
      // v0.3 client, v0.3 payloads: the Task; streamed-token steps are not pushed.
      const bodies = received.map((r) => JSON.parse(r.body) as { kind: string; status: { state: string } });
      expect(bodies.every((b) => b.kind === 'task')).toBe(true);
      expect(bodies.map((b) => b.status.state)).toContain('working');
      expect(received.some((r) => r.body.includes('"text":"Hello fr"'))).toBe(false);
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});
