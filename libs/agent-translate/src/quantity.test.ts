import { describe, expect, it } from 'vitest';
import { canonicalQuantity } from './quantity.js';

describe('canonicalQuantity', () => {
  it.each([
    ['3000m', '3'],
    ['200m', '200m'],
    ['2000m', '2'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['684Mi', '684Mi'],
    ['2Gi', '2Gi'],
    ['1.5Gi', '1536Mi'],
    ['2048Mi', '2Gi'],
    ['512', '512'],
    ['100Ki', '100Ki'],
    ['0', '0'],
    [2, '2'],
    ['1e3', '1e3'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('rejects text that is not a quantity', () => {
    expect(canonicalQuantity('lots')).toBeUndefined();
  });
});
