const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a Go duration string (`30s`, `5m0s`, `1h2m3.5s`, `0`) into seconds, or returns
 * undefined when the text is not a duration.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let seconds = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m) return undefined;
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  // Round away binary noise (0.1s + 0.2s) at nanosecond precision, as Go's integer durations do.
  return (sign * Math.round(seconds * 1e9)) / 1e9;
}
