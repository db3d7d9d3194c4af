// Throughput benchmarks: each runs a baseline and the gateway in the same process run, with the
// same load generator (autocannon), and prints requests/s, p50/p99 latency and the ratio.
//   node src/run.ts mcp-http | mcp-stdio | a2a | all
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { mcpServerCommand, startHttpMcpServer } from '@agentplane/testing/mcp-servers';
import { waitFor } from '@agentplane/testing/wait';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import autocannon from 'autocannon';
import express from 'express';
import { request } from 'undici';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const GATEWAY = join(root, 'apps/gateway/dist/main.js');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  body: string,
  expect: string,
): Promise<Result> {
  // One checked request first: a fast run of error answers would measure nothing.
  const probe = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await probe.body.text();
  if (probe.statusCode !== 200 || !text.includes(expect))
    throw new Error(`probe of ${url} failed: ${probe.statusCode} ${text.slice(0, 300)}`);
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

function report(name: string, baselineName: string, baseline: Result, gateway: Result): void {
  const row = (label: string, r: Result) =>
    `  ${label.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors + r.non2xx}`;
  console.log(`\n${name}`);
  console.log(row(baselineName, baseline));
  console.log(row('through the gateway', gateway));
  console.log(`  ratio (gateway / ${baselineName}): ${(gateway.rps / baseline.rps).toFixed(2)}x`);
}

async function startGateway(yaml: string): Promise<{ proc: ManagedProcess; port: number }> {
  const port = await freePort();
  const file = join(mkdtempSync(join(tmpdir(), 'bench-gw-')), 'config.yaml');
  writeFileSync(file, yaml.replaceAll('$PORT', String(port)));
  const readiness = await freePort();
  const proc = spawnManaged(process.execPath, [GATEWAY, '-f', file], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      LISTEN_HOST: '127.0.0.1',
      ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
      STATS_ADDR: `127.0.0.1:${await freePort()}`,
      READINESS_ADDR: `127.0.0.1:${readiness}`,
    },
  });
  await waitFor(
    async () => {
      const r = await request(`http://127.0.0.1:${readiness}/healthz/ready`);
      await r.body.dump();
      return r.statusCode === 200;
    },
    { timeoutMs: 20_000, description: 'gateway ready' },
  );
  return { proc, port };
}

/** Opens an MCP session with the official client; returns the headers a raw tools/call needs. */
async function mcpSession(
  url: string,
): Promise<{ headers: Record<string, string>; close: () => Promise<void> }> {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return {
    headers: {
      accept: 'application/json, text/event-stream',
      'mcp-session-id': transport.sessionId ?? '',
      'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
    },
    close: () => client.close(),
  };
}

const ECHO = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { message: 'x'.repeat(64) } },
});

async function benchMcpHttp(): Promise<void> {
  const upstream = await startHttpMcpServer({ transport: 'streamableHttp' });
  const gw = await startGateway(
    `mcp:\n  port: $PORT\n  targets:\n  - name: everything\n    mcp: {host: "${upstream.url}"}\n`,
  );
  try {
    const direct = await mcpSession(upstream.url);
    const via = await mcpSession(`http://127.0.0.1:${gw.port}/mcp`);
    const base = await load(upstream.url, direct.headers, ECHO, 'Echo: x');
    const through = await load(`http://127.0.0.1:${gw.port}/mcp`, via.headers, ECHO, 'Echo: x');
    report('MCP tools/call, streamable-HTTP target (server-everything)', 'direct', base, through);
    await direct.close();
    await via.close();
  } finally {
    await gw.proc.stop();
    await upstream.dispose();
  }
}

async function benchMcpStdio(): Promise<void> {
  const everything = mcpServerCommand({ server: 'everything', transport: 'stdio' });
  const sgPort = await freePort();
  const require = createRequire(import.meta.url);
  const sgBin = join(dirname(require.resolve('supergateway/package.json')), 'dist/index.js');
  const sg = spawnManaged(process.execPath, [
    sgBin,
    '--stdio',
    `${everything.command} ${everything.args.join(' ')}`,
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(sgPort),
    '--logLevel',
    'none',
  ]);
  const gw = await startGateway(
    `mcp:\n  port: $PORT\n  targets:\n  - name: everything\n    stdio: {cmd: ${JSON.stringify(everything.command)}, args: ${JSON.stringify(everything.args)}}\n`,
  );
  try {
    const sgUrl = `http://127.0.0.1:${sgPort}/mcp`;
    const direct = await waitFor(() => mcpSession(sgUrl), { timeoutMs: 20_000, description: 'supergateway' });
    const via = await mcpSession(`http://127.0.0.1:${gw.port}/mcp`);
    const base = await load(sgUrl, direct.headers, ECHO, 'Echo: x');
    const through = await load(`http://127.0.0.1:${gw.port}/mcp`, via.headers, ECHO, 'Echo: x');
    report('MCP tools/call, stdio target (server-everything)', 'supergateway', base, through);
    await direct.close();
    await via.close();
  } finally {
    await gw.proc.stop();
    await sg.stop();
  }
}

async function benchA2a(): Promise<void> {
  const executor: AgentExecutor = {
    execute: (ctx, bus) => {
      bus.publish(
        AgentEvent.message({
          messageId: `r-${ctx.taskId}`,
          contextId: ctx.contextId,
          taskId: '',
          role: 2,
          parts: [
            { content: { $case: 'text', value: 'pong' }, metadata: undefined, filename: '', mediaType: '' },
          ],
          metadata: undefined,
          extensions: [],
          referenceTaskIds: [],
        } as unknown as Parameters<typeof AgentEvent.message>[0]),
      );
      bus.finished();
      return Promise.resolve();
    },
    cancelTask: () => Promise.resolve(),
  };
  const agentPort = await freePort();
  const card = {
    name: 'bench-agent',
    description: 'answers pong',
    supportedInterfaces: [
      {
        url: `http://127.0.0.1:${agentPort}/`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '0.3',
        tenant: '',
      },
    ],
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: [],
  } as unknown as ConstructorParameters<typeof DefaultRequestHandler>[0];
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  const app = express();
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
  app.use(express.json());
  app.use(
    '/',
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  const agent: Server = app.listen(agentPort, '127.0.0.1');
  await new Promise<void>((r) => agent.once('listening', () => r()));
  const gw = await startGateway(
    `binds:\n- port: $PORT\n  listeners:\n  - routes:\n    - policies: {a2a: {}}\n      backends: [{host: "127.0.0.1:${agentPort}"}]\n`,
  );
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'message/send',
    params: {
      message: { kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'ping' }] },
    },
  });
  try {
    const probe = await request(`http://127.0.0.1:${gw.port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await probe.body.text();
    if (!text.includes('pong'))
      throw new Error(`A2A probe failed: ${probe.statusCode} ${text.slice(0, 300)}`);
    const base = await load(`http://127.0.0.1:${agentPort}/`, {}, body, 'pong');
    const through = await load(`http://127.0.0.1:${gw.port}/`, {}, body, 'pong');
    report('A2A message/send (@a2a-js/sdk agent)', 'direct', base, through);
  } finally {
    await gw.proc.stop();
    await new Promise<void>((r) => agent.close(() => r()));
  }
}

const which = process.argv[2] ?? 'all';
const benches: Record<string, () => Promise<void>> = {
  'mcp-http': benchMcpHttp,
  'mcp-stdio': benchMcpStdio,
  a2a: benchA2a,
};
console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION_S} s per run`);
for (const [name, fn] of Object.entries(benches)) if (which === 'all' || which === name) await fn();
process.exit(0);
