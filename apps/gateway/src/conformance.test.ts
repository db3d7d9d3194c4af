// With one target and the default prefix mode the gateway is transparent: the MCP conformance
// suite scores the same through it as directly against server-everything (streamable HTTP).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@agentplane/testing/free-port';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './gateway.js';
import { startGatewayFromFile } from './testing/in-process-gateway.js';
import { appDir } from './testing/gateway-process.js';

const run = promisify(execFile);
const CLI = join(appDir, 'node_modules/.bin/conformance');

interface Score {
  passed: number;
  failed: number;
  scenarios: Map<string, boolean>;
}

async function conformance(url: string): Promise<Score> {
  // Bounded: the suite takes about a second; the deadline only guards against a hang.
  const { stdout } = await run(CLI, ['server', '--url', url], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }), // a failing scenario makes the CLI exit non-zero
  );
  const total = /Total: (\d+) passed, (\d+) failed/.exec(stdout);
  if (!total) throw new Error(`no total in conformance output:\n${stdout.slice(-2000)}`);
  const scenarios = new Map<string, boolean>();
  for (const m of stdout.matchAll(/^([✓✗]) (\S+): /gm)) scenarios.set(m[2] ?? '', m[1] === '✓');
  return { passed: Number(total[1]), failed: Number(total[2]), scenarios };
}

describe('MCP conformance: direct vs through the gateway', () => {
  let upstream: HttpMcpServer;
  let gw: RunningGateway;
  let port = 0;

  beforeAll(async () => {
    upstream = await startHttpMcpServer({ transport: 'streamableHttp' });
    port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), 'gw-conf-')), 'config.yaml');
    writeFileSync(
      file,
      `mcp:\n  port: ${port}\n  targets:\n  - name: everything\n    mcp: {host: "${upstream.url}"}\n`,
    );
    gw = await startGatewayFromFile(file);
  });
  afterAll(async () => {
    await gw?.close(500);
    await upstream?.dispose();
  });

  it('scores the same through the gateway as directly', { timeout: 300_000 }, async () => {
    const direct = await conformance(upstream.url);
    const viaGateway = await conformance(`http://127.0.0.1:${port}/mcp`);
    expect(direct.passed + direct.failed).toBeGreaterThan(20);
    const differing = [...direct.scenarios]
      .filter(([name, ok]) => viaGateway.scenarios.get(name) !== ok)
      .map(([name, ok]) => `${name}: direct ${ok ? 'passed' : 'failed'}`);
    expect(differing).toEqual([]);
    expect({ passed: viaGateway.passed, failed: viaGateway.failed }).toEqual({
      passed: direct.passed,
      failed: direct.failed,
    });
  });
});
