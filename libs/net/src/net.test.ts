import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePort } from './free-port.js';
import { listenHttp } from './listen-http.js';

describe('findFreePort', () => {
  it('returns a port that can be bound', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('listenHttp', () => {
  it('serves on the bound port, applies the limits and closes open connections', async () => {
    const listener = await listenHttp({
      handler: (_req, res) => res.end('hi'),
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 45_000,
      maxHeaderBytes: 1024,
    });
    try {
      expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
      expect(listener.server.requestTimeout).toBe(45_000);
      expect(listener.server.headersTimeout).toBe(20_000);
      expect(listener.server.keepAliveTimeout).toBe(5_000);
      expect(await (await fetch(listener.url)).text()).toBe('hi');
      const big = await fetch(listener.url, { headers: { 'x-big': 'a'.repeat(4096) } });
      expect(big.status).toBe(431);
    } finally {
      await listener.close();
    }
    expect(listener.server.listening).toBe(false);
  });

  it('brackets IPv6 hosts and keeps a short request time for the head too', async () => {
    const listener = await listenHttp({
      handler: (_req, res) => res.end(),
      host: '::1',
      port: 0,
      requestTimeoutMs: 5_000,
    });
    try {
      expect(listener.url).toBe(`http://[::1]:${listener.port}`);
      expect(listener.server.headersTimeout).toBe(5_000);
    } finally {
      await listener.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await listenHttp({
      handler: (_req, res) => res.end(),
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 1_000,
    });
    try {
      await expect(
        listenHttp({
          handler: (_req, res) => res.end(),
          host: '127.0.0.1',
          port: first.port,
          requestTimeoutMs: 1_000,
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
