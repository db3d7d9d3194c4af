import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.js';

describe('splitText', () => {
  it('cuts text into pieces of at most size characters', () => {
    expect(splitText('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(splitText('', 3)).toEqual([]);
  });

  it('makes at least minPieces pieces when the text is long enough', () => {
    expect(splitText('{}', 8, 2)).toEqual(['{', '}']);
    expect(splitText('{"a":1}', 100, 2)).toEqual(['{"a"', ':1}']);
    expect(splitText('x', 8, 2)).toEqual(['x']);
  });

  it('never splits a surrogate pair', () => {
    const pieces = splitText('a😀b😀c', 2);
    expect(pieces.join('')).toBe('a😀b😀c');
    // encodeURIComponent throws on a lone surrogate.
    for (const piece of pieces) expect(() => encodeURIComponent(piece)).not.toThrow();
    expect(pieces).toEqual(['a😀', 'b😀', 'c']);
  });
});
