// An MCP server (the official SDK's) that records the headers of every request it receives, to
// check what the gateway sends upstream (trace context, credentials). It speaks streamable HTTP
// on any path, and legacy HTTP+SSE on `<prefix>/sse` (messages POSTed to `<prefix>/messages`).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface RecordedMcpRequest {
  readonly httpMethod: string;
  /** The request path without the query: targets can share the server under paths of their own. */
  readonly path: string;
  /** The JSON-RPC method of a POSTed request or notification. */
  readonly rpcMethod?: string;
  readonly headers: IncomingHttpHeaders;
}

export interface RecordingMcpServer {
  /** `http://127.0.0.1:<port>/mcp` (any other path serves too). */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: readonly RecordedMcpRequest[];
  /** The requests whose JSON-RPC method is `method`. */
  calls(method: string): RecordedMcpRequest[];
  close(): Promise<void>;
}

function calcServer(): McpServer {
  const mcp = new McpServer({ name: 'calc', version: '1.0.0' });
  mcp.registerTool(
    'add',
    { description: 'adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return mcp;
}

/** Serves one tool, `add(a, b)`, one SDK transport per MCP session. */
export async function startRecordingMcpServer(): Promise<RecordingMcpServer> {
  const requests: RecordedMcpRequest[] = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const legacy = new Map<string, SSEServerTransport>();
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const rpcMethod =
        body && typeof body === 'object' && 'method' in body && typeof body.method === 'string'
          ? body.method
          : undefined;
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({
        httpMethod: req.method ?? '',
        path: url.pathname,
        ...(rpcMethod ? { rpcMethod } : {}),
        headers: req.headers,
      });
      if (req.method === 'GET' && url.pathname.endsWith('/sse')) {
        const t = new SSEServerTransport(url.pathname.replace(/\/sse$/, '/messages'), res);
        legacy.set(t.sessionId, t);
        res.once('close', () => legacy.delete(t.sessionId));
        await calcServer().connect(t);
        return;
      }
      if (req.method === 'POST' && url.pathname.endsWith('/messages')) {
        const t = legacy.get(url.searchParams.get('sessionId') ?? '');
        if (t) await t.handlePostMessage(req, res, body);
        else res.writeHead(404).end();
        return;
      }
      const sid = req.headers['mcp-session-id'];
      let t = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!t) {
        if (typeof sid === 'string') {
          res.writeHead(404).end();
          return;
        }
        const mcp = calcServer();
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => crypto.randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, transport),
          onsessionclosed: (id) => void transports.delete(id),
        });
        await mcp.connect(transport);
        t = transport;
      }
      await t.handleRequest(req, res, body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    requests,
    calls: (method) => requests.filter((r) => r.rpcMethod === method),
    close: async () => {
      await Promise.all(
        [...transports.values(), ...legacy.values()].map((t) => t.close().catch(() => undefined)),
      );
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
