import { createLogger, type Logger } from '@agentplane/telemetry';
import { describeError, DiscoveryError } from './errors.js';

/** One thing to discover (a tool server's tools, a provider's models). */
export interface DiscoveryTask<T> {
  /** Identifies the target, e.g. the work-queue key of its resource. */
  key: string;
  /** Hash of everything the result depends on (URL, headers, ...): a new one restarts discovery. */
  fingerprint: string;
  /** Deadline of one attempt. Default: the loop's `timeoutMs`. */
  timeoutMs?: number;
  /** One attempt. Must honour `signal`; an attempt that ignores it is abandoned at the deadline anyway. */
  run(signal: AbortSignal): Promise<T>;
}

export type DiscoveryState = 'pending' | 'succeeded' | 'failed';

export interface DiscoveryOutcome<T> {
  fingerprint: string;
  state: DiscoveryState;
  /** The last successful result for this fingerprint (kept while a refresh fails). */
  value?: T;
  /** When `value` was obtained. */
  succeededAt?: Date;
  /** Why the last attempt failed (no secrets: error messages only). */
  error?: string;
  /** Failed attempts since the last success. */
  failures: number;
}

export interface DiscoveryLoopOptions {
  /** Attempts running at once. Default 4. */
  concurrency?: number;
  /** Deadline of an attempt. Default 30 s. */
  timeoutMs?: number;
  /** First retry delay after a failure; doubles per failure up to `maxBackoffMs`. Default 1 s. */
  initialBackoffMs?: number;
  /** Default 5 min. */
  maxBackoffMs?: number;
  /** Re-discover this long after a success (0: never). Default 5 min. */
  refreshIntervalMs?: number;
  /** Called when an attempt settles (success or failure), e.g. to re-queue the resource. */
  onSettled?: (key: string, outcome: DiscoveryOutcome<unknown>) => void;
  logger?: Logger;
}

interface Entry<T> {
  task: DiscoveryTask<T>;
  outcome: DiscoveryOutcome<T>;
  running?: AbortController;
  timer?: NodeJS.Timeout;
  queued: boolean;
}

/**
 * Runs discoveries off the reconcile path: a bounded number at once, each with a deadline,
 * retried with exponential backoff, refreshed periodically. Reconcilers `submit` what they want
 * discovered and read the latest `outcome`; they never wait for an attempt. A server that never
 * answers holds one slot until its deadline, and nothing else.
 */
