import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@agentplane/testing/wait';
import { DiscoveryLoop, type DiscoveryOutcome } from './discovery-loop.js';

describe('DiscoveryLoop', () => {
  const loops: DiscoveryLoop<string>[] = [];
  const make = (options: ConstructorParameters<typeof DiscoveryLoop<string>>[0]): DiscoveryLoop<string> => {
    const loop = new DiscoveryLoop<string>(options);
    loops.push(loop);
    return loop;
  };
  afterEach(async () => {
    await Promise.all(loops.splice(0).map((l) => l.stop()));
  });

  it('lets other discoveries run while one never answers, and ends that one at its deadline', async () => {
    const settled: string[] = [];
    const loop = make({
      concurrency: 2,
      refreshIntervalMs: 0,
      initialBackoffMs: 60_000,
      onSettled: (k) => settled.push(k),
    });
    // Ignores its signal on purpose: the loop must give up on it anyway.
    loop.submit({
      key: 'hang',
      fingerprint: '1',
      timeoutMs: 1_500,
      run: () => new Promise<string>(() => undefined),
    });
    for (const key of ['a', 'b', 'c']) {
      loop.submit({ key, fingerprint: '1', run: () => Promise.resolve(`tools of ${key}`) });
    }
    await waitFor(() => ['a', 'b', 'c'].every((k) => loop.outcome(k)?.state === 'succeeded'), {
      timeoutMs: 1_200,
    });
    expect(loop.outcome('hang')?.state).toBe('pending');
    expect(loop.outcome('b')?.value).toBe('tools of b');
    const failed = await waitFor(
      () => (loop.outcome('hang')?.state === 'failed' ? loop.outcome('hang') : false),
      {
        timeoutMs: 5_000,
      },
    );
    expect(failed?.error).toMatch(/^TIMEOUT: no answer within 1500 ms/);
    expect(settled.sort()).toEqual(['a', 'b', 'c', 'hang']);
  });

  it('retries a failing discovery with backoff until it succeeds', async () => {
    let calls = 0;
    const outcomes: DiscoveryOutcome<unknown>[] = [];
    const loop = make({ initialBackoffMs: 10, refreshIntervalMs: 0, onSettled: (_, o) => outcomes.push(o) });
    loop.submit({
      key: 'flaky',
      fingerprint: '1',
      run: () => (++calls < 3 ? Promise.reject(new Error(`attempt ${calls} failed`)) : Promise.resolve('ok')),
    });
    await waitFor(() => loop.outcome('flaky')?.state === 'succeeded', { timeoutMs: 2_000 });
    expect(calls).toBe(3);
    expect(outcomes.map((o) => [o.state, o.failures])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['succeeded', 0],
    ]);
    expect(outcomes[1]?.error).toBe('attempt 2 failed');
  });

  it('runs again only for a new fingerprint, and forgets cancelled keys', async () => {
    const runs: string[] = [];
    const loop = make({ refreshIntervalMs: 0 });
    const submit = (fingerprint: string): void =>
      loop.submit({
        key: 'k',
        fingerprint,
        run: () => (runs.push(fingerprint), Promise.resolve(fingerprint)),
      });
    submit('1');
    await waitFor(() => loop.outcome('k')?.state === 'succeeded');
    submit('1');
    expect(loop.isIdle()).toBe(true);
    submit('2');
    await waitFor(() => loop.outcome('k')?.value === '2');
    expect(runs).toEqual(['1', '2']);
    loop.cancel('k');
    expect(loop.outcome('k')).toBeUndefined();
  });

  it('takes a seeded result as known until the refresh interval', () => {
    const loop = make({ refreshIntervalMs: 60_000 });
    let ran = false;
    const task = { key: 's', fingerprint: 'f', run: () => ((ran = true), Promise.resolve('fresh')) };
    loop.seed(task, 'from status', new Date());
    loop.submit(task);
    expect(loop.outcome('s')).toMatchObject({ state: 'succeeded', value: 'from status' });
    expect(ran).toBe(false);
  });
});
