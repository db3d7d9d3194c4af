import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Client as HttpClient, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { freePort } from '@agentplane/testing/free-port';
import { waitFor } from '@agentplane/testing/wait';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';

const body = async (url: string) => {
  const r = await request(url);
  return { status: r.statusCode, text: await r.body.text() };
};

describe('gateway app (in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-'));
  const file = join(dir, 'config.yaml');
  const logs: string[] = [];
  let gw: RunningGateway;
  let port = 0;
  const cfg = (msg: string) => `
config:
  session: {key: super-secret-session-key}
binds:
- port: ${port}
  listeners:
  - routes:
    - name: hello
      policies:
        directResponse: {body: "${msg}", status: 200}
`;

  beforeAll(async () => {
    port = await freePort();
    writeFileSync(file, cfg('v1'));
    const app = parseAppConfig(['-f', file], {
      ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
      STATS_ADDR: `127.0.0.1:${await freePort()}`,
      READINESS_ADDR: `127.0.0.1:${await freePort()}`,
      LISTEN_HOST: '127.0.0.1',
    }) as AppConfig;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        logs.push(chunk.toString());
        cb();
      },
    });
    gw = await startGateway({
      app,
      logger: pino({ level: 'info' }, sink),
      registry: createMetricsRegistry({ defaultMetrics: true }),
    });
  });
  afterAll(async () => {
    await gw.close(500);
  });

  it('is ready after binding and serves ops endpoints', async () => {
    expect(gw.isReady()).toBe(true);
    expect((await body(`http://127.0.0.1:${gw.readinessPort}/healthz/ready`)).status).toBe(200);
    expect((await body(`http://127.0.0.1:${port}/`)).text).toBe('v1');
    const metrics = (await body(`http://127.0.0.1:${gw.statsPort}/metrics`)).text;
    expect(metrics).toContain('agentgateway_build_info');
    expect(metrics).toMatch(/agentgateway_requests_total\{[^}]*route="hello"[^}]*status="200"\} 1/);
    expect(metrics).toContain('nodejs_eventloop_lag');
    const dump = (await body(`http://127.0.0.1:${gw.adminPort}/config_dump`)).text;
    expect(dump).toContain('"hello"');
    expect(dump).not.toContain('super-secret-session-key');
    const lv = await request(`http://127.0.0.1:${gw.adminPort}/logging?level=debug`, { method: 'POST' });
    expect(await lv.body.json()).toEqual({ level: 'debug' });
    await request(`http://127.0.0.1:${gw.adminPort}/logging?level=info`, { method: 'POST' }).then((r) =>
      r.body.dump(),
    );
  });

  it('applies a valid file change live without dropping connections, and rejects an invalid one naming the key path', async () => {
    const conn = new HttpClient(`http://127.0.0.1:${port}`);
    let connects = 0;
    conn.on('connect', () => connects++);
    const get = async () => (await conn.request({ path: '/', method: 'GET' })).body.text();
    expect(await get()).toBe('v1');
    writeFileSync(file, cfg('v2'));
    await waitFor(async () => (await get()) === 'v2', { description: 'v2 served' });
    writeFileSync(file, cfg('v3').replace('directResponse:', 'directRespons:'));
    const rejected = await waitFor(() => logs.find((l) => l.includes('config rejected')), {
      description: 'rejection logged',
    });
    expect(rejected).toContain('binds[0].listeners[0].routes[0].policies.directRespons');
    expect(await get()).toBe('v2');
    expect(connects).toBe(1);
    await conn.close();
  });
});