export class DiscoveryLoop<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ready: string[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #options: Required<Omit<DiscoveryLoopOptions, 'onSettled' | 'logger'>>;
  readonly #onSettled: DiscoveryLoopOptions['onSettled'];
  readonly #logger: Logger;
  #stopped = false;

  constructor(options: DiscoveryLoopOptions = {}) {
    this.#options = {
      concurrency: Math.max(1, options.concurrency ?? 4),
      timeoutMs: options.timeoutMs ?? 30_000,
      initialBackoffMs: options.initialBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 300_000,
      refreshIntervalMs: options.refreshIntervalMs ?? 300_000,
    };
    this.#onSettled = options.onSettled;
    this.#logger = options.logger ?? createLogger({ name: 'discovery', level: 'silent' });
  }

  /**
   * Asks for `task` to be discovered. Nothing happens when the same fingerprint is known
   * (running, waiting for a retry or a refresh, or done); a new fingerprint cancels the
   * running attempt and starts over.
   */
  submit(task: DiscoveryTask<T>): void {
    if (this.#stopped) return;
    const existing = this.#entries.get(task.key);
    if (existing && existing.task.fingerprint === task.fingerprint) {
      existing.task = task;
      return;
    }
    if (existing) this.#clear(existing);
    const entry: Entry<T> = {
      task,
      outcome: { fingerprint: task.fingerprint, state: 'pending', failures: 0 },
      queued: false,
    };
    this.#entries.set(task.key, entry);
    this.#enqueue(entry);
  }

  /**
   * Records a result obtained earlier (e.g. read back from a resource's status after a restart)
   * as a success, so it is not discovered again before the refresh interval.
   */
  seed(task: DiscoveryTask<T>, value: T, succeededAt: Date): void {
    if (this.#stopped || this.#entries.has(task.key)) return;
    const entry: Entry<T> = {
      task,
      outcome: { fingerprint: task.fingerprint, state: 'succeeded', value, succeededAt, failures: 0 },
      queued: false,
    };
    this.#entries.set(task.key, entry);
    this.#scheduleRefresh(
      entry,
      Math.max(0, succeededAt.getTime() + this.#options.refreshIntervalMs - Date.now()),
    );
  }

  /** The latest outcome for `key`, if it was submitted. */
  outcome(key: string): DiscoveryOutcome<T> | undefined {
    const entry = this.#entries.get(key);
    return entry ? { ...entry.outcome } : undefined;
  }

  /** Forgets `key` (its resource was deleted or became invalid); a running attempt is aborted. */
  cancel(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#clear(entry);
    this.#entries.delete(key);
  }

  /** Attempts running now. */
  get active(): number {
    return this.#running.size;
  }

  /** True when no attempt runs or waits for a slot (retries and refreshes may be scheduled). */
  isIdle(): boolean {
    return this.#running.size === 0 && this.#ready.length === 0;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#clear(entry);
    this.#ready.length = 0;
    await Promise.all([...this.#running]);
  }

  #clear(entry: Entry<T>): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.running?.abort();
    entry.running = undefined;
    if (entry.queued) {
      const i = this.#ready.indexOf(entry.task.key);
      if (i >= 0) this.#ready.splice(i, 1);
      entry.queued = false;
    }
  }

  #enqueue(entry: Entry<T>): void {
    if (this.#stopped || entry.queued || entry.running) return;
    entry.queued = true;
    this.#ready.push(entry.task.key);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#options.concurrency && this.#ready.length > 0) {
      const key = this.#ready.shift() ?? '';
      const entry = this.#entries.get(key);
      if (!entry) continue;
      entry.queued = false;
      const done = this.#attempt(entry).finally(() => {
        this.#running.delete(done);
        this.#pump();
      });
      this.#running.add(done);
    }
  }

  async #attempt(entry: Entry<T>): Promise<void> {
    const abort = new AbortController();
    entry.running = abort;
    const { task } = entry;
    const timeoutMs = task.timeoutMs ?? this.#options.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new DiscoveryError('TIMEOUT', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      const value = await Promise.race([task.run(abort.signal), deadline]);
      result = { ok: true, value };
    } catch (error) {
      result = { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
    // Superseded (new fingerprint, cancelled, stopped) while running: drop the result.
    if (entry.running !== abort || this.#entries.get(task.key) !== entry || this.#stopped) return;
    entry.running = undefined;
    if (result.ok) {
      entry.outcome = {
        fingerprint: task.fingerprint,
        state: 'succeeded',
        value: result.value,
        succeededAt: new Date(),
        failures: 0,
      };
      this.#scheduleRefresh(entry, this.#options.refreshIntervalMs);
    } else {
      const failures = entry.outcome.failures + 1;
      entry.outcome = {
        ...entry.outcome,
        state: 'failed',
        error: describeError(result.error),
        failures,
      };
      const backoff = Math.min(
        this.#options.initialBackoffMs * 2 ** Math.min(failures - 1, 30),
        this.#options.maxBackoffMs,
      );
      this.#logger.info(
        { key: task.key, failures, backoffMs: backoff, error: entry.outcome.error },
        'discovery failed',
      );
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        this.#enqueue(entry);
      }, backoff);
      entry.timer.unref();
    }
    this.#onSettled?.(task.key, { ...entry.outcome });
  }

  #scheduleRefresh(entry: Entry<T>, delayMs: number): void {
    if (this.#options.refreshIntervalMs <= 0) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.#enqueue(entry);
    }, delayMs);
    entry.timer.unref();
  }
}
