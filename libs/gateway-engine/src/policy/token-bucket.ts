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

  private refill(): void {
    const t = this.now();
    const fills = Math.floor((t - this.last) / this.spec.fillIntervalMs);
    if (fills > 0) {
      this.tokens = Math.min(this.spec.maxTokens, this.tokens + fills * this.spec.tokensPerFill);
      this.last += fills * this.spec.fillIntervalMs;
    }
  }

  /** Takes `n` tokens if available. */
  tryTake(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens when the bucket is not empty; the balance may go negative. */
  takeIfAny(n: number): boolean {
    this.refill();
    if (this.tokens <= 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens without a check (negative gives back, up to the bucket size). */
  adjust(n: number): boolean {
    this.refill();
    this.tokens = Math.min(this.spec.maxTokens, this.tokens - n);
    return true;
  }

  /** Milliseconds until the next refill (for Retry-After). */
  retryAfterMs(): number {
    const next = Math.max(0, this.spec.fillIntervalMs - (this.now() - this.last));
    const extraFills =
      this.tokens < 0 ? Math.ceil((1 - this.tokens) / Math.max(1, this.spec.tokensPerFill)) - 1 : 0;
    return next + extraFills * this.spec.fillIntervalMs;
  }
}
