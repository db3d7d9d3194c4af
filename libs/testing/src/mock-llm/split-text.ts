/**
 * Splits text into pieces of at most `size` characters (never inside a surrogate pair), and into
 * at least `minPieces` pieces when the text is long enough.
 */
export function splitText(text: string, size: number, minPieces = 1): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const width = Math.max(1, Math.min(size, Math.ceil(chars.length / Math.max(1, minPieces))));
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += width) pieces.push(chars.slice(i, i + width).join(''));
  return pieces;
}
