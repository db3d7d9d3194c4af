// Spawns the built gateway (dist/main.js) as real processes: two replicas sharing SESSION_KEY.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@agentplane/testing/free-port';
import { mcpServerCommand } from '@agentplane/testing/mcp-servers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, spawnGateway, type GatewayProcess } from './testing/gateway-process.js';

describe('gateway process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-proc-'));
  const file = join(dir, 'config.yaml');
  let a: GatewayProcess;
  let b: GatewayProcess;
  let portA = 0;
  let portB = 0;

  beforeAll(async () => {
    buildGateway();
    const everything = mcpServerCommand({ server: 'everything', transport: 'stdio' });
    // $GW_PORT comes from each process's env: one file, two replicas on different ports.
    writeFileSync(
      file,
      `mcp:\n  port: $GW_PORT\n  targets:\n  - name: everything\n    stdio: {cmd: ${JSON.stringify(everything.command)}, args: ${JSON.stringify(everything.args)}}\n`,
    );
    const key = 'shared-replica-key-0123456789abcdef';
    portA = await freePort();
    portB = await freePort();
    a = await spawnGateway(file, { GW_PORT: String(portA), SESSION_KEY: key });
    b = await spawnGateway(file, { GW_PORT: String(portB), SESSION_KEY: key });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((p) => p.stop()));
  });

  it('a session opened on one replica is resumed by another sharing the key; SIGTERM exits cleanly', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${portA}/mcp`));
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.some((t) => t.name === 'echo')).toBe(true); // one target, conditional prefix: bare names
    const sid = transport.sessionId ?? '';
    const res = await request(`http://127.0.0.1:${portB}/mcp`, {
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
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  });
});
