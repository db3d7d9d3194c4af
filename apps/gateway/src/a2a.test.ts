// The traffic-a2a example: an @a2a-js/sdk agent reached through the gateway by the @a2a-js/sdk
// client, buffered and streamed, with the agent card pointing at the gateway; and a client that
// leaves in the middle of a stream, which must end the upstream request at once.
import { once } from 'node:events';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SendMessageRequest, TaskState, type StreamResponse, type Task } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { freePort } from '@agentplane/testing/free-port';
import { waitFor } from '@agentplane/testing/wait';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { startGatewayFromFile } from './testing/in-process-gateway.js';
import {
  EchoExecutor,
  SlowStreamExecutor,
  startA2aAgent,
  type A2aAgent,
  type RecordedA2aRequest,
} from './testing/a2a-agent.js';

const examples = fileURLToPath(
  new URL('../../../../shared/reference/agentgateway-examples/', import.meta.url),
);

describe('A2A through the gateway (traffic-a2a example)', () => {
  let agent: A2aAgent;
  let gw: RunningGateway;
  let port = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    agent = await startA2aAgent({ executor: new EchoExecutor() });
    const agentPort = agent.port;
    port = await freePort();
    let yaml = readFileSync(join(examples, 'traffic-a2a.yaml'), 'utf8')
      .replace('port: 3000', `port: ${port}`)
      .replace('host: localhost:9999', `host: 127.0.0.1:${agentPort}`);
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
    await agent?.close();
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

describe('A2A streams: backpressure, and the client leaving mid-stream', () => {
  const executor = new SlowStreamExecutor(100, 100); // 10 s unless the message asks for fewer chunks
  let agent: A2aAgent;
  let gw: RunningGateway;
  let port = 0;
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  // An agent that streams SSE events as fast as the connection takes them.
  const FIREHOSE_BYTES = 128 * 1024 * 1024;
  const firehose = { written: 0, waitingForDrain: false, ended: false };
  let firehoseServer: Server;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    agent = await startA2aAgent({ executor, protocolVersions: ['0.3'] });
    firehoseServer = createServer((req, res) => {
      req.resume();
      req.once('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const status = { kind: 'status-update', taskId: 't1', contextId: 'c1', final: false };
        const event = Buffer.from(
          `data: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: { ...status, status: { state: 'working', pad: 'x'.repeat(16_000) } } })}\n\n`,
        );
        const pump = () => {
          while (firehose.written < FIREHOSE_BYTES) {
            firehose.written += event.byteLength;
            if (!res.write(event)) {
              firehose.waitingForDrain = true;
              res.once('drain', () => {
                firehose.waitingForDrain = false;
                pump();
              });
              return;
            }
          }
          firehose.ended = true;
          res.end();
        };
        pump();
      });
    });
    firehoseServer.listen(0, '127.0.0.1');
    await once(firehoseServer, 'listening');
    port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), 'gw-a2a-cut-')), 'config.yaml');
    writeFileSync(
      file,
      `binds:
- port: ${port}
  listeners:
  - routes:
    - name: firehose
      matches: [{path: {pathPrefix: /firehose}}]
      policies: {a2a: {}}
      backends: [{host: "127.0.0.1:${(firehoseServer.address() as AddressInfo).port}"}]
    - name: slow
      policies: {a2a: {}}
      backends: [{host: "127.0.0.1:${agent.port}"}]
`,
    );
    gw = await startGatewayFromFile(file, { logs: logs });
  });
  afterAll(async () => {
    executor.stop();
    await gw?.close(500);
    await agent?.close();
    firehoseServer?.closeAllConnections();
    firehoseServer?.close();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  const client = () =>
    new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ legacyCompat: { enabled: true } })],
      }),
    ).createFromUrl(`http://127.0.0.1:${port}/`);
  const message = (messageId: string, text: string) =>
    SendMessageRequest.fromJSON({ message: { messageId, role: 'ROLE_USER', parts: [{ text }] } });
  const streams = () => agent.requests.filter((r) => r.rpcMethod === 'message/stream');

  it('keeps backpressure: a client that stops reading holds the agent back, nothing piles up in between', async () => {
    const res = await request(`http://127.0.0.1:${port}/firehose`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/stream',
        params: {
          message: { kind: 'message', messageId: 'm0', role: 'user', parts: [{ kind: 'text', text: 'go' }] },
        },
      }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    // The client reads nothing: the agent must end up blocked with most of its stream unsent.
    let last = -1;
    await waitFor(
      () => {
        const stalled = firehose.waitingForDrain && firehose.written === last;
        last = firehose.written;
        return stalled;
      },
      { timeoutMs: 10_000, intervalMs: 250, description: 'the agent blocked by backpressure' },
    );
    // What is in flight then sits in socket buffers (kernel-tuned; ~10 MiB here), not in the gateway.
    const heldBack = firehose.written;
    expect(firehose.ended).toBe(false);
    expect(heldBack).toBeLessThan(FIREHOSE_BYTES / 2);
    // Reading resumes: every byte arrives.
    let received = 0;
    for await (const chunk of res.body) received += (chunk as Buffer).byteLength;
    expect(firehose.ended).toBe(true);
    expect(received).toBe(firehose.written);
  });

  it('closes the upstream request as soon as the client aborts, and keeps serving', async () => {
    const a2a = await client();
    const abort = new AbortController();
    let chunks = 0;
    let abortedAt = 0;
    let producedAtAbort = 0;
    await expect(
      (async () => {
        for await (const ev of a2a.sendMessageStream(message('m1', 'slow'), { signal: abort.signal })) {
          if (ev.payload?.$case !== 'artifactUpdate') continue;
          // Two chunks arrived one by one through the gateway (no buffering); then the client leaves.
          if (++chunks === 2) {
            producedAtAbort = executor.published;
            abortedAt = performance.now();
            abort.abort();
          }
        }
      })(),
    ).rejects.toThrow();
    expect(chunks).toBe(2);
    // Chunks reach the client as the agent produces them: the gateway holds nothing back.
    expect(producedAtAbort).toBeLessThanOrEqual(5);

    // The agent sees its response cut off, and the gateway's connection to it closed, at once.
    const upstream = streams()[0] as RecordedA2aRequest;
    expect(upstream).toBeDefined();
    const closed = await waitFor(() => upstream.closed, { timeoutMs: 2_000, description: 'upstream closed' });
    expect(closed.finished).toBe(false);
    expect(closed.atMs - abortedAt).toBeLessThan(500);
    await waitFor(() => upstream.socketClosedAtMs, {
      timeoutMs: 2_000,
      description: 'upstream socket closed',
    });

    // The gateway still serves: a complete stream and a buffered send on the same route.
    let last: TaskState | undefined;
    let text = '';
    for await (const ev of a2a.sendMessageStream(message('m2', '3'))) {
      const p = ev.payload;
      if (p?.$case === 'statusUpdate' && p.value.status) last = p.value.status.state;
      if (p?.$case === 'artifactUpdate') text += JSON.stringify(p.value.artifact?.parts);
    }
    expect(last).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(text).toContain('chunk 2');
    const sent = (await a2a.sendMessage(message('m3', '1'))) as Task;
    expect(sent.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    // The cut-off stream is logged with the state it had reached; nothing failed in the gateway.
    const a2aLogs = logs
      .filter((l) => l.includes('"a2a request"'))
      .map((l) => JSON.parse(l) as { a2a: Record<string, string> });
    expect(a2aLogs[0]?.a2a).toMatchObject({ method: 'message/stream', taskState: 'working' });
    expect(logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
