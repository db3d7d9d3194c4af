import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@agentplane/gateway-config';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataPlane } from './data-plane.js';
import { GatewayMetrics } from './gateway-metrics.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let upstream: Server;
let upPort = 0;
const seen: Seen[] = [];
let flaky = 0;
let releaseStream: (() => void) | undefined;
/** Resolves when the upstream side of a `/stream?hold` answer is closed. */
let heldClosed: Promise<void> | undefined;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/flaky')) {
        flaky++;
        res.writeHead(flaky % 2 === 1 ? 503 : 200).end(`attempt ${flaky} body=${body}`);
      } else if (req.url?.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 2000).unref();
      } else if (req.url?.startsWith('/stream?hold')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: held\n\n');
        heldClosed = new Promise((r) => res.once('close', () => r()));
      } else if (req.url?.startsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        releaseStream = () => res.end('data: last\n\n');
      } else {
        res.writeHead(200, { 'x-upstream': 'yes', 'x-remove-me': '1' }).end(`echo ${req.method} ${req.url}`);
      }
    });
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upPort = (upstream.address() as AddressInfo).port;
});
afterAll(() => {
  upstream.closeAllConnections();
  upstream.close();
});

function config(extra = '', direct = 'hello!'): string {
  return `
binds:
- port: 0
  listeners:
  - routes:
    - name: direct
      matches: [{path: {pathPrefix: /direct}}]
      policies:
        directResponse: {body: "${direct}", status: 200}
    - name: api
      matches: [{path: {pathPrefix: /api}}]
      policies:
        urlRewrite: {path: {prefix: /v2}, authority: {full: rewritten.local}}
        requestHeaderModifier: {add: {x-added: one}, remove: [x-secret]}
        responseHeaderModifier: {set: {x-resp: set}, remove: [x-remove-me]}
      backends: [{host: "127.0.0.1:${upPort}"}]
    - name: limited
      matches: [{path: {pathPrefix: /limited}}]
      policies:
        localRateLimit: [{maxTokens: 2, tokensPerFill: 1, fillInterval: 60s}]
      backends: [{host: "127.0.0.1:${upPort}"}]
    - name: flaky
      matches: [{path: {pathPrefix: /flaky}}]
      policies:
        retry: {attempts: 1, codes: [503]}
      backends: [{host: "127.0.0.1:${upPort}"}]
    - name: slow
      matches: [{path: {pathPrefix: /slow}}]
      policies:
        timeout: {requestTimeout: 200ms}
      backends: [{host: "127.0.0.1:${upPort}"}]
    - name: stream
      matches: [{path: {pathPrefix: /stream}}]
      backends: [{host: "127.0.0.1:${upPort}"}]
    - name: down
      matches: [{path: {pathPrefix: /down}}]
      backends: [{host: "127.0.0.1:1"}]
    - name: secured
      matches: [{path: {pathPrefix: /secured}}]
      policies:
        basicAuth: {htpasswd: "user:hash", mode: strict, realm: gw}
      backends: [{host: "127.0.0.1:${upPort}"}]
${extra}`;
}

function plane(): { dp: DataPlane; registry: Registry } {
  const registry = new Registry();
  const dp = new DataPlane({
    logger: pino({ level: 'silent' }),
    metrics: new GatewayMetrics({ registry, version: 'test' }),
    listenHost: '127.0.0.1',
    limits: { maxBodyBytes: 1024 },
  });
  return { dp, registry };
}

