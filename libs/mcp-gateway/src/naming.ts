// Name prefixing for multiplexed targets. Pure.
import type { McpPrefixMode } from '@agentplane/gateway-config';

export const DELIMITER = '_';
export const URI_DELIMITER = '+';

export function usesPrefix(mode: McpPrefixMode, targetCount: number): boolean {
  return mode === 'always' || (mode === 'conditional' && targetCount > 1);
}

export const prefixName = (target: string, name: string) => `${target}${DELIMITER}${name}`;
export const prefixUri = (target: string, uri: string) => `${target}${URI_DELIMITER}${uri}`;

/** Splits `<target>_<name>`, preferring the longest target name that matches (names may contain `_`). */
export function splitName(
  name: string,
  targets: readonly string[],
): { target: string; name: string } | undefined {
  let best: string | undefined;
  for (const t of targets) {
    if (name.startsWith(t + DELIMITER) && name.length > t.length + 1 && (!best || t.length > best.length))
      best = t;
  }
  return best === undefined ? undefined : { target: best, name: name.slice(best.length + 1) };
}

export function splitUri(
  uri: string,
  targets: readonly string[],
): { target: string; uri: string } | undefined {
  let best: string | undefined;
  for (const t of targets) {
    if (uri.startsWith(t + URI_DELIMITER) && (!best || t.length > best.length)) best = t;
  }
  return best === undefined ? undefined : { target: best, uri: uri.slice(best.length + 1) };
}

/**
 * Bare names (prefixMode never): a name served by more than one target is ambiguous, dropped from
 * lists, and a call to it fails. Returns name → owning target for the unambiguous ones.
 */
export function ownersOf(byTarget: ReadonlyMap<string, readonly string[]>): {
  owners: Map<string, string>;
  conflicts: Set<string>;
} {
  const owners = new Map<string, string>();
  const conflicts = new Set<string>();
  for (const [target, names] of byTarget) {
    for (const n of names) {
      if (conflicts.has(n)) continue;
      if (owners.has(n) && owners.get(n) !== target) {
        owners.delete(n);
        conflicts.add(n);
      } else owners.set(n, target);
    }
  }
  return { owners, conflicts };
}
