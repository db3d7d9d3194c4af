import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { ToolRepository } from './tool-repository.js';
import { createToolRepository } from './tool-repository.js';

const remote = { name: 'kagent/everything', groupKind: 'RemoteMCPServer.kagent.dev' };
const service = { name: 'kagent/everything', groupKind: 'Service' };

describe.each(engines(process.env.DATABASE_URL))('tools and tool servers on $name', (engine) => {
  let handle: EngineDatabase;
  let tools: ToolRepository;
  beforeAll(async () => {
    handle = await engine.open();
    tools = createToolRepository(handle.db);
  });
  afterAll(() => handle.dispose());

  const ids = async (server: { name: string; groupKind: string }) =>
    (await tools.listTools({ serverName: server.name, groupKind: server.groupKind })).map((t) => t.id);

  it('records a server before discovery without a last connection', async () => {
    const server = await tools.upsertServer({ ...remote, description: 'reference server' });
    expect(server).toMatchObject({ ...remote, description: 'reference server', lastConnected: null });
    expect(await tools.getServer(remote)).toEqual(server);
    expect(await tools.getServer({ ...remote, groupKind: 'MCPServer.kagent.dev' })).toBeUndefined();
  });

  it('replaces a server’s tools on discovery and stamps last_connected', async () => {
    const connectedAt = new Date('2030-01-02T03:04:05.000Z');
    const first = await tools.replaceServerTools({
      server: { ...remote, description: 'reference server' },
      tools: [
        {
          id: 'echo',
          description: 'Echoes',
          inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
        },
        { id: 'add', description: 'Adds' },
        { id: 'add', description: 'Adds two numbers' },
      ],
      connectedAt,
    });
    expect(first).toEqual({ tools: 2, removed: 0 });
    expect((await tools.getServer(remote))?.lastConnected).toEqual(connectedAt);
    const listed = await tools.listTools({ serverName: remote.name });
    expect(listed.map((t) => [t.id, t.description])).toEqual([
      ['add', 'Adds two numbers'],
      ['echo', 'Echoes'],
    ]);
    expect(listed[1]?.inputSchema).toEqual({ type: 'object', properties: { message: { type: 'string' } } });

    const second = await tools.replaceServerTools({
      server: remote,
      tools: [{ id: 'echo', description: 'Echo v2' }, { id: 'sleep' }],
    });
    expect(second).toEqual({ tools: 2, removed: 1 });
    expect(await ids(remote)).toEqual(['echo', 'sleep']);
    expect((await tools.getServer(remote))?.lastConnected?.getTime()).toBeGreaterThan(
      connectedAt.getTime() - 10 ** 12,
    );
  });

  it('keeps servers of the same name but another kind apart', async () => {
    await tools.replaceServerTools({ server: service, tools: [{ id: 'echo' }, { id: 'other' }] });
    expect(await ids(service)).toEqual(['echo', 'other']);
    expect(await ids(remote)).toEqual(['echo', 'sleep']);
    expect((await tools.listTools({ groupKind: 'Service' })).map((t) => t.id)).toEqual(['echo', 'other']);
    expect(await tools.listTools()).toHaveLength(4);
    expect((await tools.listServers()).map((s) => s.groupKind)).toEqual([
      'RemoteMCPServer.kagent.dev',
      'Service',
    ]);
  });

  it('leaves the old tools in place when a replacement fails half-way', async () => {
    // The empty id violates a CHECK constraint after the stale tools were already deleted.
    await expect(
      tools.replaceServerTools({ server: remote, tools: [{ id: 'brand-new' }, { id: '' }] }),
    ).rejects.toMatchObject({ code: 'QUERY_FAILED', sqlState: '23514' });
    expect(await ids(remote)).toEqual(['echo', 'sleep']);
  });

  it('removing every tool of a server leaves the server', async () => {
    expect(await tools.replaceServerTools({ server: service, tools: [] })).toEqual({ tools: 0, removed: 2 });
    expect(await ids(service)).toEqual([]);
    expect(await tools.getServer(service)).toBeDefined();
  });

  it('deletes a server with its tools, by kind or every kind', async () => {
    expect(await tools.deleteServer(service)).toBe(1);
    expect(await tools.getServer(service)).toBeUndefined();
    await tools.replaceServerTools({ server: service, tools: [{ id: 'x' }] });
    expect(await tools.deleteServer({ name: remote.name })).toBe(2);
    expect(await tools.listServers()).toEqual([]);
    expect(await tools.listTools()).toEqual([]);
    expect(await tools.deleteServer({ name: remote.name })).toBe(0);
  });
});
