import type { StreamResponse, Task } from '@a2a-js/sdk';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { createAgentRuntime, startA2aServer, type A2aServer } from '@agentplane/agent-a2a';
import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import {
  ControllerSessionStore,
  silentLogger as coreLogger,
  type SessionStore,
} from '@agentplane/agent-core';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import express from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentResolver } from '../agent-resolver.js';
import { InMemoryResourceStore } from '../testing/in-memory-resource-store.js';
import {
  openEngine,
  startApiHarness,
  type ApiHarness,
  type EngineDatabase,
} from '../testing/harness/api-harness.js';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  /** Set when the agent's response closed: whether it had been sent completely. */
  finished?: boolean;
}

function userMessage(text: string): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
  });
}

function artifactText(task: Task): string {
  return task.artifacts
    .flatMap((a) => a.parts)
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .join('');
}

/**
 * The A2A proxy and `/mcp` against a real agent runtime (libs/agent-a2a, in process, answering
 * from the mock LLM) that keeps its sessions through this API with agent-core's client.
 */
describe('agent traffic through the controller', () => {
  let llm: MockLlm;
  let engine: EngineDatabase;
  let api: ApiHarness;
  let agentServer: A2aServer;
  let closeRuntime: () => Promise<void>;
  const seen: Seen[] = [];
  let agentUrl: string | undefined;
  const resolver: AgentResolver = {
    resolve: (ref) => Promise.resolve(ref.name === 'helper' ? agentUrl : undefined),
  };

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        { match: { contains: 'say hello', role: 'user' }, response: { content: 'Hello from the agent.' } },
        {
          match: { contains: 'slow story', role: 'user' },
          response: { content: 'Once upon a time there was a story that went on and on.', chunkSize: 4 },
          chunkDelayMs: 40,
        },
      ],
    });
    engine = await openEngine('pglite', undefined);
    const store = new InMemoryResourceStore({ namespaces: ['kagent'] });
    for (const name of ['helper', 'sleeper']) {
      store.put({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name, namespace: 'kagent' },
        spec: { type: 'Declarative', description: `the ${name}`, declarative: { systemMessage: 'hi' } },
        status: { conditions: [{ type: 'Ready', status: name === 'helper' ? 'True' : 'False' }] },
      });
    }
    api = await startApiHarness({ engine, resources: store, agentResolver: resolver });

    const sessions: SessionStore & ControllerSessionStore = new ControllerSessionStore({
      baseUrl: api.url,
      agentRef: 'kagent/helper',
    });
    const runtime = await createAgentRuntime({
      config: parseAgentConfig({
        model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI },
        instruction: 'You are helpful.',
        stream: true,
      }),
      card: parseAgentCard({
        name: 'helper',
        description: 'a helper',
        url: 'http://helper.kagent:8080',
        capabilities: { streaming: true },
        supportedInterfaces: [
          { url: 'http://helper.kagent:8080', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
          { url: 'http://helper.kagent:8080', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        ],
        skills: null,
      }),
      sessions,
      logger: coreLogger,
      llmMaxRetries: 0,
    });
    closeRuntime = () => runtime.close();
    // Records what reaches the agent, then hands the request to the runtime.
    const front = express();
    front.use((req, res, next) => {
      const entry: Seen = { path: req.path, headers: req.headers };
      seen.push(entry);
      res.on('close', () => {
        entry.finished = res.writableFinished;
      });
      next();
    });
    front.use(runtime.app);
    agentServer = await startA2aServer({ app: front, host: '127.0.0.1', port: 0 });
    agentUrl = `http://127.0.0.1:${agentServer.port}`;
  });

  afterAll(async () => {
    await agentServer?.close();
    await closeRuntime?.();
    await api?.close();
    await engine?.dispose();
    await llm?.close();
  });

  const proxyBase = (): string => `${api.url}/api/a2a/kagent/helper/`;

  const clientFor = async (version: '0.3' | '1.0', user: string): Promise<Client> => {
    const withUser: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-user-id', user);
      headers.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      return fetch(input, { ...init, headers });
    };
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl: withUser, legacyCompat: { enabled: true } })],
      }),
    );
    const card = await (
      await fetch(`${proxyBase()}.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })
    ).json();
    const parsed = card as { supportedInterfaces: { protocolVersion: string }[] };
    return factory.createFromAgentCard({
      ...(card as object),
      supportedInterfaces: parsed.supportedInterfaces.filter((i) => i.protocolVersion === version),
    } as Parameters<ClientFactory['createFromAgentCard']>[0]);
  };

  it('serves the agent card with its URLs rewritten to the proxy, in both versions', async () => {
    const legacy = (await (await fetch(`${proxyBase()}.well-known/agent-card.json`)).json()) as {
      url: string;
      name: string;
    };
    expect(legacy).toMatchObject({ name: 'helper', url: proxyBase() });
    const v1 = await fetch(`${proxyBase()}.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    const card = (await v1.json()) as { supportedInterfaces: { url: string; protocolVersion: string }[] };
    expect(card.supportedInterfaces.map((i) => [i.protocolVersion, i.url])).toEqual([
      ['0.3', proxyBase()],
      ['1.0', proxyBase()],
    ]);
    expect(seen.at(-1)?.headers['a2a-version']).toBe('1.0');
    // The official client resolves the card through the proxy too.
    const factory = new ClientFactory();
    const client = await factory.createFromUrl(proxyBase());
    expect((await client.getAgentCard()).supportedInterfaces[0]?.url).toBe(proxyBase());
  });

  it.each(['0.3', '1.0'] as const)(
    'message/send over A2A %s reaches the agent with the user and trace context',
    async (version) => {
      const client = await clientFor(version, 'alice@example.com');
      const result = await client.sendMessage(userMessage('say hello'));
      const task = result as Task;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(artifactText(task)).toBe('Hello from the agent.');
      const upstream = seen.filter((s) => s.path === '/').at(-1);
      expect(upstream?.headers['x-user-id']).toBe('alice@example.com');
      expect(upstream?.headers['traceparent']).toBe(
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      );
      expect(upstream?.headers['a2a-version']).toBe(version);
      // The runtime kept the conversation through this API, under the forwarded user.
      const sessions = await api.call('GET', '/api/sessions', { user: 'alice@example.com' });
      const ids = (sessions.json as { data: { id: string }[] }).data.map((s) => s.id);
      expect(ids).toContain(task.contextId);
    },
  );

  it("keeps the runtime's tasks as A2A v0.3 JSON, which a restarted replica reads back", async () => {
    const client = await clientFor('1.0', 'dave');
    const task = (await client.sendMessage(userMessage('say hello'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const stored = await waitFor(
      async () => {
        const res = await api.call('GET', `/api/tasks/${task.id}`);
        const data = (res.json as { data?: { status?: { state?: string } } } | undefined)?.data;
        return data?.status?.state === 'completed' ? data : false;
      },
      { description: 'the completed task stored' },
    );
    expect(stored).toMatchObject({
      kind: 'task',
      id: task.id,
      contextId: task.contextId,
      status: { state: 'completed' },
      artifacts: [{ parts: [{ kind: 'text', text: 'Hello from the agent.' }] }],
    });
    const history = (stored as { history: unknown[] }).history;
    expect(history[0]).toMatchObject({
      kind: 'message',
      role: 'user',
      parts: [{ kind: 'text', text: 'say hello' }],
    });
    expect(history.at(-1)).toMatchObject({ kind: 'message', role: 'agent' });
    expect((await api.repositories.tasks.get(task.id))?.protocolVersion).toBe('0.3');
    const listed = await api.call('GET', `/api/sessions/${task.contextId}/tasks`, { user: 'dave' });
    expect((listed.json as { data: unknown[] }).data).toEqual([stored]);

    // A second replica (nothing cached) answers tasks/get from what the controller keeps.
    const replica = await createAgentRuntime({
      config: parseAgentConfig({
        model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI },
        instruction: 'You are helpful.',
      }),
      card: parseAgentCard({
        name: 'helper',
        description: 'a helper',
        url: 'http://helper.kagent:8080',
        capabilities: { streaming: true },
        supportedInterfaces: [
          { url: 'http://helper.kagent:8080', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
        ],
        skills: null,
      }),
      sessions: new ControllerSessionStore({ baseUrl: api.url, agentRef: 'kagent/helper' }),
      logger: coreLogger,
    });
    const server = await startA2aServer({ app: replica.app, host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tasks/get', params: { id: task.id } }),
      });
      const body = (await res.json()) as { result?: unknown; error?: unknown };
      expect(body.error).toBeUndefined();
      expect(body.result).toMatchObject({
        kind: 'task',
        id: task.id,
        status: { state: 'completed' },
        artifacts: [{ parts: [{ kind: 'text', text: 'Hello from the agent.' }] }],
      });
    } finally {
      await server.close();
      await replica.close();
    }
  });

  it('streams events as they happen, without buffering', async () => {
    const client = await clientFor('1.0', 'bob');
    const arrivals: { at: number; event: StreamResponse }[] = [];
    for await (const event of client.sendMessageStream(userMessage('slow story'))) {
      arrivals.push({ at: Date.now(), event });
    }
    expect(arrivals[0]?.event.payload?.$case).toBe('task');
    const last = arrivals.at(-1);
    expect(last?.event.payload?.$case).toBe('statusUpdate');
    if (last?.event.payload?.$case === 'statusUpdate') {
      expect(last.event.payload.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    }
    // The story takes ~14 chunks 40 ms apart: the first events must arrive long before the end.
    expect(arrivals.length).toBeGreaterThan(5);
    expect(last!.at - arrivals[0]!.at).toBeGreaterThan(250);
  });

  it('a client that goes away aborts the exchange with the agent', async () => {
    const controller = new AbortController();
    const res = await fetch(proxyBase(), {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/stream',
        params: {
          message: {
            kind: 'message',
            role: 'user',
            messageId: crypto.randomUUID(),
            parts: [{ kind: 'text', text: 'slow story' }],
          },
        },
      }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value as Uint8Array);
    const taskId = /"kind":"task","id":"([^"]+)"|"id":"([^"]+)"[^{}]*"kind":"task"/.exec(first);
    const upstream = seen.at(-1)!;
    controller.abort();
    await waitFor(() => upstream.finished !== undefined, { description: 'the agent response to close' });
    expect(upstream.finished).toBe(false);
    // Let the agent settle the task it was working on before the suite stops the API.
    const id = taskId?.[1] ?? taskId?.[2];
    expect(id).toBeDefined();
    await waitFor(
      async () => {
        const task = (await api.repositories.tasks.get(id!))?.data as
          { status?: { state?: string } } | undefined;
        const state = task?.status?.state;
        return state === 'completed' || state === 'canceled';
      },
      { description: 'the interrupted task to settle' },
    );
  });

  it('answers 404 for an unknown agent and 502 for one that is not running', async () => {
    const unknown = await fetch(`${api.url}/api/a2a/kagent/nobody/`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe('agent kagent/nobody not found');
    const down = await fetch(`${api.url}/api/a2a/kagent/sleeper/.well-known/agent-card.json`);
    expect(down.status).toBe(502);
  });

  describe('/mcp with the official MCP client', () => {
    let mcp: McpClient;

    beforeAll(async () => {
      mcp = new McpClient({ name: 'test', version: '1.0.0' });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
          requestInit: { headers: { 'x-user-id': 'carol' } },
        }),
      );
    });

    afterAll(() => mcp?.close());

    it('lists the tools and the agents', async () => {
      const tools = await mcp.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['invoke_agent', 'list_agents']);
      const result = await mcp.callTool({ name: 'list_agents', arguments: {} });
      expect(result.structuredContent).toEqual({
        agents: [
          { ref: 'kagent/helper', description: 'the helper', ready: true },
          { ref: 'kagent/sleeper', description: 'the sleeper', ready: false },
        ],
      });
    });

    it('invoke_agent sends the task over A2A and returns the answer', async () => {
      const result = await mcp.callTool({
        name: 'invoke_agent',
        arguments: { agent: 'kagent/helper', task: 'say hello' },
      });
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: 'Hello from the agent.' }]);
      expect(seen.filter((s) => s.path === '/').at(-1)?.headers['x-user-id']).toBe('carol');
      const missing = await mcp.callTool({
        name: 'invoke_agent',
        arguments: { agent: 'kagent/nobody', task: 'hi' },
      });
      expect(missing).toMatchObject({ isError: true, content: [{ text: 'agent kagent/nobody not found' }] });
      const down = await mcp.callTool({
        name: 'invoke_agent',
        arguments: { agent: 'kagent/sleeper', task: 'hi' },
      });
      expect(down).toMatchObject({
        isError: true,
        content: [{ text: 'agent kagent/sleeper is not running' }],
      });
    });

    it('refuses other browser origins and GET streams', async () => {
      const res = await fetch(`${api.url}/mcp`, {
        method: 'POST',
        headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(403);
      expect((await fetch(`${api.url}/mcp`)).status).toBe(405);
    });
  });
});
