import type { HeaderModifierModel } from '@agentplane/gateway-config';

/** Applies set/add/remove to a header record with lower-case names. Mutates and returns it. */
export function applyHeaderModifier(
  headers: Record<string, string | string[] | undefined>,
  m: HeaderModifierModel | undefined,
): Record<string, string | string[] | undefined> {
  if (!m) return headers;
  for (const [k, v] of m.set) headers[k] = v;
  for (const [k, v] of m.add) {
    const cur = headers[k];
    headers[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  for (const k of m.remove) delete headers[k];
  return headers;
}
