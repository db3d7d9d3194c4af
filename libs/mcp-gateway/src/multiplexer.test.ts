import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@agentplane/gateway-config';
import { DataPlane, GatewayMetrics } from '@agentplane/gateway-engine';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { McpMultiplexer } from './multiplexer.js';
import { SessionCodec } from './session-codec.js';

const nm = (p: string) => fileURLToPath(new URL(`../node_modules/${p}`, import.meta.url));
const EVERYTHING = nm('@modelcontextprotocol/server-everything/dist/index.js');
const MEMORY = nm('@modelcontextprotocol/server-memory/dist/index.js');
const KEY = 'a'.repeat(64);

/** A streamable-HTTP MCP server (the SDK's), one transport per session. */
async function startHttpTarget(): Promise<{ server: Server; url: string }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const server = createServer((req, res) => {
    void (async () => {
      const sid = req.headers['mcp-session-id'];
      let t = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!t) {
        if (typeof sid === 'string') {
          res.writeHead(404).end();
          return;
        }
        const mcp = new McpServer({ name: 'calc', version: '1.0.0' });
        mcp.registerTool(
          'add',
          { description: 'adds', inputSchema: { a: z.number(), b: z.number() } },
          ({ a, b }) => ({
            content: [{ type: 'text', text: String(a + b) }],
          }),
        );
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => crypto.randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, transport),
        });
        await mcp.connect(transport);
        t = transport;
      }
      await t.handleRequest(req, res);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
}

function gatewayConfig(httpUrl: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-mem-'));
  return `
binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /mcp}}]
      backends:
      - mcp:
          ${extra}
          targets:
          - name: everything
            stdio: {cmd: "${process.execPath}", args: ["${EVERYTHING}", "stdio"]}
          - name: memory
            stdio: {cmd: "${process.execPath}", args: ["${MEMORY}"], env: {MEMORY_FILE_PATH: "${join(dir, 'memory.jsonl')}"}}
          - name: calc
            mcp: {host: "${httpUrl}"}
`;
}

async function startGateway(cfg: string): Promise<{ dp: DataPlane; url: string }> {
  const logger = pino({ level: 'silent' });
  const codec = new SessionCodec({ key: KEY });
  const dp = new DataPlane({
    logger,
    metrics: new GatewayMetrics({ registry: new Registry(), version: 'test' }),
    listenHost: '127.0.0.1',
    mcpHandlerFactory: (backend) =>
      new McpMultiplexer({ backend, logger, sessionCodec: codec, processEnv: { PATH: process.env.PATH } }),
  });
  await dp.apply(loadConfig(cfg, { env: {} }).model);
  return { dp, url: `http://127.0.0.1:${dp.boundPort(0)}/mcp` };
}

function client(): Client {
  const c = new Client(
    { name: 'test-client', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  c.setRequestHandler(CreateMessageRequestSchema, (req) => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text: `sampled(${JSON.stringify(req.params.messages[0]?.content)})` },
  }));
  c.setRequestHandler(ElicitRequestSchema, () => ({
    action: 'accept',
    content: { name: 'Ada', check: true },
  }));
  return c;
}

