import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import type { Duration } from '@bufbuild/protobuf/wkt';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * Parses a Gateway API / agentgateway duration (`1h30m`, `500ms`, `10s`) into milliseconds;
 * undefined when it does not parse.
 */
export function parseDurationMs(text: string): number | undefined {
  if (!/^([0-9]{1,5}(h|ms|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]{1,5})(h|ms|m|s)/g))
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total;
}

export function durationFromMs(ms: number): Duration {
  return create(DurationSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
}

/** A protobuf Duration from a duration string, or an error message. */
export function durationField(
  text: string,
  path: string,
): { ok: true; value: Duration } | { ok: false; error: string } {
  const ms = parseDurationMs(text);
  return ms === undefined
    ? { ok: false, error: `${path}: "${text}" is not a duration like 10s or 1m30s` }
    : { ok: true, value: durationFromMs(ms) };
}
