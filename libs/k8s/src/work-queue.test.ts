import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetricsRegistry } from '@agentplane/telemetry';
import { bucketRateLimiter, defaultControllerRateLimiter, exponentialRateLimiter } from './rate-limiter.js';
import { metricSum } from './testing/metrics.js';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('de-duplicates keys waiting in the queue', async () => {
    const registry = createMetricsRegistry();
    const q = new WorkQueue({ name: 'test', registry });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(await metricSum(registry, 'workqueue_adds_total', { name: 'test', controller: 'test' })).toBe(2);
    expect(await metricSum(registry, 'workqueue_depth', { name: 'test' })).toBe(0);
    q.shutDown();
  });

  it('never hands out a key being processed; a key added meanwhile runs once more after done()', async () => {
    const q = new WorkQueue({ name: 'test' });
    q.add('a');
    const key = await q.get();
    expect(key).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBeUndefined();
    q.done('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
    q.shutDown();
  });

  it('delays with addAfter, keeping the earliest due time', async () => {
    const q = new WorkQueue({ name: 'test' });
    q.addAfter('a', 1000);
    q.addAfter('a', 200);
    q.addAfter('a', 5000);
    expect(q.delayed()).toBe(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(q.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.len()).toBe(1);
    expect(q.delayed()).toBe(0);
    q.shutDown();
  });

  it('backs off exponentially per key with addRateLimited, and forget() resets it', async () => {
    const registry = createMetricsRegistry();
    const q = new WorkQueue({
      name: 'test',
      registry,
      rateLimiter: exponentialRateLimiter({ baseDelayMs: 10 }),
    });
    const when: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = Date.now();
      q.addRateLimited('a');
      let key: string | undefined;
      void q.get().then((k) => (key = k));
      while (key === undefined) await vi.advanceTimersByTimeAsync(1);
      when.push(Date.now() - start);
      q.done(key);
    }
    expect(when).toEqual([10, 20, 40, 80]);
    expect(q.numRequeues('a')).toBe(4);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(await metricSum(registry, 'workqueue_retries_total', { name: 'test' })).toBe(4);
    q.shutDown();
  });

  it('wakes waiting workers with undefined on shutdown and ignores later adds', async () => {
    const q = new WorkQueue({ name: 'test' });
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
  });

  it('reports work in progress', async () => {
    const registry = createMetricsRegistry();
    const q = new WorkQueue({ name: 'test', registry, metricsIntervalMs: 100 });
    q.add('a');
    await q.get();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(
      await metricSum(registry, 'workqueue_longest_running_processor_seconds', { name: 'test' }),
    ).toBeCloseTo(2, 1);
    q.done('a');
    expect(await metricSum(registry, 'workqueue_work_duration_seconds', { name: 'test' })).toBe(1);
    q.shutDown();
  });
});

describe('rate limiters', () => {
  it('caps the exponential delay', () => {
    const limiter = exponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    const delays = Array.from({ length: 30 }, () => limiter.when('k'));
    expect(delays.slice(0, 3)).toEqual([5, 10, 20]);
    expect(delays.at(-1)).toBe(1_000_000);
  });

  it('lets a burst through the bucket, then spaces retries at qps', () => {
    let now = 0;
    const limiter = bucketRateLimiter({ qps: 10, burst: 3, now: () => now });
    expect([limiter.when('a'), limiter.when('b'), limiter.when('c')]).toEqual([0, 0, 0]);
    expect(limiter.when('d')).toBe(100);
    expect(limiter.when('e')).toBe(200);
    now = 10_000;
    expect(limiter.when('f')).toBe(0);
  });

  it('default limiter starts at 5 ms per key', () => {
    const limiter = defaultControllerRateLimiter();
    expect(limiter.when('x')).toBe(5);
    expect(limiter.when('x')).toBe(10);
    expect(limiter.when('y')).toBe(5);
  });
});
