// Throughput benchmarks: each runs a baseline and the gateway in the same process run, with the
// same load generator (autocannon), and prints requests/s, p50/p99 latency and the ratio.
//   node src/run.ts mcp-http | mcp-stdio | a2a | llm | all
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

import { cpuTimeMs } from './process-stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const GATEWAY = join(root, 'apps/gateway/dist/main.js');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);

interface Target {
  readonly label: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Every answer must contain these (checked on every response; mismatches count as errors). */
  readonly expect: readonly string[];
  /** A process whose CPU time per request is reported (the gateway). */
  readonly cpuPid?: number | undefined;
  /** A third-party comparison: when its probe fails it is reported and left out, not fatal. */
  readonly optional?: boolean;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, non-2xx answers and answers without the expected text. */
  errors: number;
  /** CPU time of `cpuPid` per request, µs (less noisy than throughput on a shared machine). */
  cpuUs?: number;
}

/** user + system CPU time of a process in µs (Linux), undefined elsewhere. */
function cpuTimeUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return cpuTimeMs(pid) * 1000;
  } catch {
    return undefined;
  }
}

async function probe(t: Target): Promise<void> {
  // One checked request first: a fast run of error answers would measure nothing.
  const r = await request(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: t.body,
  });
  const text = await r.body.text();
  if (r.statusCode !== 200 || !t.expect.every((e) => text.includes(e)))
    throw new Error(`probe of ${t.url} failed: ${r.statusCode} ${text.slice(0, 300)}`);
}

