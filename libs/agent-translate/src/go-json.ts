// JSON text as Go's encoding/json writes it, so files we generate are byte-identical to kagent's:
// `<`, `>` and `&` are escaped, as are U+2028 and U+2029. Key order is the insertion order of
// the objects passed in (callers build them in kagent's field order, maps with sorted keys).

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Serializes like Go's `json.Marshal` (or `json.MarshalIndent(v, "", indent)` with `indent`). */
export function goJson(value: unknown, indent?: string): string {
  // These characters only ever occur inside JSON strings, so a global replacement is exact.
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** A copy of a string map with its keys sorted, as Go writes maps. */
export function sortedMap<V>(map: Readonly<Record<string, V>>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const key of Object.keys(map).sort(compareBytes)) out[key] = map[key] as V;
  return out;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
