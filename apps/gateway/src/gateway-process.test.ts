// Spawns the built gateway (dist/main.js) as real processes: two replicas sharing SESSION_KEY.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from './test-helpers.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const EVERYTHING = fileURLToPath(
  new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

interface Proc {
  child: ChildProcess;
  port: number;
  readiness: number;
  output: string[];
}

async function spawnGateway(configFile: string, port: number): Promise<Proc> {
  const readiness = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [join(appDir, 'dist/main.js'), '--config', configFile], {
    env: {
      PATH: process.env.PATH,
      GW_PORT: String(port),
      SESSION_KEY: 'shared-replica-key-0123456789abcdef',
      ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
      STATS_ADDR: `127.0.0.1:${await freePort()}`,
      READINESS_ADDR: `127.0.0.1:${readiness}`,
      LISTEN_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  await until(
    'gateway ready',
    async () => {
      const r = await request(`http://127.0.0.1:${readiness}/healthz/ready`);
      await r.body.dump();
      return r.statusCode === 200 ? true : undefined;
    },
    20_000,
  );
  return { child, port, readiness, output };
}

function stop(p: Proc): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve(p.child.exitCode);
    p.child.once('exit', (code) => resolve(code));
    p.child.kill('SIGTERM');
  });
}

describe('gateway process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-proc-'));
  const file = join(dir, 'config.yaml');
  let a: Proc;
  let b: Proc;

  beforeAll(async () => {
    execFileSync('pnpm', ['nx', 'run', '@agentplane/gateway:build', '--output-style=static'], {
      cwd: join(appDir, '../..'),
      env: { ...process.env, NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    // $GW_PORT comes from each process's env: one file, two replicas on different ports.
    writeFileSync(
      file,
      `mcp:\n  port: $GW_PORT\n  targets:\n  - name: everything\n    stdio: {cmd: "${process.execPath}", args: ["${EVERYTHING}", "stdio"]}\n`,
    );
    a = await spawnGateway(file, await freePort());
    b = await spawnGateway(file, await freePort());
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map(stop));
  });

  it('a session opened on one replica is resumed by another sharing the key; SIGTERM exits cleanly', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${a.port}/mcp`));
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.some((t) => t.name === 'echo')).toBe(true); // one target, conditional prefix: bare names
    const sid = transport.sessionId ?? '';
    const res = await request(`http://127.0.0.1:${b.port}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sid,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'from b' } },
      }),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('from b');
    await client.close();
    expect(await stop(a)).toBe(0);
    expect(await stop(b)).toBe(0);
  });
});
