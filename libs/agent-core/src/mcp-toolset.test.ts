import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAgentConfig } from '@agentplane/agent-config';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolCallContext } from './agent-tool.js';
import { silentLogger } from './core-logger.js';
import { McpToolset } from './mcp-toolset.js';

interface ToyServer {
  url: string;
  port: number;
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

/** A small stateful streamable-HTTP MCP server that records the headers each tool call carried. */
async function startToyServer(port = 0, headers: ToyServer['headers'] = []): Promise<ToyServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const newMcp = (): McpServer => {
    const mcp = new McpServer({ name: 'toy', version: '1.0.0' });
    mcp.registerTool(
      'whoami',
      { description: 'Says who calls', inputSchema: { note: z.string() } },
      (args, extra) => {
        headers.push({ ...(extra.requestInfo?.headers ?? {}) });
        return { content: [{ type: 'text', text: `note=${args.note}` }] };
      },
    );
    mcp.registerTool('hidden', { description: 'Not in tools[]' }, () => ({
      content: [{ type: 'text', text: 'x' }],
    }));
    mcp.registerTool('fails', { description: 'Always an error' }, () => ({
      content: [{ type: 'text', text: 'it broke' }],
      isError: true,
    }));
    return mcp;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const sid = req.headers['mcp-session-id'];
      let transport = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!transport) {
        if (typeof sid === 'string') {
          res.writeHead(404).end(
            JSON.stringify({
              jsonrpc: '2.0',
              error: { code: -32001, message: 'Session not found' },
              id: null,
            }),
          );
          return;
        }
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            if (transport) transports.set(id, transport);
          },
        });
        await newMcp().connect(transport);
      }
      await transport.handleRequest(req, res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    port: bound,
    headers,
    close: async () => {
      await Promise.all([...transports.values()].map((t) => t.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function context(headers: Record<string, string> = {}): ToolCallContext {
  return {
    signal: new AbortController().signal,
    requestHeaders: headers,
    userId: 'u',
    sessionId: 's',
    taskId: 't',
  };
}

function toolsetFor(
  url: string,
  extra: Record<string, unknown> = {},
  transport: 'streamable-http' | 'sse' = 'streamable-http',
) {
  const config = parseAgentConfig({
    model: { type: 'openai', model: 'm' },
    http_tools: [{ params: { url, headers: { 'x-fixed': 'fixed-value' }, timeout: 5 }, ...extra }],
  });
  const set = config.http_tools[0];
  if (!set) throw new Error('no toolset');
  return new McpToolset({ config: set, transport, logger: silentLogger });
}

describe('McpToolset against a streamable-HTTP server', () => {
  let toy: ToyServer;

  beforeAll(async () => {
    toy = await startToyServer();
  });

  afterAll(async () => {
    await toy.close();
  });

  it('lists only the tools named in tools[], with their JSON schema and approval flag', async () => {
    const set = toolsetFor(toy.url, { tools: ['whoami', 'fails'], require_approval: ['fails'] });
    const tools = await set.listTools({ signal: new AbortController().signal });
    expect(tools.map((t) => [t.definition.name, t.requiresApproval])).toEqual([
      ['whoami', false],
      ['fails', true],
    ]);
    expect(tools[0]?.definition.parameters).toMatchObject({
      type: 'object',
      properties: { note: { type: 'string' } },
    });
    await set.close();
  });

  it('forwards allowed request headers (and fixed ones), not the others', async () => {
    const set = toolsetFor(toy.url, { tools: ['whoami'], allowed_headers: ['X-Tenant-Id'] });
    const [tool] = await set.listTools({ signal: new AbortController().signal });
    const before = toy.headers.length;
    const out = await tool?.call(
      { note: 'hi' },
      context({ 'x-tenant-id': 'acme', authorization: 'Bearer secret' }),
    );
    expect(out).toEqual({ content: 'note=hi', isError: false });
    const seen = toy.headers[before];
    expect(seen?.['x-tenant-id']).toBe('acme');
    expect(seen?.['x-fixed']).toBe('fixed-value');
    expect(seen?.['authorization']).toBeUndefined();
    await set.close();
  });

  it('returns a tool error as an error result', async () => {
    const set = toolsetFor(toy.url);
    const tools = await set.listTools({ signal: new AbortController().signal });
    const fails = tools.find((t) => t.definition.name === 'fails');
    expect(await fails?.call({}, context())).toEqual({ content: 'it broke', isError: true });
    await set.close();
  });

  it('reconnects after the server restarts', async () => {
    const local = await startToyServer();
    const set = toolsetFor(local.url, { tools: ['whoami'] });
    const [tool] = await set.listTools({ signal: new AbortController().signal });
    expect(await tool?.call({ note: 'one' }, context())).toEqual({ content: 'note=one', isError: false });
    await local.close();
    const again = await startToyServer(local.port);
    try {
      expect(await tool?.call({ note: 'two' }, context())).toEqual({ content: 'note=two', isError: false });
    } finally {
      await set.close();
      await again.close();
    }
  });

  it('answers a call to a server that is down with an error result', async () => {
    const local = await startToyServer();
    const set = toolsetFor(local.url, { tools: ['whoami'] });
    const [tool] = await set.listTools({ signal: new AbortController().signal });
    await local.close();
    const out = await tool?.call({ note: 'x' }, context());
    expect(out?.isError).toBe(true);
    expect(out?.content).toMatch(/whoami failed/);
    await set.close();
  });
});

describe('McpToolset against server-everything over SSE', () => {
  let everything: HttpMcpServer;

  beforeAll(async () => {
    everything = await startHttpMcpServer({ transport: 'sse' });
  });

  afterAll(async () => {
    await everything.dispose();
  });

  it('calls echo', async () => {
    const set = toolsetFor(everything.url, { tools: ['echo', 'get-sum'] }, 'sse');
    const tools = await set.listTools({ signal: new AbortController().signal });
    expect(tools.map((t) => t.definition.name).sort()).toEqual(['echo', 'get-sum']);
    const echo = tools.find((t) => t.definition.name === 'echo');
    expect(await echo?.call({ message: 'over sse' }, context())).toEqual({
      content: 'Echo: over sse',
      isError: false,
    });
    await set.close();
  });
});
