// The adapter as it ships (the esbuild bundle, run by plain node) in front of server-everything
// over stdio, driven by the official MCP client over streamable HTTP and SSE.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { waitFor } from '@agentplane/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAdapter,
  childPids,
  connectClient,
  everythingFlags,
  startAdapterProcess,
  text,
  type AdapterProcess,
} from './testing/adapter-process.js';

let built: ReturnType<typeof buildAdapter>;
beforeAll(() => {
  built = buildAdapter('bundle');
});
afterAll(() => rmSync(built.dir, { recursive: true, force: true }));

async function progressOf(c: Client): Promise<{ progress: number[]; result: string }> {
  const progress: number[] = [];
  const r = await c.callTool(
    { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
    undefined,
    { onprogress: (p) => progress.push(p.progress) },
  );
  return { progress, result: text(r) };
}

async function sample(c: Client, prompt: string): Promise<string> {
  return text(await c.callTool({ name: 'trigger-sampling-request', arguments: { prompt, maxTokens: 10 } }));
}

describe('mcp-adapter, one child per session', () => {
  let a: AdapterProcess;
  const clients: Client[] = [];
  beforeAll(async () => {
    a = await startAdapterProcess(process.execPath, [built.bundle], ['--per-session', ...everythingFlags()]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await a.stop();
  });

  it('serves the stdio server over streamable HTTP with its own tool names', async () => {
    const c = await connectClient(a.base, 'streamableHttp', 'http');
    clients.push(c);
    const names = (await c.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-sampling-request']));
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'over http' } }))).toContain(
      'over http',
    );
    const p = await progressOf(c);
    expect(p.progress).toEqual([1, 2, 3]);
    expect(p.result).toContain('completed');
    const s = await sample(c, 'ping-http');
    expect(s).toContain('sampled-by-http(');
    expect(s).toContain('ping-http');
  });

  it('serves legacy SSE at /sse, with progress and sampling', async () => {
    const c = await connectClient(a.base, 'sse', 'sse');
    clients.push(c);
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'over sse' } }))).toContain(
      'over sse',
    );
    expect((await progressOf(c)).progress.slice(0, 2)).toEqual([1, 2]);
    expect(await sample(c, 'ping-sse')).toContain('sampled-by-sse(');
  });

  it('runs one child per session', async () => {
    expect(childPids(a.pid)).toHaveLength(clients.length);
    const c = await connectClient(a.base, 'streamableHttp', 'third');
    clients.push(c);
    expect(childPids(a.pid)).toHaveLength(clients.length);
    await (c.transport as StreamableHTTPClientTransport).terminateSession();
    await c.close();
    clients.pop();
    await waitFor(() => childPids(a.pid).length === clients.length, {
      description: 'child of closed session gone',
    });
  });

  it('restarts a child that exits, and the session goes on', async () => {
    const c = clients[0];
    if (!c) throw new Error('no client');
    const before = childPids(a.pid);
    const victim = before[0];
    if (victim === undefined) throw new Error('no child');
    process.kill(victim, 'SIGKILL');
    await waitFor(() => childPids(a.pid).length === before.length && !childPids(a.pid).includes(victim), {
      description: 'a replacement child',
    });
    // Whichever session lost its child, both answer again.
    for (const client of clients)
      await waitFor(
        async () =>
          text(await client.callTool({ name: 'echo', arguments: { message: 'again' } })).includes('again'),
        { description: 'calls after the restart' },
      );
    expect(a.logs().some((l) => l.msg === 'stdio target exited; restarting')).toBe(true);
  });

  it("writes the child's stderr to its log", () => {
    const lines = a.logs().filter((l) => l.stream === 'stderr');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ name: 'mcp-adapter', level: 30 });
  });
});

describe('mcp-adapter, one shared child (config file)', () => {
  let a: AdapterProcess;
  let one: Client;
  let two: Client;
  beforeAll(async () => {
    const flags = everythingFlags();
    const config = join(built.dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ port: 1, cmd: flags[1], args: flags.slice(3), childMode: 'shared' }),
    );
    // --port overrides the file's port (the test needs a free one).
    a = await startAdapterProcess(process.execPath, [built.bundle], ['--config', config]);
    one = await connectClient(a.base, 'streamableHttp', 'one');
    two = await connectClient(a.base, 'sse', 'two');
  });
  afterAll(async () => {
    await Promise.all([one, two].map((c) => c.close().catch(() => undefined)));
    await a.stop();
  });

  it('serves every session from one child', async () => {
    expect(childPids(a.pid)).toHaveLength(1);
    expect(text(await one.callTool({ name: 'echo', arguments: { message: 'one' } }))).toContain('one');
    expect(text(await two.callTool({ name: 'echo', arguments: { message: 'two' } }))).toContain('two');
    expect(childPids(a.pid)).toHaveLength(1);
  });

  it('gives each session its own progress and its own sampling requests', async () => {
    const [p1, p2] = await Promise.all([progressOf(one), progressOf(two)]);
    expect(p1.progress).toEqual([1, 2, 3]);
    // Over SSE this client often handles the last progress after the result, and drops it: it
    // does so against server-everything's own SSE endpoint too.
    expect(p2.progress.slice(0, 2)).toEqual([1, 2]);
    expect(await sample(one, 'from-one')).toContain('sampled-by-one(');
    expect(await sample(two, 'from-two')).toContain('sampled-by-two(');
  });

  it('restarts the shared child when it exits', async () => {
    const [victim] = childPids(a.pid);
    if (victim === undefined) throw new Error('no child');
    process.kill(victim, 'SIGKILL');
    await waitFor(() => childPids(a.pid).length === 1 && childPids(a.pid)[0] !== victim, {
      description: 'a replacement child',
    });
    for (const c of [one, two])
      await waitFor(
        async () => text(await c.callTool({ name: 'echo', arguments: { message: 'back' } })).includes('back'),
        { description: 'calls after the restart' },
      );
  });
});
