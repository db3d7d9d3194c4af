// The traffic-a2a example: an @a2a-js/sdk agent reached through the gateway by the @a2a-js/sdk
// client, buffered and streamed, with the agent card pointing at the gateway.
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SendMessageRequest, TaskState, type AgentCard, type StreamResponse, type Task } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { freePort } from '@agentplane/testing/free-port';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';

const examples = fileURLToPath(
  new URL('../../../../shared/reference/agentgateway-examples/', import.meta.url),
);

/** Answers with a task that goes working → completed, echoing the text as an artifact. */
class EchoExecutor implements AgentExecutor {
  execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = ctx;
    const text = ctx.userMessage.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join('');
    const now = () => new Date().toISOString();
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
        artifacts: [],
        history: [ctx.userMessage],
        metadata: {},
      }),
    );
    const status = (state: TaskState) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: { state, message: undefined, timestamp: now() },
          metadata: undefined,
        }),
      );
    status(TaskState.TASK_STATE_WORKING);
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: 'a1',
          name: 'echo',
          description: '',
          parts: [
            {
              content: { $case: 'text', value: `echo: ${text}` },
              metadata: undefined,
              filename: '',
              mediaType: 'text/plain',
            },
          ],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    status(TaskState.TASK_STATE_COMPLETED);
    bus.finished();
    return Promise.resolve();
  }
  cancelTask(): Promise<void> {
    return Promise.resolve();
  }
}

describe('A2A through the gateway (traffic-a2a example)', () => {
  let agent: Server;
  let gw: RunningGateway;
  let port = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    const agentPort = await freePort();
    const card = {
      name: 'echo-agent',
      description: 'echoes',
      supportedInterfaces: [
        {
          url: `http://localhost:${agentPort}/`,
          protocolBinding: 'JSONRPC',
          protocolVersion: '1.0',
          tenant: '',
        },
        {
          url: `http://localhost:${agentPort}/`,
          protocolBinding: 'JSONRPC',
          protocolVersion: '0.3',
          tenant: '',
        },
      ],
      provider: undefined,
      version: '1.0.0',
      documentationUrl: undefined,
      iconUrl: undefined,
      capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
      securitySchemes: {},
      securityRequirements: [],
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      skills: [],
      signatures: [],
    } as unknown as AgentCard;
    const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new EchoExecutor());
    const app = express();
    const cards = agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } });
    app.use('/.well-known/agent-card.json', cards);
    app.use(express.json());
    app.use(
      '/',
      jsonRpcHandler({
        requestHandler: handler,
        userBuilder: UserBuilder.noAuthentication,
        legacyCompat: { enabled: true },
      }),
    );
    agent = app.listen(agentPort, '127.0.0.1');
    await new Promise<void>((r) => agent.once('listening', () => r()));

    port = await freePort();
    let yaml = readFileSync(join(examples, 'traffic-a2a.yaml'), 'utf8')
      .replace('port: 3000', `port: ${port}`)
      .replace('host: localhost:9999', `host: 127.0.0.1:${(agent.address() as AddressInfo).port}`);
    // The same agent under a path prefix, rewritten away upstream.
    yaml = yaml.replace(
      '  - routes:\n',
      `  - routes:\n    - name: prefixed\n      matches: [{path: {pathPrefix: /agents/echo}}]\n      policies: {a2a: {}, urlRewrite: {path: {prefix: /}}}\n      backends: [{host: 127.0.0.1:${agentPort}}]\n`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'gw-a2a-')), 'config.yaml');
    writeFileSync(file, yaml);
    const app2 = parseAppConfig(['-f', file], {
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
      LISTEN_HOST: '127.0.0.1',
    }) as AppConfig;
    const destination = new Writable({
      write(c: Buffer, _e, cb) {
        logs.push(c.toString());
        cb();
      },
    });
    gw = await startGateway({
      app: app2,
      logger: createLogger({ name: 'gateway', destination }),
      registry: createMetricsRegistry(),
      watch: false,
    });
  });
  afterAll(async () => {
    await gw?.close(500);
    await new Promise<void>((r) => (agent ? agent.close(() => r()) : r()));
  });

  it('rewrites the agent card to the gateway address, with prefixes and X-Forwarded-* and no doubled paths', async () => {
    const card = (await (
      await request(`http://127.0.0.1:${port}/.well-known/agent-card.json`)
    ).body.json()) as {
      url?: string;
      supportedInterfaces?: { url: string }[];
    };
    for (const i of card.supportedInterfaces ?? []) expect(i.url).toBe(`http://127.0.0.1:${port}/`);
    const prefixed = (await (
      await request(`http://127.0.0.1:${port}/agents/echo/.well-known/agent-card.json`, {
        headers: {
          'x-forwarded-host': 'gw.example.com',
          'x-forwarded-proto': 'https',
          'x-forwarded-prefix': '/edge',
        },
      })
    ).body.json()) as { supportedInterfaces?: { url: string }[] };
    expect(prefixed.supportedInterfaces?.map((i) => i.url)).toEqual([
      'https://gw.example.com/edge/agents/echo/',
      'https://gw.example.com/edge/agents/echo/',
    ]);
    // v0.3 card form (the SDK's compat layer serves it for A2A-Version 0.3 clients).
    const v03 = (await (
      await request(`http://127.0.0.1:${port}/agents/echo/.well-known/agent-card.json`, {
        headers: { 'a2a-version': '0.3' },
      })
    ).body.json()) as { url?: string };
    if (v03.url !== undefined) expect(v03.url).toBe(`http://127.0.0.1:${port}/agents/echo/`);
  });

  it('is reached by the SDK client, buffered and streamed, through a prefixed route', async () => {
    const client = await new ClientFactory().createFromUrl(`http://127.0.0.1:${port}/agents/echo/`);
    const result = (await client.sendMessage(
      SendMessageRequest.fromJSON({
        message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hello' }] },
      }),
    )) as Task;
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(JSON.stringify(result.artifacts)).toContain('echo: hello');

    const states: TaskState[] = [];
    let artifact = '';
    const stream = client.sendMessageStream(
      SendMessageRequest.fromJSON({
        message: { messageId: 'm2', contextId: 'ctx-42', role: 'ROLE_USER', parts: [{ text: 'streamed' }] },
      }),
    );
    for await (const ev of stream as AsyncGenerator<StreamResponse>) {
      const p = ev.payload;
      if (p?.$case === 'task' && p.value.status) states.push(p.value.status.state);
      if (p?.$case === 'statusUpdate' && p.value.status) states.push(p.value.status.state);
      if (p?.$case === 'artifactUpdate') artifact = JSON.stringify(p.value.artifact);
    }
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(states).toContain(TaskState.TASK_STATE_WORKING);
    expect(artifact).toContain('echo: streamed');

    const lines = logs
      .filter((l) => l.includes('"a2a request"'))
      .map((l) => JSON.parse(l) as { a2a: Record<string, string> });
    expect(lines.map((l) => l.a2a)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'SendMessage', taskState: 'completed' }),
        expect.objectContaining({
          method: 'SendStreamingMessage',
          taskState: 'completed',
          contextId: 'ctx-42',
        }),
      ]),
    );
    const metrics = await (await request(`http://127.0.0.1:${gw.statsPort}/metrics`)).body.text();
    expect(metrics).toMatch(
      /agentgateway_a2a_requests_total\{route="prefixed",method="SendStreamingMessage",task_state="completed"\} 1/,
    );
  });
});
