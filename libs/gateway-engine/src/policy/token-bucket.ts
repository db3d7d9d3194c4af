import type { RateLimitModel } from '@agentplane/gateway-config';

/** A token bucket: starts full, refills `tokensPerFill` every `fillIntervalMs`, holds at most `maxTokens`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: RateLimitModel,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = spec.maxTokens;
    this.last = this.now();
  }

  /** Takes `n` tokens if available. */
  tryTake(n = 1): boolean {
    const t = this.now();
    const fills = Math.floor((t - this.last) / this.spec.fillIntervalMs);
    if (fills > 0) {
      this.tokens = Math.min(this.spec.maxTokens, this.tokens + fills * this.spec.tokensPerFill);
      this.last += fills * this.spec.fillIntervalMs;
    }
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until the next refill (for Retry-After). */
  retryAfterMs(): number {
    return Math.max(0, this.spec.fillIntervalMs - (this.now() - this.last));
  }
}
