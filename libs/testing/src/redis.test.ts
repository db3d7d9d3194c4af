import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { createTestRedis, TestRedisError } from './redis.js';
import type { TestRedis } from './redis.js';

// CI sets REDIS_URL; without it the tests that need a server skip.
const redisUrl = process.env.REDIS_URL;

describe('createTestRedis without a server', () => {
  it('throws a clear error when no URL is given', async () => {
    const error: unknown = await createTestRedis({}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TestRedisError);
    expect((error as TestRedisError).code).toBe('REDIS_URL_MISSING');
    expect((error as Error).message).toMatch(/REDIS_URL/);
  });

  it('fails fast, without the password, when the server cannot be reached', async () => {
    const port = await freePort();
    const error: unknown = await createTestRedis({ url: `redis://:hunter2@127.0.0.1:${port}` }).catch(
      (err: unknown) => err,
    );
    expect((error as TestRedisError).code).toBe('REDIS_UNREACHABLE');
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe.skipIf(!redisUrl)('createTestRedis on a Redis server', () => {
  let a: TestRedis;
  let b: TestRedis;
  let plain: Redis;
  beforeAll(async () => {
    a = await createTestRedis({ url: redisUrl });
    b = await createTestRedis({ url: redisUrl });
    plain = new Redis(redisUrl ?? '');
  });
  afterAll(async () => {
    await a.dispose();
    await b.dispose();
    await plain.quit();
  });

  it('prefixes every key with a prefix of its own', async () => {
    expect(a.keyPrefix).not.toBe(b.keyPrefix);
    await a.client.set('session', 'from-a');
    await b.client.set('session', 'from-b');
    expect(await a.client.get('session')).toBe('from-a');
    expect(await b.client.get('session')).toBe('from-b');
    expect(await plain.get(`${a.keyPrefix}session`)).toBe('from-a');
  });

  it('gives more clients with the same prefix', async () => {
    const second = await a.createClient();
    await second.incrby('counter', 5);
    expect(await a.client.get('counter')).toBe('5');
  });

  it('deletes only its own keys on dispose, and quits', async () => {
    const c = await createTestRedis({ url: redisUrl });
    for (let i = 0; i < 1200; i++) await c.client.set(`k${i}`, 'x');
    await c.client.hset('hash', 'f', 'v');
    await a.client.set('survivor', 'yes');
    await c.dispose();
    await c.dispose();
    const [, left] = await plain.scan('0', 'MATCH', `${c.keyPrefix}*`, 'COUNT', 5000);
    expect(left).toEqual([]);
    expect(await a.client.get('survivor')).toBe('yes');
    expect(c.client.status).toBe('end');
  });

  it('rejects a prefix that SCAN would read as a pattern', async () => {
    await expect(createTestRedis({ url: redisUrl, keyPrefix: 'a*:' })).rejects.toThrow(TestRedisError);
  });
});
