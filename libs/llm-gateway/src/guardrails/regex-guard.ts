// Regex guards: find matches of built-in recognizers and custom patterns, mask or reject.
import { BUILTINS, CUSTOM_MASK, customMaxLength, type BuiltinName, type Recognizer } from './builtins.js';

export interface RegexGuardSpec {
  readonly action?: 'mask' | 'reject' | undefined;
  readonly rules: readonly ({ builtin: BuiltinName } | { pattern: string })[];
}

export interface Span {
  readonly start: number;
  readonly end: number;
  readonly mask: string;
}

export class RegexGuard {
  readonly action: 'mask' | 'reject';
  readonly maxLength: number;
  private readonly recognizers: Recognizer[];

  constructor(spec: RegexGuardSpec) {
    this.action = spec.action ?? 'mask';
    this.recognizers = spec.rules.map((r) =>
      'builtin' in r
        ? BUILTINS[r.builtin]
        : { pattern: new RegExp(r.pattern, 'g'), mask: CUSTOM_MASK, maxLength: customMaxLength(r.pattern) },
    );
    this.maxLength = Math.max(0, ...this.recognizers.map((r) => r.maxLength));
  }

  /** Non-overlapping matches, in order (earlier recognizers win overlaps). */
  find(text: string): Span[] {
    const spans: Span[] = [];
    for (const r of this.recognizers) {
      r.pattern.lastIndex = 0;
      for (const m of text.matchAll(r.pattern)) {
        if (m[0] === '') continue;
        if (r.validate && !r.validate(m[0])) continue;
        const start = m.index;
        const end = start + m[0].length;
        if (spans.some((s) => start < s.end && end > s.start)) continue;
        spans.push({ start, end, mask: r.mask });
      }
    }
    return spans.sort((a, b) => a.start - b.start);
  }
}

/** Replaces spans (sorted, non-overlapping) in `text`. */
export function applyMasks(text: string, spans: readonly Span[], offset = 0): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start - offset) + s.mask;
    at = s.end - offset;
  }
  return out + text.slice(at);
}

export type ScanResult =
  | { readonly kind: 'pass' | 'masked'; readonly text: string }
  | { readonly kind: 'reject'; readonly guard: number };

/** Runs guards in order over a whole text: the first rejecting match wins, masks accumulate. */
export function scanText(guards: readonly RegexGuard[], text: string): ScanResult {
  let cur = text;
  let masked = false;
  for (let i = 0; i < guards.length; i++) {
    const g = guards[i] as RegexGuard;
    const spans = g.find(cur);
    if (spans.length === 0) continue;
    if (g.action === 'reject') return { kind: 'reject', guard: i };
    cur = applyMasks(cur, spans);
    masked = true;
  }
  return { kind: masked ? 'masked' : 'pass', text: cur };
}

/**
 * Guards a text stream: text is released as soon as no match can still span it. Only the last
 * `maxLength` characters (the longest possible match) are held back; a match that may still grow
 * is held whole. `flush` releases the rest at the end of a text run.
 */
export class StreamScanner {
  private pending = '';
  private readonly window: number;

  constructor(private readonly guards: readonly RegexGuard[]) {
    this.window = Math.max(0, ...guards.map((g) => g.maxLength));
  }

  push(text: string): ScanResult {
    this.pending += text;
    return this.release(false);
  }

  flush(): ScanResult {
    return this.release(true);
  }

  private release(all: boolean): ScanResult {
    let cut = all ? this.pending.length : Math.max(0, this.pending.length - this.window);
    const perGuard: Span[][] = [];
    for (let i = 0; i < this.guards.length; i++) {
      const g = this.guards[i] as RegexGuard;
      const spans = g.find(this.pending);
      if (g.action === 'reject' && spans.length > 0) return { kind: 'reject', guard: i };
      perGuard.push(spans);
      for (const s of spans) if (s.start < cut && s.end > cut) cut = s.start;
    }
    if (cut <= 0) return { kind: 'pass', text: '' };
    const head = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    const all2 = perGuard.flat().filter((s) => s.end <= cut);
    const merged: Span[] = [];
    for (const s of all2.sort((a, b) => a.start - b.start))
      if (!merged.some((m) => s.start < m.end && s.end > m.start)) merged.push(s);
    return { kind: merged.length ? 'masked' : 'pass', text: applyMasks(head, merged) };
  }
}
