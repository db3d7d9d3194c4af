import type { RateLimitModel } from '@agentplane/gateway-config';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { TokenBucket } from './token-bucket.js';

export interface RateLimitVerdict {
  readonly allowed: boolean;
  /** Milliseconds until the next refill (for Retry-After) when denied. */
  readonly retryAfterMs: number;
}

/**
 * How `take` spends: `strict` only when the bucket holds `cost` (request limits); `debt` whenever
 * the bucket is not empty, letting the balance go negative (token limits, whose real cost is known
 * after the response); `settle` always, without a check (corrects an earlier estimate: a negative
 * cost gives tokens back, up to the bucket size).
 */
export type TakeMode = 'strict' | 'debt' | 'settle';

/** Token buckets that every gateway replica sees: `take` is one atomic step on the shared store. */
export interface GlobalRateLimiter {
  take(key: string, spec: RateLimitModel, cost?: number, mode?: TakeMode): Promise<RateLimitVerdict>;
  close(): Promise<void>;
}

const MODE_ARG: Record<TakeMode, number> = { strict: 0, debt: 1, settle: 2 };

/** Buckets held in this process: the fallback when no Redis is configured (one replica). */
export class InProcessRateLimiter implements GlobalRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  take(key: string, spec: RateLimitModel, cost = 1, mode: TakeMode = 'strict'): Promise<RateLimitVerdict> {
    const id = `${key}|${spec.type}|${spec.maxTokens}|${spec.tokensPerFill}|${spec.fillIntervalMs}`;
    let b = this.buckets.get(id);
    if (!b) {
      b = new TokenBucket(spec);
      this.buckets.set(id, b);
    }
    const allowed =
      mode === 'strict' ? b.tryTake(cost) : mode === 'debt' ? b.takeIfAny(cost) : b.adjust(cost);
    return Promise.resolve({ allowed, retryAfterMs: allowed ? 0 : b.retryAfterMs() });
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }
}

// One token bucket per key, refilled in whole intervals, on the Redis server's clock (so replicas
// with skewed clocks agree). Returns {allowed, ms until next refill}. Runs atomically.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local mode = tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1])
local ts = tonumber(v[2])
if tokens == nil or ts == nil then
  tokens = cap
  ts = now
end
local fills = math.floor((now - ts) / interval)
if fills > 0 then
  tokens = math.min(cap, tokens + fills * per)
  ts = ts + fills * interval
end
local allowed = 0
if mode == 2 then
  tokens = math.min(cap, tokens - cost)
  allowed = 1
elseif (mode == 1 and tokens > 0) or (mode ~= 1 and tokens >= cost) then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)
local refillAll = math.ceil((cap - math.min(tokens, 0)) / math.max(per, 1)) * interval
redis.call('PEXPIRE', KEYS[1], refillAll + interval)
local wait = interval - (now - ts)
if mode == 1 and allowed == 0 then
  wait = wait + (math.ceil((1 - tokens) / math.max(per, 1)) - 1) * interval
end
return {allowed, wait}
`;

type TakeCommand = (
  key: string,
  cap: number,
  per: number,
  interval: number,
  cost: number,
  mode: number,
) => Promise<[number, number]>;

export interface RedisRateLimiterOptions {
  readonly url: string;
  /** Prepended to every bucket key (lets several gateways, or tests, share a server). */
  readonly keyPrefix?: string;
  /** When Redis cannot answer: deny (default) or let the request through. */
  readonly failureMode?: 'failOpen' | 'failClosed';
  readonly logger: Logger;
  /** Per-call deadline (default 1 s). */
  readonly timeoutMs?: number;
}

/** Buckets in Redis, shared by every replica pointing at the same server and prefix. */
export class RedisRateLimiter implements GlobalRateLimiter {
  private readonly redis: Redis;
  private readonly take_: TakeCommand;
  private readonly prefix: string;
  private readonly failOpen: boolean;
  private readonly log: Logger;

  constructor(opts: RedisRateLimiterOptions) {
    this.prefix = `${opts.keyPrefix ?? 'agentgateway:ratelimit:'}`;
    this.failOpen = opts.failureMode === 'failOpen';
    this.log = opts.logger.child({ component: 'global-rate-limit' });
    this.redis = new Redis(opts.url, {
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      commandTimeout: opts.timeoutMs ?? 1_000,
      retryStrategy: (n) => Math.min(n * 200, 5_000),
    });
    this.redis.on('error', (e: Error) => this.log.warn({ err: e.message }, 'redis error'));
    this.redis.defineCommand('agwTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    const r = this.redis as unknown as { agwTakeToken: TakeCommand };
    this.take_ = r.agwTakeToken.bind(r);
  }

  async take(
    key: string,
    spec: RateLimitModel,
    cost = 1,
    mode: TakeMode = 'strict',
  ): Promise<RateLimitVerdict> {
    const k = `${this.prefix}${key}|${spec.type}|${spec.maxTokens}|${spec.tokensPerFill}|${spec.fillIntervalMs}`;
    try {
      const [allowed, wait] = await this.take_(
        k,
        spec.maxTokens,
        spec.tokensPerFill,
        spec.fillIntervalMs,
        cost,
        MODE_ARG[mode],
      );
      return { allowed: allowed === 1, retryAfterMs: Math.max(0, wait) };
    } catch (e) {
      this.log.warn({ err: (e as Error).message, failOpen: this.failOpen }, 'rate limit store unavailable');
      return { allowed: this.failOpen, retryAfterMs: 1_000 };
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