const text = (r: unknown) =>
  ((r as { content: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

describe('MCP multiplexing: server-everything + server-memory (stdio) + a streamable-HTTP target', () => {
  let http: { server: Server; url: string };
  let gw: { dp: DataPlane; url: string };
  let c: Client;
  let transport: StreamableHTTPClientTransport;

  beforeAll(async () => {
    http = await startHttpTarget();
    gw = await startGateway(gatewayConfig(http.url));
    c = client();
    transport = new StreamableHTTPClientTransport(new URL(gw.url));
    await c.connect(transport);
  });
  afterAll(async () => {
    await c.close().catch(() => undefined);
    await gw.dp.close(1000);
    http.server.closeAllConnections();
    http.server.close();
  });

  it('merges initialize and lists prefixed tools from every target', async () => {
    expect(c.getServerCapabilities()?.tools).toBeDefined();
    expect(c.getServerCapabilities()?.resources).toBeDefined();
    const { tools } = await c.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'everything_echo',
        'everything_trigger-sampling-request',
        'memory_create_entities',
        'calc_add',
      ]),
    );
    expect(names.every((n) => /^(everything|memory|calc)_/.test(n))).toBe(true);
  });

  it('routes calls to the owning target', async () => {
    expect(text(await c.callTool({ name: 'everything_echo', arguments: { message: 'hi' } }))).toContain('hi');
    expect(text(await c.callTool({ name: 'calc_add', arguments: { a: 2, b: 3 } }))).toBe('5');
    await c.callTool({
      name: 'memory_create_entities',
      arguments: { entities: [{ name: 'gw', entityType: 'test', observations: ['o1'] }] },
    });
    const graph = text(await c.callTool({ name: 'memory_read_graph', arguments: {} }));
    expect(graph).toContain('"gw"');
    const unknown = await c.callTool({ name: 'nobody_echo', arguments: {} }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(unknown).toContain('Unknown tool');
  });

  it('relays sampling and elicitation requests to the client and the answers back', async () => {
    const s = text(
      await c.callTool({
        name: 'everything_trigger-sampling-request',
        arguments: { prompt: 'ping', maxTokens: 10 },
      }),
    );
    expect(s).toContain('sampled(');
    expect(s).toContain('ping');
    const e = text(await c.callTool({ name: 'everything_trigger-elicitation-request', arguments: {} }));
    expect(e).toContain('Ada');
  });

  it('passes progress notifications through', async () => {
    const progress: number[] = [];
    const r = await c.callTool(
      { name: 'everything_trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(text(r)).toContain('completed');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('prefixes resource URIs with the target and reads through them', async () => {
    const { resources } = await c.listResources();
    const first = resources[0];
    expect(first?.uri.startsWith('everything+')).toBe(true);
    const read = await c.readResource({ uri: first?.uri ?? '' });
    expect(read.contents[0]?.uri).toBe(first?.uri);
  });

  it('resumes the session on a second gateway sharing the key', async () => {
    const sessionId = transport.sessionId;
    expect(sessionId).toBeTruthy();
    const other = await startGateway(gatewayConfig(http.url));
    try {
      // Raw requests with the first gateway's session id: the second gateway has never seen it.
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId ?? '',
      };
      const res = await request(other.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'calc_add', arguments: { a: 20, b: 22 } },
        }),
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toContain('"text":"42"');
      // The HTTP target session was resumed, not re-created: the memory graph (stdio, restarted) persisted to its file.
      const list = await request(other.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list' }),
      });
      expect(await list.body.text()).toContain('everything_echo');
    } finally {
      await other.dp.close(1000);
    }
  });

  it('answers bad input with JSON-RPC errors and unknown sessions with 404', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      request(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body,
      });
    const malformed = await post('{not json');
    expect(malformed.statusCode).toBe(400);
    expect(await malformed.body.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const invalid = await post('{"jsonrpc":"1.0","id":1,"method":"x"}');
    expect(await invalid.body.json()).toMatchObject({ id: 1, error: { code: -32600 } });
    const noSession = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
    expect(noSession.statusCode).toBe(400);
    await noSession.body.dump();
    const unknown = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', {
      'mcp-session-id': 'bogus',
    });
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
    const forged = new SessionCodec({ key: 'b'.repeat(64) }).encode({
      id: 'x',
      backend: 'x',
      init: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {} },
      targets: [],
      protocolVersion: '2025-06-18',
    });
    const wrongKey = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', {
      'mcp-session-id': forged,
    });
    expect(wrongKey.statusCode).toBe(404);
    await wrongKey.body.dump();
  });
});

describe('MCP failure handling', () => {
  it('failClosed: initialize fails naming the unavailable target; failOpen: serves the others', async () => {
    const dead = 'http://127.0.0.1:1/mcp';
    const closed = await startGateway(
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          targets:\n          - {name: calc, mcp: {host: "${dead}"}}\n          - {name: everything, stdio: {cmd: "${process.execPath}", args: ["${EVERYTHING}"]}}\n`,
    );
    try {
      const c1 = client();
      const err = await c1
        .connect(new StreamableHTTPClientTransport(new URL(closed.url)))
        .catch((e: Error) => e);
      expect(String(err)).toContain('calc');
    } finally {
      await closed.dp.close(1000);
    }
    const open = await startGateway(
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          failureMode: failOpen\n          targets:\n          - {name: calc, mcp: {host: "${dead}"}}\n          - {name: everything, stdio: {cmd: "${process.execPath}", args: ["${EVERYTHING}"]}}\n`,
    );
    try {
      const c2 = client();
      await c2.connect(new StreamableHTTPClientTransport(new URL(open.url)));
      const { tools } = await c2.listTools();
      expect(tools.some((t) => t.name === 'everything_echo')).toBe(true);
      await c2.close();
    } finally {
      await open.dp.close(1000);
    }
  });
});

