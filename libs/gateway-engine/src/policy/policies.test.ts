import { describe, expect, it } from 'vitest';
import { evaluateCors } from './cors.js';
import { TokenBucket } from './token-bucket.js';
import { rewritePath } from './url-rewrite.js';

describe('cors', () => {
  const c = {
    allowCredentials: false,
    allowHeaders: ['content-type'],
    allowMethods: ['GET', 'POST'],
    allowOrigins: ['https://app.example.com', 'https://*.trusted.dev'],
    exposeHeaders: ['Mcp-Session-Id'],
    maxAgeSeconds: 100,
  };
  const h = (m: Record<string, string>) => (n: string) => m[n];
  it('answers preflights for allowed origins', () => {
    const r = evaluateCors(
      c,
      'OPTIONS',
      h({ origin: 'https://x.trusted.dev', 'access-control-request-method': 'POST' }),
    );
    expect(r).toEqual({
      kind: 'preflight',
      headers: {
        'access-control-allow-origin': 'https://x.trusted.dev',
        vary: 'Origin',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '100',
      },
    });
  });
  it('ignores other origins and adds expose headers on actual requests', () => {
    expect(evaluateCors(c, 'GET', h({ origin: 'https://evil.com' }))).toEqual({ kind: 'none' });
    const r = evaluateCors(c, 'GET', h({ origin: 'https://app.example.com' }));
    expect(r.kind === 'actual' && r.headers['access-control-expose-headers']).toBe('Mcp-Session-Id');
  });
});

describe('TokenBucket', () => {
  it('starts full, empties, refills per interval up to max', () => {
    let now = 0;
    const b = new TokenBucket(
      { maxTokens: 2, tokensPerFill: 1, fillIntervalMs: 1000, type: 'requests' },
      () => now,
    );
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
    now = 999;
    expect(b.tryTake()).toBe(false);
    now = 1000;
    expect(b.tryTake()).toBe(true);
    now = 10_000;
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
  });
});

describe('rewritePath', () => {
  it('replaces the matched prefix without doubling slashes', () => {
    expect(rewritePath('/api/v1/x', { kind: 'prefix', value: '/v2/' }, '/api/v1')).toBe('/v2/x');
    expect(rewritePath('/api', { kind: 'prefix', value: '/' }, '/api')).toBe('/');
    expect(rewritePath('/api/x', { kind: 'prefix', value: '/' }, '/api')).toBe('/x');
    expect(rewritePath('/anything', { kind: 'full', value: '/new-path' }, '')).toBe('/new-path');
  });
});
