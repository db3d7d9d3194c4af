/** Decides how long a failed key waits before its next attempt. */
export interface RateLimiter {
  /** The delay in ms for the next retry of `key` (each call counts as one failure). */
  when(key: string): number;
  /** Forgets the failures of `key` (after a success). */
  forget(key: string): void;
  /** Failures of `key` since it was last forgotten. */
  retries(key: string): number;
}

export interface ExponentialRateLimiterOptions {
  /** Delay after the first failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Upper bound. Default 1000 s. */
  maxDelayMs?: number;
}

/** Per-key exponential backoff: base * 2^failures, capped. */
export function exponentialRateLimiter(options: ExponentialRateLimiterOptions = {}): RateLimiter {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return Math.min(base * 2 ** n, max);
    },
    forget(key) {
      failures.delete(key);
    },
    retries(key) {
      return failures.get(key) ?? 0;
    },
  };
}

export interface BucketRateLimiterOptions {
  /** Tokens per second. Default 10. */
  qps?: number;
  /** Bucket size. Default 100. */
  burst?: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
}

/** An overall token bucket: bursts of `burst` retries, then `qps` per second across all keys. */
export function bucketRateLimiter(options: BucketRateLimiterOptions = {}): RateLimiter {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  const now = options.now ?? Date.now;
  let tokens = burst;
  let last = now();
  return {
    when() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * qps);
      last = t;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {},
    retries() {
      return 0;
    },
  };
}

/** The longest delay of several limiters; retries as the most counting one. */
export function maxOfRateLimiters(...limiters: RateLimiter[]): RateLimiter {
  return {
    when(key) {
      return Math.max(0, ...limiters.map((l) => l.when(key)));
    },
    forget(key) {
      for (const l of limiters) l.forget(key);
    },
    retries(key) {
      return Math.max(0, ...limiters.map((l) => l.retries(key)));
    },
  };
}

/** Exponential 5 ms ... 1000 s per key, and 10 qps with bursts of 100 overall. */
export function defaultControllerRateLimiter(): RateLimiter {
  return maxOfRateLimiters(exponentialRateLimiter(), bucketRateLimiter());
}
