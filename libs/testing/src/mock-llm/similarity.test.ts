import { describe, expect, it } from 'vitest';
import { bestWindowSimilarity, diceSimilarity } from './similarity.js';

describe('similarity', () => {
  it('scores equal texts 1 and unrelated texts near 0, ignoring case', () => {
    expect(diceSimilarity('Hello', 'hello')).toBe(1);
    expect(diceSimilarity('abcdef', 'uvwxyz')).toBe(0);
    expect(diceSimilarity('list all pods', 'lis all pods')).toBeGreaterThan(0.8);
  });

  it('finds a needle inside a longer text', () => {
    const text = 'Please, if you can, list all the pods in the default namespace. Thanks!';
    expect(bestWindowSimilarity('list all pods', text)).toBeGreaterThan(0.6);
    expect(bestWindowSimilarity('list all pods', text)).toBeGreaterThan(
      diceSimilarity('list all pods', text),
    );
    expect(bestWindowSimilarity('delete the cluster', text)).toBeLessThan(0.5);
  });
});
