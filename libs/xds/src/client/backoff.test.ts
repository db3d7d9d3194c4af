import { describe, expect, it } from 'vitest';
import { JitteredBackoff } from './backoff.js';

describe('JitteredBackoff', () => {
  it('grows the ceiling exponentially up to the max, jitters under it, and resets', () => {
    const top = new JitteredBackoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([99, 199, 399, 799, 999, 999]);
    top.reset();
    expect(top.next()).toBe(99);
    const low = new JitteredBackoff({ random: () => 0 });
    expect(low.next()).toBe(0);
  });
});
