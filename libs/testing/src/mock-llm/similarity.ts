function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i++) {
    const gram = text.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/** Sørensen–Dice similarity of character bigrams, case-insensitive: 1 for equal texts, 0 for unrelated ones. */
export function diceSimilarity(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const gx = bigrams(x);
  const gy = bigrams(y);
  let shared = 0;
  for (const [gram, count] of gx) shared += Math.min(count, gy.get(gram) ?? 0);
  return (2 * shared) / (x.length - 1 + (y.length - 1));
}

/**
 * How well `needle` fits somewhere in `haystack`: the best Dice similarity of `needle` against
 * the whole text and against every window of the text as long as `needle`.
 */
export function bestWindowSimilarity(needle: string, haystack: string): number {
  let best = diceSimilarity(needle, haystack);
  const width = needle.length;
  if (width < 2 || haystack.length <= width) return best;
  const windows = haystack.length - width + 1;
  const step = Math.max(1, Math.floor(windows / 2000));
  for (let start = 0; start < windows && best < 1; start += step) {
    best = Math.max(best, diceSimilarity(needle, haystack.slice(start, start + width)));
  }
  return best;
}
