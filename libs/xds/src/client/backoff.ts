export interface BackoffOptions {
  /** First delay ceiling. Default 250 ms. */
  initialMs?: number;
  /** Largest delay ceiling. Default 30 s. */
  maxMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. Default Math.random. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)),
 * so that many gateways losing the same control plane do not reconnect in step.
 */
export class JitteredBackoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 250;
    this.#max = options.maxMs ?? 30_000;
    this.#random = options.random ?? Math.random;
  }

  /** The next delay, in milliseconds. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.floor(this.#random() * ceiling);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