describe('MCP downstream modes', () => {
  const one = (extra: string) =>
    `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          ${extra}\n          targets:\n          - {name: everything, stdio: {cmd: "${process.execPath}", args: ["${EVERYTHING}"]}}\n`;

  it('serves legacy SSE clients on /sse', async () => {
    const gw = await startGateway(one('prefixMode: conditional'));
    try {
      const c = client();
      await c.connect(new SSEClientTransport(new URL(gw.url.replace(/\/mcp$/, '/sse'))));
      const { tools } = await c.listTools();
      expect(tools.some((t) => t.name === 'echo')).toBe(true);
      expect(text(await c.callTool({ name: 'echo', arguments: { message: 'legacy' } }))).toContain('legacy');
      await c.close();
    } finally {
      await gw.dp.close(1000);
    }
  });

  it('answers quick calls whole, opens the stream early for slow ones, and honours DELETE', async () => {
    const gw = await startGateway(one('prefixMode: conditional'));
    try {
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await request(gw.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'x', version: '1' },
          },
        }),
      });
      const token = String(init.headers['mcp-session-id']);
      await init.body.dump();
      const call = (id: number, name: string, args: Record<string, unknown>) =>
        request(gw.url, {
          method: 'POST',
          headers: { ...headers, 'mcp-session-id': token },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name, arguments: args },
          }),
        });
      // A quick answer: one SSE event with a length (no chunked framing).
      const quick = await call(2, 'echo', { message: 'hi' });
      expect(quick.statusCode).toBe(200);
      expect(quick.headers['content-type']).toBe('text/event-stream');
      const body = await quick.body.text();
      expect(Number(quick.headers['content-length'])).toBe(Buffer.byteLength(body));
      expect(body).toMatch(/^event: message\ndata: .*"id":2.*\n\n$/s);
      expect(body).toContain('Echo: hi');
      // A slow call: the stream (headers) opens before the answer exists.
      const slow = await call(3, 'trigger-long-running-operation', { duration: 0.5, steps: 1 });
      expect(slow.statusCode).toBe(200);
      expect(slow.headers['content-length']).toBeUndefined();
      expect(await slow.body.text()).toContain('"id":3');
      // The id was cached when it was issued; a DELETE still ends the session for good.
      const del = await request(gw.url, { method: 'DELETE', headers: { 'mcp-session-id': token } });
      expect(del.statusCode).toBe(200);
      await del.body.dump();
      const after = await call(4, 'echo', { message: 'again' });
      expect(after.statusCode).toBe(404);
      await after.body.dump();
    } finally {
      await gw.dp.close(1000);
    }
  });

  it('statefulMode stateless: no session id, every request stands alone', async () => {
    const gw = await startGateway(one('statefulMode: stateless'));
    try {
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await request(gw.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'x', version: '1' },
          },
        }),
      });
      expect(init.headers['mcp-session-id']).toBeUndefined();
      expect(await init.body.json()).toMatchObject({ result: { protocolVersion: '2025-06-18' } });
      const list = await request(gw.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(await list.body.text()).toContain('"echo"');
    } finally {
      await gw.dp.close(1000);
    }
  });
});