async function load(t: Target, seconds: number): Promise<Result> {
  const cpu0 = cpuTimeUs(t.cpuPid);
  const r = await autocannon({
    url: t.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: t.body,
    connections: CONNECTIONS,
    duration: seconds,
    verifyBody: (b) => {
      const text = String(b ?? '');
      return t.expect.every((e) => text.includes(e));
    },
  });
  const result: Result = {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + ((r as { mismatches?: number }).mismatches ?? 0),
  };
  const cpu1 = cpuTimeUs(t.cpuPid);
  const requests = r.requests.total;
  return cpu0 !== undefined && cpu1 !== undefined && requests > 0
    ? { ...result, cpuUs: (cpu1 - cpu0) / requests }
    : result;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/**
 * Baseline and gateway get the same load: both warmed up, then measured in alternating rounds
 * (A B, B A, A B, ...) so that drift on a shared machine hits both alike. Prints medians and
 * the median of the per-round ratios.
 */
async function compare(name: string, baseline: Target, gateway: Target): Promise<void> {
  await probe(baseline);
  await probe(gateway);
  if (WARMUP_S > 0) {
    await load(baseline, WARMUP_S);
    await load(gateway, WARMUP_S);
  }
  const runs: { base: Result; gw: Result }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let base: Result;
    let gw: Result;
    if (i % 2 === 0) {
      base = await load(baseline, DURATION_S);
      gw = await load(gateway, DURATION_S);
    } else {
      gw = await load(gateway, DURATION_S);
      base = await load(baseline, DURATION_S);
    }
    runs.push({ base, gw });
  }
  const summary = (rs: Result[]): Result => ({
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    ...(rs.every((r) => r.cpuUs !== undefined) ? { cpuUs: median(rs.map((r) => r.cpuUs ?? 0)) } : {}),
  });
  const row = (label: string, r: Result) =>
    `  ${label.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}${r.cpuUs !== undefined ? `   gateway CPU ${r.cpuUs.toFixed(0)} µs/req` : ''}`;
  const ratios = runs.map((r) => r.gw.rps / r.base.rps);
  console.log(`\n${name}`);
  console.log(row(baseline.label, summary(runs.map((r) => r.base))));
  console.log(row(gateway.label, summary(runs.map((r) => r.gw))));
  console.log(
    `  ratio (gateway / ${baseline.label}): ${median(ratios).toFixed(2)}x   (rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
  if (runs.some((r) => r.base.errors + r.gw.errors > 0)) process.exitCode = 1;
}

/**
 * Like `compare`, for several targets at once: all get the same load in the same run, in a
 * rotating order per round. Prints each target's medians and every target's ratio to the first.
 */
async function compareMany(name: string, all: readonly Target[]): Promise<void> {
  const targets: Target[] = [];
  for (const t of all) {
    try {
      await probe(t);
      targets.push(t);
    } catch (e) {
      if (!t.optional) throw e;
      console.log(`\n${name}: ${t.label} left out, its probe failed: ${(e as Error).message}`);
    }
  }
  if (WARMUP_S > 0) for (const t of targets) await load(t, WARMUP_S);
  const runs: Result[][] = targets.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    for (let j = 0; j < targets.length; j++) {
      const k = (i + j) % targets.length;
      runs[k]?.push(await load(targets[k] as Target, DURATION_S));
    }
  }
  const summary = (rs: Result[]): Result => ({
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    ...(rs.every((r) => r.cpuUs !== undefined) ? { cpuUs: median(rs.map((r) => r.cpuUs ?? 0)) } : {}),
  });
  console.log(`\n${name}`);
  targets.forEach((t, i) => {
    const r = summary(runs[i] ?? []);
    console.log(
      `  ${t.label.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}${r.cpuUs !== undefined ? `   CPU ${r.cpuUs.toFixed(0)} µs/req` : ''}`,
    );
  });
  const ratio = (a: number, b: number) => {
    const rs = (runs[a] ?? []).map((r, i) => r.rps / (runs[b]?.[i]?.rps ?? 1));
    return `${median(rs).toFixed(2)}x (rounds: ${rs.map((x) => x.toFixed(2)).join(' ')})`;
  };
  for (let i = 1; i < targets.length; i++)
    console.log(`  ratio ${targets[i]?.label} / ${targets[0]?.label}: ${ratio(i, 0)}`);
  for (let j = 2; j < targets.length; j++)
    console.log(`  ratio ${targets[1]?.label} / ${targets[j]?.label}: ${ratio(1, j)}`);
  if (runs.some((rs) => rs.some((r) => r.errors > 0))) process.exitCode = 1;
}

async function startGateway(yaml: string, main = GATEWAY): Promise<{ proc: ManagedProcess; port: number }> {
  const port = await freePort();
  const file = join(mkdtempSync(join(tmpdir(), 'bench-gw-')), 'config.yaml');
  writeFileSync(file, yaml.replaceAll('$PORT', String(port)));
  const readiness = await freePort();
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawnManaged(process.execPath, [...nodeArgs, main, '-f', file], {
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
/** The echo tool's answer with the request's id: a wrong id or an error answer is a mismatch. */
const ECHO_ANSWER = [`"text":"Echo: ${'x'.repeat(64)}"`, '"id":1'];

async function benchMcpHttp(): Promise<void> {
  const upstream = await startHttpMcpServer({ transport: 'streamableHttp' });
  const gw = await startGateway(
    `mcp:\n  port: $PORT\n  targets:\n  - name: everything\n    mcp: {host: "${upstream.url}"}\n`,
  );
  try {
    const direct = await mcpSession(upstream.url);
    const via = await mcpSession(`http://127.0.0.1:${gw.port}/mcp`);
    await compare(
      'MCP tools/call, streamable-HTTP target (server-everything)',
      { label: 'direct', url: upstream.url, headers: direct.headers, body: ECHO, expect: ECHO_ANSWER },
      {
        label: 'through the gateway',
        url: `http://127.0.0.1:${gw.port}/mcp`,
        headers: via.headers,
        body: ECHO,
        expect: ECHO_ANSWER,
        cpuPid: gw.proc.child.pid,
      },
    );
    await direct.close();
    await via.close();
  } finally {
    if (process.env.BENCH_SHOW_OUTPUT) console.log(gw.proc.output().slice(-3000));
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
    await compare(
      'MCP tools/call, stdio target (server-everything)',
      { label: 'supergateway', url: sgUrl, headers: direct.headers, body: ECHO, expect: ECHO_ANSWER },
      {
        label: 'through the gateway',
        url: `http://127.0.0.1:${gw.port}/mcp`,
        headers: via.headers,
        body: ECHO,
        expect: ECHO_ANSWER,
        cpuPid: gw.proc.child.pid,
      },
    );
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
    await compare(
      'A2A message/send (@a2a-js/sdk agent)',
      {
        label: 'direct',
        url: `http://127.0.0.1:${agentPort}/`,
        headers: {},
        body,
        expect: ['"pong"', '"id":1'],
      },
      {
        label: 'through the gateway',
        url: `http://127.0.0.1:${gw.port}/`,
        headers: {},
        body,
        expect: ['"pong"', '"id":1'],
        cpuPid: gw.proc.child.pid,
      },
    );
  } finally {
    await gw.proc.stop();
    await new Promise<void>((r) => agent.close(() => r()));
  }
}

/**
 * OpenAI chat completions with a ~1 KiB prompt against the test kit's mock LLM (its own process):
 * direct, through our gateway (`llm:` shorthand) and through Portkey's gateway (from
 * node_modules), buffered and streamed.
 */
