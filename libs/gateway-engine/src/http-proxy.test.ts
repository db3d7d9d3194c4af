import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyHttp } from './http-proxy.js';

const BIG = Buffer.alloc(8 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let upstream: Server;
let front: Server;
let frontUrl: string;
const agent = new Agent();
const seen: { status: number; bytes: number; ended: boolean }[] = [];

async function listen(s: Server): Promise<number> {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-length': BIG.byteLength, 'content-type': 'application/octet-stream' });
      res.end(BIG);
    } else if (req.url === '/broken') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
    } else res.writeHead(200, { 'content-length': '2', connection: 'keep-alive' }).end('ok');
  });
  const upPort = await listen(upstream);
  // A minimal front end: every request proxied as is, the body observed on the side.
  front = createServer((req, res) => {
    const ac = new AbortController();
    const info = { status: 0, bytes: 0, ended: false };
    void proxyHttp(req.method ?? 'GET', res, {
      dispatcher: agent,
      origin: `http://127.0.0.1:${upPort}`,
      path: req.url ?? '/',
      headers: {},
      body: null,
      signal: ac.signal,
      decorate: (h) => {
        h['x-proxied'] = 'yes';
      },
      observe: (status) => {
        info.status = status;
        return {
          chunk: (c) => {
            info.bytes += c.byteLength;
          },
          end: () => {
            info.ended = true;
          },
        };
      },
    })
      .catch(() => res.destroy())
      .finally(() => seen.push(info));
  });
  frontUrl = `http://127.0.0.1:${await listen(front)}`;
});

afterAll(async () => {
  front.close();
  upstream.closeAllConnections();
  upstream.close();
  await agent.close();
});

describe('proxyHttp', () => {
  it('relays a large answer intact to a client that reads slowly, and observes all of it', async () => {
    seen.length = 0;
    const r = await request(`${frontUrl}/big`, { highWaterMark: 16 * 1024 });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-proxied']).toBe('yes');
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of r.body) {
      chunks.push(c as Buffer);
      // Slow reader: the gateway must hold the upstream back rather than buffer everything.
      if ((n += 1) % 64 === 0) await new Promise((ok) => setTimeout(ok, 1));
    }
    const got = Buffer.concat(chunks);
    expect(got.byteLength).toBe(BIG.byteLength);
    expect(sha(got)).toBe(sha(BIG));
    expect(seen).toEqual([{ status: 200, bytes: BIG.byteLength, ended: true }]);
  });

  it('cuts the client response off when the upstream breaks off mid-answer', async () => {
    const r = await request(`${frontUrl}/broken`);
    expect(r.statusCode).toBe(200);
    await expect(r.body.text()).rejects.toThrow();
  });

  it('serves many small answers over kept-alive connections', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const r = await request(`${frontUrl}/small`);
        return `${r.statusCode} ${await r.body.text()}`;
      }),
    );
    expect(new Set(answers)).toEqual(new Set(['200 ok']));
  });
});