describe('DataPlane', () => {
  it('routes, rewrites, modifies headers and streams from host backends', async () => {
    const { dp, registry } = plane();
    try {
      await dp.apply(loadConfig(config(), { env: {} }).model);
      const base = `http://127.0.0.1:${dp.boundPort(0)}`;

      const direct = await request(`${base}/direct`);
      expect(await direct.body.text()).toBe('hello!');

      const api = await request(`${base}/api/items?x=1`, {
        headers: { 'x-secret': 's', host: 'orig.local' },
      });
      expect(await api.body.text()).toBe('echo GET /v2/items?x=1');
      expect(api.headers['x-resp']).toBe('set');
      expect(api.headers['x-upstream']).toBe('yes');
      expect(api.headers['x-remove-me']).toBeUndefined();
      const s = seen.at(-1);
      expect(s?.headers.host).toBe('rewritten.local');
      expect(s?.headers['x-added']).toBe('one');
      expect(s?.headers['x-secret']).toBeUndefined();
      expect(s?.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(s?.headers['x-forwarded-host']).toBe('orig.local');

      // Streaming: the first event arrives while the upstream response is still open.
      const stream = await request(`${base}/stream`);
      const it = stream.body[Symbol.asyncIterator]();
      const first = await it.next();
      expect(String(first.value)).toBe('data: first\n\n');
      releaseStream?.();
      let rest = '';
      for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
      expect(rest).toBe('data: last\n\n');

      // A client that goes away mid-stream takes the upstream request with it.
      const held = await request(`${base}/stream?hold`);
      const heldIt = held.body[Symbol.asyncIterator]();
      expect(String((await heldIt.next()).value)).toBe('data: held\n\n');
      held.body.destroy();
      await heldClosed;

      const metrics = await registry.metrics();
      expect(metrics).toMatch(
        /agentgateway_requests_total\{gateway="gateway",listener="listener0",route="api",backend="[^"]+",method="GET",status="200"\} 1/,
      );
    } finally {
      await dp.close(1000);
    }
  });

  it('applies rate limits, retries, timeouts and reports upstream failures', async () => {
    const { dp } = plane();
    try {
      await dp.apply(loadConfig(config(), { env: {} }).model);
      const base = `http://127.0.0.1:${dp.boundPort(0)}`;
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await request(`${base}/limited`);
        await r.body.dump();
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([200, 200, 429]);

      const flakyRes = await request(`${base}/flaky`, { method: 'POST', body: 'payload' });
      expect(flakyRes.statusCode).toBe(200);
      expect(await flakyRes.body.text()).toBe('attempt 2 body=payload');

      const slow = await request(`${base}/slow`);
      expect(slow.statusCode).toBe(504);
      await slow.body.dump();

      const down = await request(`${base}/down`);
      expect(down.statusCode).toBe(503);
      await down.body.dump();

      const tooBig = await request(`${base}/api/x`, { method: 'POST', body: 'x'.repeat(2048) });
      expect(tooBig.statusCode).toBe(413);
      await tooBig.body.dump();

      const secured = await request(`${base}/secured`);
      expect(secured.statusCode).toBe(401);
      expect(secured.headers['www-authenticate']).toBe('Basic realm="gw"');
      await secured.body.dump();
      const basic = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` });
      const wrong = await request(`${base}/secured`, { headers: basic('user:nope') });
      expect(wrong.statusCode).toBe(401);
      await wrong.body.dump();
      const ok = await request(`${base}/secured`, { headers: basic('user:hash') });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
    } finally {
      await dp.close(1000);
    }
  });

  it('hot-swaps config without dropping open connections or in-flight streams', async () => {
    const { dp } = plane();
    try {
      await dp.apply(loadConfig(config(), { env: {} }).model);
      const port = dp.boundPort(0);
      const client = new Client(`http://127.0.0.1:${port}`, { pipelining: 0 });
      const sockets = new Set<unknown>();
      client.on('connect', (_o, _t) => sockets.add(_o));
      const stream = await client.request({ path: '/stream', method: 'GET' });
      const it = stream.body[Symbol.asyncIterator]();
      expect(String((await it.next()).value)).toBe('data: first\n\n');

      await dp.apply(loadConfig(config('', 'v2'), { env: {} }).model);
      expect(dp.boundPort(0)).toBe(port);

      const other = new Client(`http://127.0.0.1:${port}`);
      const r = await other.request({ path: '/direct', method: 'GET' });
      expect(await r.body.text()).toBe('v2');
      releaseStream?.();
      let rest = '';
      for (let x = await it.next(); !x.done; x = await it.next()) rest += String(x.value);
      expect(rest).toBe('data: last\n\n');
      // The same keep-alive connection now serves the new config.
      const again = await client.request({ path: '/direct', method: 'GET' });
      expect(await again.body.text()).toBe('v2');
      expect(sockets.size).toBe(1);
      await client.close();
      await other.close();
    } finally {
      await dp.close(1000);
    }
  });

  it('answers 404 when no route matches and keeps the old config when a port cannot be bound', async () => {
    const { dp } = plane();
    try {
      await dp.apply(
        loadConfig(
          'binds:\n- port: 0\n  listeners:\n  - routes:\n    - matches: [{path: {exact: /only}}]\n      policies: {directResponse: {status: 204}}\n',
          { env: {} },
        ).model,
      );
      const base = `http://127.0.0.1:${dp.boundPort(0)}`;
      const r = await request(`${base}/other`);
      expect(r.statusCode).toBe(404);
      await r.body.dump();
      const bad = loadConfig(`binds:\n- port: 0\n  listeners: []\n- port: ${upPort}\n  listeners: []\n`, {
        env: {},
      }).model;
      await expect(dp.apply(bad)).rejects.toThrow(/cannot listen on port/);
      const still = await request(`${base}/only`);
      expect(still.statusCode).toBe(204);
    } finally {
      await dp.close(1000);
    }
  });
});
