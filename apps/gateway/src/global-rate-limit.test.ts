// globalRateLimit shared by two gateway processes through the real Redis (REDIS_URL; CI sets it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@agentplane/testing/free-port';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, spawnGateway, type GatewayProcess } from './testing/gateway-process.js';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('global rate limit across two gateway processes on Redis', () => {
  const prefix = `test:gw-rl-${process.pid}-${randomBytes(4).toString('hex')}:`;
  let a: GatewayProcess;
  let b: GatewayProcess;
  // Replicas run the same config, so the same port: one on 127.0.0.1, the other on 127.0.0.2.
  const hosts = ['127.0.0.1', '127.0.0.2'];
  let port = 0;

  beforeAll(async () => {
    buildGateway();
    const file = join(mkdtempSync(join(tmpdir(), 'gw-rl-')), 'config.yaml');
    writeFileSync(
      file,
      `config:
  globalRateLimit: {keyPrefix: "${prefix}"}
binds:
- port: $GW_PORT
  listeners:
  - routes:
    - name: limited
      policies:
        globalRateLimit: [{maxTokens: 5, tokensPerFill: 1, fillInterval: 1h}]
        directResponse: {body: "ok", status: 200}
`,
    );
    port = await freePort();
    a = await spawnGateway(file, { GW_PORT: String(port), REDIS_URL: redisUrl, LISTEN_HOST: hosts[0] });
    b = await spawnGateway(file, { GW_PORT: String(port), REDIS_URL: redisUrl, LISTEN_HOST: hosts[1] });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((p) => p.stop()));
    if (redisUrl) {
      const { Redis } = await import('ioredis');
      const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
      await r.quit();
    }
  });

  it('lets exactly maxTokens requests through in total, whichever replica gets them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await request(`http://${hosts[i % 2]}:${port}/`);
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      await r.body.dump();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // Both replicas served some and refused some: the bucket is shared, not per process.
    expect(statuses.filter((s, i) => i % 2 === 1 && s === 200).length).toBeGreaterThan(0);
  });
});
