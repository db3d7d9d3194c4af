import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger } from '@agentplane/telemetry/logger';
import { freePort } from '@agentplane/testing/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from './local-platform.js';

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const repoRoot = join(appsDir, '..');

describe('agentplane local', () => {
  let platform: LocalPlatform | undefined;
  let dataDir = '';

  beforeAll(() => {
    if (!existsSync(join(appsDir, 'gateway', 'dist', 'main.js'))) {
      execFileSync('pnpm', ['exec', 'nx', 'run', '@agentplane/gateway:build'], {
        cwd: repoRoot,
        env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
        stdio: 'ignore',
      });
    }
    dataDir = mkdtempSync(join(tmpdir(), 'agentplane-local-'));
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the sample MCP tool servers through the gateway and stops cleanly', async () => {
    const [mcpPort, readinessPort] = [await freePort(), await freePort()];
    platform = await startLocalPlatform({
      dataDir,
      appsDir,
      mcpPort,
      readinessPort,
      nodePath: process.execPath,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    const url = Object.values(platform.urls)[0]!;
    expect(url).toBe(`http://127.0.0.1:${mcpPort}/mcp`);
    const client = new Client({ name: 'local-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('everything_echo');
    expect(names).toContain('memory_read_graph');
    const echoed = await client.callTool({ name: 'everything_echo', arguments: { message: 'hi' } });
    expect(JSON.stringify(echoed.content)).toContain('hi');
    await client.close();

    await platform.stop();
    const { component } = await platform.exited;
    expect(component).toBe('gateway');
  });
});
