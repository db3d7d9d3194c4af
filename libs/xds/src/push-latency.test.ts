// Measures what one changed route costs with 1,000 resources and 5 connected gateways: time from
// the cache update to every client having applied and ACKed it, and the bytes sent per client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdsDefinition } from './ads/ads-definition.js';
import { createXdsClient } from './client/xds-client.js';
import type { XdsClient } from './client/xds-client.js';
import { gatewayKey } from './node-identity.js';
import type { XdsPushInfo } from './server/server-metrics.js';
import { XdsSnapshotCache } from './server/snapshot-cache.js';
import type { ResourceInput } from './server/snapshot-cache.js';
import { createXdsServer } from './server/xds-server.js';
import type { XdsServer } from './server/xds-server.js';
import { sampleBind, sampleListener, sampleMcpBackend, sampleRoute } from './testing/fixtures.js';
import { TypeUrl } from './type-urls.js';

const gw = { namespace: 'bench', name: 'gw' };
const ROUTES = 990;
const BACKENDS = 8;
const CLIENTS = 5;
const CHANGES = 60;
/** Changes not measured (JIT warm-up). */
const WARMUP = 5;

describe('push cost', () => {
  const cache = new XdsSnapshotCache();
  const pushes: XdsPushInfo[] = [];
  let acks = 0;
  let server: XdsServer;
  const clients: XdsClient[] = [];

  beforeAll(async () => {
    const ads = loadAdsDefinition();
    const only = [gatewayKey(gw)];
    cache.setResources(TypeUrl.Bind, [['bench/gw/80', { message: sampleBind(gw, 80), gateways: only }]]);
    cache.setResources(TypeUrl.Listener, [
      ['bench/gw/http', { message: sampleListener(gw, 80), gateways: only }],
    ]);
    cache.setResources(
      TypeUrl.Backend,
      Array.from({ length: BACKENDS }, (_, i): [string, ResourceInput] => [
        `bench/mcp${i}`,
        { message: sampleMcpBackend('bench', `mcp${i}`) },
      ]),
    );
    cache.setResources(
      TypeUrl.Route,
      Array.from({ length: ROUTES }, (_, i): [string, ResourceInput] => [
        `bench/route${i}`,
        { message: sampleRoute(gw, `route${i}`, `bench/mcp${i % BACKENDS}`), gateways: only },
      ]),
    );
    server = createXdsServer({ cache, ads, metrics: { pushed: (p) => pushes.push(p), acked: () => acks++ } });
    const port = await server.listen('127.0.0.1:0');
    for (let i = 0; i < CLIENTS; i++) {
      const c = createXdsClient({ address: `127.0.0.1:${port}`, node: { id: `gw-${i}`, gateway: gw }, ads });
      c.start();
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.whenSynced()));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('pushes one changed route to 5 clients quickly, sending only that route', async () => {
    const worldBytes =
      pushes.filter((p) => p.typeUrl === TypeUrl.Route).reduce((n, p) => n + p.bytes, 0) / CLIENTS;
    const times: number[] = [];
    const bytesPerClient: number[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const name = `bench/route${k}`;
      pushes.length = 0;
      const acksBefore = acks;
      const applied = Promise.all(
        clients.map(
          (c) =>
            new Promise<void>((resolve) => {
              const onChange = (e: { updated: readonly { name: string }[] }) => {
                if (e.updated.some((u) => u.name === name)) {
                  c.off('change', onChange);
                  resolve();
                }
              };
              c.on('change', onChange);
            }),
        ),
      );
      const t0 = performance.now();
      cache.updateResources(TypeUrl.Route, {
        set: [
          [
            name,
            {
              message: sampleRoute(gw, `route${k}`, `bench/mcp${(k + 1) % BACKENDS}`),
              gateways: [gatewayKey(gw)],
            },
          ],
        ],
      });
      await applied;
      // ACKs are written right after apply; wait for the server to have all of them.
      while (acks - acksBefore < CLIENTS) await new Promise((r) => setImmediate(r));
      if (k >= WARMUP) times.push(performance.now() - t0);
      expect(pushes).toHaveLength(CLIENTS);
      for (const p of pushes) expect(p.resourceNames).toEqual([name]);
      bytesPerClient.push(pushes.reduce((n, p) => n + p.bytes, 0) / CLIENTS);
    }
    times.sort((a, b) => a - b);
    const pct = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? NaN;
    const bytes = Math.max(...bytesPerClient);
    console.log(
      `xds push cost (${ROUTES + BACKENDS + 2} resources, ${CLIENTS} clients, ${CHANGES - WARMUP} changes): ` +
        `change->all ACKed p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms; ` +
        `${bytes} bytes per client per change (initial Route sync ${Math.round(worldBytes)} bytes per client)`,
    );
    expect(bytes).toBeLessThan(512);
    expect(bytes * 100).toBeLessThan(worldBytes);
    expect(pct(0.99)).toBeLessThan(1_000);
  });
});
