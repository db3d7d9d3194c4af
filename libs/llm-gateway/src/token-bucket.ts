// Token-aware rate limiting: a bucket of LLM tokens taken up front from an estimate of the prompt
// and settled with the provider's usage when the response ends.

export interface BucketSpec {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
}

export class LlmTokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = spec.maxTokens;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    if (this.spec.fillIntervalMs <= 0) return;
    const fills = Math.floor((t - this.last) / this.spec.fillIntervalMs);
    if (fills > 0) {
      this.tokens = Math.min(this.spec.maxTokens, this.tokens + fills * this.spec.tokensPerFill);
      this.last += fills * this.spec.fillIntervalMs;
    }
  }

  /** Admits the request when the bucket is not empty, taking `n` (the balance may go negative). */
  admit(n: number): boolean {
    this.refill();
    if (this.tokens <= 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Corrects an earlier estimate: positive takes more, negative gives back. */
  settle(delta: number): void {
    this.refill();
    this.tokens = Math.min(this.spec.maxTokens, this.tokens - delta);
  }

  retryAfterMs(): number {
    if (this.tokens > 0) return 0;
    const fillsNeeded = Math.ceil((1 - this.tokens) / Math.max(1, this.spec.tokensPerFill));
    return fillsNeeded * this.spec.fillIntervalMs - (this.now() - this.last);
  }
}

/** A rough prompt-token estimate: ~4 bytes of JSON per token. */
export function estimateTokens(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4));
}