async function benchLlm(): Promise<void> {
  const require = createRequire(import.meta.url);
  const mockBin = join(root, 'libs/testing/dist/mock-llm-cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'bench-llm-'));
  const script = join(dir, 'mock.json');
  writeFileSync(
    script,
    JSON.stringify({
      rules: [
        {
          match: { contains: 'benchmark' },
          response: { content: 'pong', usage: { inputTokens: 256, outputTokens: 1 } },
        },
      ],
    }),
  );
  const mockPort = await freePort();
  const mock = spawnManaged(process.execPath, [mockBin, '--script', script, '--port', String(mockPort)]);
  const portkeyPort = await freePort();
  const portkeyBin = join(
    dirname(require.resolve('@portkey-ai/gateway/package.json')),
    'build/start-server.js',
  );
  const portkey = spawnManaged(process.execPath, [portkeyBin, `--port=${portkeyPort}`, '--headless'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  const llmConfig = `llm:
  port: $PORT
  models:
  - name: "*"
    provider: openAI
    params: {apiKey: sk-bench, hostOverride: "127.0.0.1:${mockPort}"}
`;
  const gw = await startGateway(llmConfig);
  // BENCH_LLM_BASELINE=<other build's apps/gateway/dist/main.js>: that build runs in the same
  // rounds too, for a before/after comparison under the same load.
  const baselineMain = process.env.BENCH_LLM_BASELINE;
  const baseline = baselineMain ? await startGateway(llmConfig, baselineMain) : undefined;
  const ready = async (url: string) => {
    try {
      const r = await request(url);
      await r.body.dump();
      return true;
    } catch {
      return false;
    }
  };
  try {
    await waitFor(() => ready(`http://127.0.0.1:${mockPort}/v1/models`), {
      timeoutMs: 20_000,
      description: 'mock LLM',
    });
    await waitFor(() => ready(`http://127.0.0.1:${portkeyPort}/`), {
      timeoutMs: 30_000,
      description: 'portkey',
    });
    // ~1 KiB of prompt text.
    const prompt = `benchmark ${'lorem ipsum dolor sit amet '.repeat(38)}`.slice(0, 1024);
    // BENCH_LLM=buffered or streamed runs one of the two (e.g. for a profile of one path).
    const modes = { buffered: [false], streamed: [true] }[process.env.BENCH_LLM ?? ''] ?? [false, true];
    for (const stream of modes) {
      const body = JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You answer briefly.' },
          { role: 'user', content: prompt },
        ],
        ...(stream ? { stream: true } : {}),
      });
      const expect = stream ? ['"pong"', '[DONE]'] : ['"pong"', '"usage"'];
      const auth = { authorization: 'Bearer sk-bench' };
      await compareMany(
        `LLM chat completions, 1 KiB prompt, ${stream ? 'streamed' : 'buffered'} (mock LLM)`,
        [
          {
            label: 'direct',
            url: `http://127.0.0.1:${mockPort}/v1/chat/completions`,
            headers: auth,
            body,
            expect,
          },
          {
            label: 'through the gateway',
            url: `http://127.0.0.1:${gw.port}/v1/chat/completions`,
            headers: {},
            body,
            expect,
            cpuPid: gw.proc.child.pid,
          },
          ...(baseline
            ? [
                {
                  label: 'gateway, baseline build',
                  url: `http://127.0.0.1:${baseline.port}/v1/chat/completions`,
                  headers: {},
                  body,
                  expect,
                  cpuPid: baseline.proc.child.pid,
                },
              ]
            : []),
          {
            label: '@portkey-ai/gateway',
            url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
            headers: {
              ...auth,
              'x-portkey-provider': 'openai',
              'x-portkey-custom-host': `http://127.0.0.1:${mockPort}/v1`,
            },
            body,
            expect,
            cpuPid: portkey.child.pid,
            optional: true,
          },
        ],
      );
    }
  } finally {
    await gw.proc.stop();
    await baseline?.proc.stop();
    await portkey.stop();
    await mock.stop();
  }
}

const which = process.argv[2] ?? 'all';
const benches: Record<string, () => Promise<void>> = {
  'mcp-http': benchMcpHttp,
  'mcp-stdio': benchMcpStdio,
  a2a: benchA2a,
  llm: benchLlm,
};
console.log(
  `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${ROUNDS} alternating rounds of ${DURATION_S} s`,
);
for (const [name, fn] of Object.entries(benches)) if (which === 'all' || which === name) await fn();
process.exit(process.exitCode ?? 0);
