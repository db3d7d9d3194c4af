import type { IncomingHttpHeaders } from 'node:http';
import type { Task } from '@a2a-js/sdk';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { freePort } from '@agentplane/testing/free-port';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import express from 'express';
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

describe('remote agents as tools', () => {
  let llm: MockLlm;
  let child: AgentRuntime;
  let parent: AgentRuntime;
  let childServer: A2aServer;
  let parentServer: A2aServer;
  const childHeaders: IncomingHttpHeaders[] = [];

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
      ],
    });
    const model = { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI };
    const [childPort, parentPort] = [await freePort(), await freePort()];
    const childUrl = `http://127.0.0.1:${childPort}`;
    child = await createAgentRuntime({
      config: parseAgentConfig({ model, instruction: 'child' }),
      card: card('child'),
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
      publicUrl: childUrl,
    });
    const outer = express();
    outer.use((req, _res, next) => {
      if (req.method === 'POST') childHeaders.push(req.headers);
      next();
    });
    outer.use(child.app);
    childServer = await startA2aServer({ app: outer, host: '127.0.0.1', port: childPort });
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
    });
    parentServer = await startA2aServer({ app: parent.app, host: '127.0.0.1', port: parentPort });
  });

  afterAll(async () => {
    await parentServer.close();
    await childServer.close();
    await parent.close();
    await child.close();
    await llm.close();
  });

  it('delegates over A2A with the user and source headers and returns the child answer', async () => {
    const client = await new ClientFactory().createFromUrl(`http://127.0.0.1:${parentServer.port}`);
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
    expect(sent?.['x-user-id']).toBe('alice@example.com');
    expect(sent?.['x-kagent-source']).toBe('agent');
    expect(sent?.['x-kagent-host']).toBe('child.test');
  });
});
