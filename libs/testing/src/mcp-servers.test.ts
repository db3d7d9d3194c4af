import { existsSync, readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mcpServerBin,
  mcpServerCommand,
  McpServerError,
  startHttpMcpServer,
  startStdioMcpServer,
} from './mcp-servers.js';
import type { HttpMcpServer, StdioMcpServer } from './mcp-servers.js';

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('');
}

async function expectEverythingWorks(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toContain('echo');
  expect(names).toContain('get-sum');
  const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello over MCP' } });
  expect(textOf(echoed)).toBe('Echo: hello over MCP');
}

describe('mcpServerCommand', () => {
  it('points at the bin scripts inside node_modules', () => {
    for (const server of ['everything', 'memory'] as const) {
      const bin = mcpServerBin(server);
      expect(bin).toMatch(new RegExp(`node_modules/@modelcontextprotocol/server-${server}/`));
      expect(existsSync(bin)).toBe(true);
    }
    const everything = mcpServerCommand({ server: 'everything', transport: 'sse' });
    expect(everything.command).toBe(process.execPath);
    expect(everything.args).toEqual([mcpServerBin('everything'), 'sse']);
    const memory = mcpServerCommand({ server: 'memory', memoryFilePath: '/tmp/graph.jsonl' });
    expect(memory.args).toEqual([mcpServerBin('memory')]);
    expect(memory.env.MEMORY_FILE_PATH).toBe('/tmp/graph.jsonl');
    expect(mcpServerCommand({ server: 'memory' }).env.MEMORY_FILE_PATH).toMatch(
      /agentplane-mcp-memory-.*\.jsonl$/,
    );
  });

  it('refuses HTTP transports for server-memory', () => {
    expect(() => mcpServerCommand({ server: 'memory', transport: 'sse' })).toThrow(McpServerError);
  });
});

describe('server-everything over stdio', () => {
  let server: StdioMcpServer;
  beforeAll(async () => {
    server = await startStdioMcpServer({ server: 'everything' });
  });
  afterAll(() => server.dispose());

  it('lists and calls tools', async () => {
    await expectEverythingWorks(server.client);
  });
});

describe('server-memory over stdio', () => {
  let server: StdioMcpServer;
  beforeAll(async () => {
    server = await startStdioMcpServer({ server: 'memory' });
  });

  it('stores entities in its own file and reads the graph back', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_entities', 'read_graph']));
    await server.client.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'agentplane', entityType: 'project', observations: ['runs agents'] }] },
    });
    const graph = await server.client.callTool({ name: 'read_graph', arguments: {} });
    expect(textOf(graph)).toContain('agentplane');
    const file = server.env.MEMORY_FILE_PATH ?? '';
    expect(readFileSync(file, 'utf8')).toContain('runs agents');
    await server.dispose();
    expect(existsSync(file)).toBe(false);
  });
});

describe.each(['streamableHttp', 'sse'] as const)('server-everything over %s', (transport) => {
  let server: HttpMcpServer;
  beforeAll(async () => {
    server = await startHttpMcpServer({ transport });
  });
  afterAll(() => server?.dispose());

  it('serves on a free port and answers clients', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}${transport === 'sse' ? '/sse' : '/mcp'}`);
    await expectEverythingWorks(await server.connectClient());
    const second = await server.connectClient();
    const sum = await second.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(textOf(sum)).toContain('5');
  });

  it('stops the process on dispose', async () => {
    const extra = await startHttpMcpServer({ transport });
    await extra.dispose();
    await expect(fetch(extra.url, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
