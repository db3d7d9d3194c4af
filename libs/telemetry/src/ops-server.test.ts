import { connect } from 'node:net';
import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { startOpsServer } from './ops-server.js';
import type { OpsServer, StartOpsServerOptions } from './ops-server.js';

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(extra: Partial<StartOpsServerOptions> = {}): Promise<OpsServer> {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry(),
      ...extra,
    });
    return server;
  }

  it('serves Prometheus text on /metrics', async () => {
    const registry = createMetricsRegistry();
    new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'reconciles',
      registers: [registry],
    }).inc(2);
    const { url, port } = await start({ registry });
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await res.text()).toContain('controller_runtime_reconcile_total 2');
  });

  it('answers 200 ok on /healthz and /readyz when every check passes, or none is set', async () => {
    const { url } = await start({
      checks: { liveness: () => true, readiness: { db: () => Promise.resolve(true), xds: () => true } },
    });
    for (const path of ['/healthz', '/readyz', '/readyz?verbose']) {
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok\n');
    }
    await server?.close();
    const bare = await start();
    expect((await fetch(`${bare.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 naming the failed checks: false, thrown, or too slow', async () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'ops', destination: { write: (l: string) => void lines.push(l) } });
    const { url } = await start({
      logger,
      checkTimeoutMs: 100,
      checks: {
        liveness: () => false,
        readiness: {
          db: () => Promise.reject(new Error('connection refused')),
          cache: () => true,
          xds: () => new Promise<boolean>(() => undefined),
        },
      },
    });
    const live = await fetch(`${url}/healthz`);
    expect(live.status).toBe(503);
    expect(await live.text()).toBe('liveness check failed: liveness\n');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('readiness check failed: db, xds\n');
    expect(lines.join('')).toContain('connection refused');
  });

  it('answers 404 for other paths and 405 for other methods; HEAD has no body', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics/x`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST', body: 'x'.repeat(100_000) });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('rejects oversized headers and sheds load past the concurrency limit', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const { url } = await start({ maxConcurrentRequests: 1, checks: { readiness: () => gate } });
    const big = await fetch(`${url}/healthz`, { headers: { 'x-big': 'x'.repeat(20_000) } });
    expect(big.status).toBe(431);
    const slow = fetch(`${url}/readyz`);
    // Poll until the first request is in flight, then the next one is turned away.
    const deadline = Date.now() + 5_000;
    let busy: Response | undefined;
    while (Date.now() < deadline) {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 503) {
        busy = res;
        break;
      }
    }
    expect(await busy?.text()).toBe('busy\n');
    release?.();
    expect((await slow).status).toBe(200);
  });

  it('closes open keep-alive connections on close', async () => {
    const { port } = await start();
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await server?.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
