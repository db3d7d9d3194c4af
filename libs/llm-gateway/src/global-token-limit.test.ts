import { RedisRateLimiter } from '@agentplane/gateway-engine';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { createTestRedis, type TestRedis } from '@agentplane/testing/redis';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('global token rate limit on Redis, across two gateways', () => {
  let redis: TestRedis;
  let mock: MockLlm;
  const gateways: TestGateway[] = [];
  const limiters: RedisRateLimiter[] = [];

  beforeAll(async () => {
    redis = await createTestRedis({ url: redisUrl });
    mock = await startMockLlm({
      rules: [
        // Usage reported by the provider settles the estimate: 400 + 100 tokens per answer.
        {
          match: { contains: 'big' },
          response: { content: 'ok', usage: { inputTokens: 400, outputTokens: 100 } },
        },
        {
          match: { contains: 'hi' },
          response: { content: 'hey', usage: { inputTokens: 5, outputTokens: 2 } },
        },
      ],
    });
    const yaml = JSON.stringify({
      binds: [
        {
          port: 0,
          listeners: [
            {
              routes: [
                {
                  name: 'llm',
                  policies: {
                    globalRateLimit: [
                      { type: 'tokens', maxTokens: 800, tokensPerFill: 1, fillInterval: '1h' },
                    ],
                  },
                  backends: [
                    {
                      ai: {
                        name: 'mock',
                        provider: { openAI: { model: 'gpt-x' } },
                        hostOverride: `127.0.0.1:${mock.port}`,
                      },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const limiter = new RedisRateLimiter({
        url: redis.url,
        keyPrefix: redis.keyPrefix,
        logger: pino({ level: 'silent' }),
      });
      limiters.push(limiter);
      gateways.push(
        await startTestGateway(yaml, { env: { OPENAI_API_KEY: 'sk-test' }, globalRateLimiter: limiter }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(limiters.map((l) => l.close()));
    await mock?.close();
    await redis?.dispose();
  });

  const client = (g: TestGateway) => new OpenAI({ baseURL: `${g.url}/v1`, apiKey: 'x', maxRetries: 0 });
  const ask = async (g: TestGateway, text: string, stream = false): Promise<number> => {
    const c = client(g);
    try {
      if (stream) {
        const s = await c.chat.completions.create({
          model: 'm',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: text }],
        });
        for await (const chunk of s) void chunk;
      } else await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: text }] });
      await g.factory.settled();
      return 200;
    } catch (e) {
      if (e instanceof OpenAI.APIError) return e.status as number;
      throw e;
    }
  };
  const balance = async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found]: [string, string[]] = await redis.client.scan(
        cursor,
        'MATCH',
        `${redis.keyPrefix}*`,
      );
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys).toHaveLength(1);
    return Number(await redis.client.hget((keys[0] as string).slice(redis.keyPrefix.length), 'tokens'));
  };

  it('counts the prompt up front, settles with the usage, and shares the bucket', async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    // The first request is admitted (the bucket is full) and settled to its usage (500).
    expect(await ask(a, 'a big question')).toBe(200);
    expect(await balance()).toBe(300);
    // The other gateway sees the same bucket: a streamed request is admitted and settles to 500 too.
    expect(await ask(b, 'another big question', true)).toBe(200);
    expect(await balance()).toBe(-200);
    // Now both are out of tokens; the rejection is the OpenAI error shape with retry-after.
    expect(await ask(a, 'hi')).toBe(429);
    expect(await ask(b, 'hi')).toBe(429);
    const r = await fetch(`${a.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(3600);
    expect(await r.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
    expect(mock.requests).toHaveLength(2);
  });
});