describe('MCP answers passed through', () => {
  /**
   * A hand-written streamable-HTTP target that answers `tools/call` in the layout the call asks
   * for, the way different servers write their JSON-RPC.
   */
  async function startLayoutTarget(): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      void (async () => {
        if (req.method !== 'POST') {
          res.writeHead(405).end();
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          id?: number;
          method: string;
          params?: { arguments?: { layout?: string; text?: string } };
        };
        if (msg.id === undefined) {
          res.writeHead(202).end();
          return;
        }
        if (msg.method === 'initialize') {
          res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'up-1' });
          res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: msg.id,
              result: {
                protocolVersion: '2025-06-18',
                capabilities: { tools: {} },
                serverInfo: { name: 'layouts', version: '1' },
              },
            }),
          );
          return;
        }
        const { layout = 'sdk', text: t = '' } = msg.params?.arguments ?? {};
        const result = { content: [{ type: 'text', text: t }], structuredContent: { id: 'inner', n: 1 } };
        const sse = (data: string) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('id: prime\ndata: \n\n');
          res.write(
            `event: message\ndata: ${JSON.stringify({ method: 'notifications/message', params: { level: 'info', data: 'working' }, jsonrpc: '2.0' })}\n\n`,
          );
          res.end(
            `event: message\n${data
              .split('\n')
              .map((l) => `data: ${l}\n`)
              .join('')}\n`,
          );
        };
        switch (layout) {
          case 'sdk':
            sse(`{"result":${JSON.stringify(result)},"jsonrpc":"2.0","id":${msg.id}}`);
            return;
          case 'id-first':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              `{"jsonrpc":"2.0","id":${msg.id},"result":{"content":[{"type":"text","text":${JSON.stringify(t)}}]}}`,
            );
            return;
          case 'pretty':
            sse(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }, null, 2));
            return;
          case 'nested-id':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
            return;
          default:
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32602, message: 'no layout' } }),
            );
        }
      })();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
  }

  /** The JSON-RPC messages of an SSE or JSON answer. */
  const messages = (contentType: string, body: string): unknown[] =>
    contentType.includes('text/event-stream')
      ? body
          .split('\n\n')
          .map((ev) =>
            ev
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n'),
          )
          .filter((d) => d !== '')
          .map((d) => JSON.parse(d) as unknown)
      : [JSON.parse(body) as unknown];

  it('gives the client its own id and the result as the target wrote it, whatever the layout', async () => {
    const target = await startLayoutTarget();
    const gw = await startGateway(
      `binds:\n- port: 0\n  listeners:\n  - routes:\n    - backends:\n      - mcp:\n          targets:\n          - {name: layouts, mcp: {host: "${target.url}"}}\n`,
    );
    try {
      const sse = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await request(gw.url, {
        method: 'POST',
        headers: sse,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'x', version: '1' },
          },
        }),
      });
      const session = String(init.headers['mcp-session-id']);
      await init.body.dump();
      const call = async (id: string | number, layout: string, accept = sse.accept) => {
        const r = await request(gw.url, {
          method: 'POST',
          headers: { ...sse, accept, 'mcp-session-id': session },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'show', arguments: { layout, text: 'line 1\nline "2" ✓' } },
          }),
        });
        expect(r.statusCode).toBe(200);
        return messages(String(r.headers['content-type']), await r.body.text());
      };
      const result = {
        content: [{ type: 'text', text: 'line 1\nline "2" ✓' }],
        structuredContent: { id: 'inner', n: 1 },
      };
      for (const id of ['call-"1"', 7]) {
        // Related messages still come first, then the answer under the client's id.
        expect(await call(id, 'sdk')).toEqual([
          { method: 'notifications/message', params: { level: 'info', data: 'working' }, jsonrpc: '2.0' },
          { jsonrpc: '2.0', id, result },
        ]);
        expect(await call(id, 'pretty')).toEqual([
          { method: 'notifications/message', params: { level: 'info', data: 'working' }, jsonrpc: '2.0' },
          { jsonrpc: '2.0', id, result },
        ]);
        expect(await call(id, 'id-first')).toEqual([
          { jsonrpc: '2.0', id, result: { content: result.content } },
        ]);
        expect(await call(id, 'nested-id', 'application/json')).toEqual([{ jsonrpc: '2.0', id, result }]);
        expect(await call(id, 'sdk', 'application/json')).toEqual([{ jsonrpc: '2.0', id, result }]);
        expect(await call(id, 'none')).toEqual([
          { jsonrpc: '2.0', id, error: { code: -32602, message: 'no layout' } },
        ]);
      }
    } finally {
      await gw.dp.close(1000);
      target.server.close();
    }
  });
});
