import type { Registry } from '@agentplane/telemetry';
import { workQueueMetrics, type WorkQueueMetrics } from './controller-metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  /** The queue's name: the `name` and `controller` label of the workqueue_* metrics. */
  name: string;
  /** Registry for the workqueue_* metrics; none: no metrics. */
  registry?: Registry;
  /** Retry delays for addRateLimited. Default: exponential 5 ms ... 1000 s, and 10 qps / 100 burst. */
  rateLimiter?: RateLimiter;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
  /** How often the in-progress gauges are refreshed. Default 500 ms. */
  metricsIntervalMs?: number;
}

/**
 * A work queue of string keys with the semantics controllers need:
 * - a key is in the queue at most once (adding it again before a worker took it does nothing);
 * - a key is never handed to two workers at once: added while being processed, it is queued
 *   again (once) when the worker calls done();
 * - delayed adds (`addAfter`) keep the earliest due time of a key;
 * - `addRateLimited` delays by the rate limiter (per-key exponential backoff).
 */
export class WorkQueue {
  readonly name: string;
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Map<string, number>();
  readonly #addedAt = new Map<string, number>();
  readonly #delayed = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  readonly #waiters: Array<(key: string | undefined) => void> = [];
  readonly #rateLimiter: RateLimiter;
  readonly #now: () => number;
  readonly #metrics: WorkQueueMetrics | undefined;
  readonly #labels: { name: string; controller: string };
  readonly #metricsTimer: NodeJS.Timeout | undefined;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.#now = options.now ?? Date.now;
    this.#labels = { name: options.name, controller: options.name };
    if (options.registry) {
      this.#metrics = workQueueMetrics(options.registry);
      this.#metrics.depth.set(this.#labels, 0);
      this.#metrics.adds.inc(this.#labels, 0);
      this.#metrics.retries.inc(this.#labels, 0);
      this.#metrics.unfinishedWork.set(this.#labels, 0);
      this.#metrics.longestRunning.set(this.#labels, 0);
      this.#metricsTimer = setInterval(() => this.#updateInProgress(), options.metricsIntervalMs ?? 500);
      this.#metricsTimer.unref();
    }
  }

  /** Queues `key` now (no-op when already queued, or after shutdown). */
  add(key: string): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) return;
    this.#metrics?.adds.inc(this.#labels);
    this.#metrics?.depth.inc(this.#labels);
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.#now());
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Queues `key` after `delayMs`; of several pending delays for a key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const due = this.#now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.due <= due) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#delayed.set(key, { due, timer });
  }

  /** Queues `key` after the rate limiter's delay for it; counts a retry. */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retries.inc(this.#labels);
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /** Resets the retry backoff of `key` (call after it was processed successfully). */
  forget(key: string): void {
    this.#rateLimiter.forget(key);
  }

  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#rateLimiter.retries(key);
  }

  /**
   * The next key to process, waiting until there is one; `undefined` once the queue shuts down.
   * The caller must call done(key) when finished with it.
   */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) return Promise.resolve(this.#take(key));
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workDuration.observe(this.#labels, (this.#now() - started) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
  }

  /** Keys waiting (not counting delayed or in-process ones). */
  len(): number {
    return this.#queue.length;
  }

  /** Keys currently handed out to workers. */
  processing(): number {
    return this.#processing.size;
  }

  /** Keys scheduled for later (delayed or backing off). */
  delayed(): number {
    return this.#delayed.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops accepting keys, drops pending ones and wakes waiting workers with `undefined`. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#metrics?.depth.set(this.#labels, 0);
    if (this.#metricsTimer) clearInterval(this.#metricsTimer);
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #push(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(this.#take(key));
    else this.#queue.push(key);
  }

  #take(key: string): string {
    const now = this.#now();
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    this.#metrics?.depth.dec(this.#labels);
    const added = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (added !== undefined) this.#metrics?.queueDuration.observe(this.#labels, (now - added) / 1000);
    return key;
  }

  #updateInProgress(): void {
    if (!this.#metrics) return;
    const now = this.#now();
    let total = 0;
    let longest = 0;
    for (const started of this.#processing.values()) {
      const seconds = (now - started) / 1000;
      total += seconds;
      longest = Math.max(longest, seconds);
    }
    this.#metrics.unfinishedWork.set(this.#labels, total);
    this.#metrics.longestRunning.set(this.#labels, longest);
  }
}
