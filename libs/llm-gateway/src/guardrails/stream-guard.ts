// Response guards on a translated stream (OpenAI chunks, before they are encoded for the client).
// Each guard is a stage that takes chunks and releases chunks; stages run in config order and the
// last one feeds the client's encoder. Text is held back only as long as a guard needs it:
//   - regex guards release text as soon as no match can still cover it (StreamScanner);
//   - webhook and moderation guards judge the text in windows: deltas are held until a window is
//     full (cut at a whitespace, so no word is split) or the text run ends (finish reason, tool
//     call, usage, end of stream); the window then goes out as judged, masked if the guard masked.
// A reject ends the stream: nothing held is released and the caller's error event is sent.
import type { StreamEncoder } from '../translate/anthropic.js';
import type { ChatChunk } from '../wire.js';
import type { Rejection } from './prompt-guard.js';
import { StreamScanner, type RegexGuard } from './regex-guard.js';

export interface StageResult {
  readonly chunks: readonly ChatChunk[];
  /** Set when the guard rejected the response: the stream ends. */
  readonly reject?: Rejection;
}

export interface ChunkStage {
  push(c: ChatChunk): StageResult | Promise<StageResult>;
  /** The stream ended: release (or reject) whatever is held. */
  end(): StageResult | Promise<StageResult>;
  /** Whether the stage changed any text so far. */
  readonly masked: boolean;
}

/** A chunk like `base` carrying only `text` as content. */
function textChunk(base: ChatChunk, text: string): ChatChunk {
  return {
    ...base,
    choices: [{ index: base.choices[0]?.index ?? 0, delta: { content: text }, finish_reason: null }],
  };
}

/** The text of a chunk, and whether it ends a text run (finish reason, tool call, usage-only chunk). */
function inspect(c: ChatChunk): { text: string | undefined; boundary: boolean; others: boolean } {
  const choice = c.choices[0];
  const content = choice?.delta.content;
  const text = typeof content === 'string' && content !== '' ? content : undefined;
  const boundary = !choice || choice.finish_reason !== null || (choice.delta.tool_calls?.length ?? 0) > 0;
  let others = !choice || !!c.usage;
  if (choice && !others) for (const k in choice.delta) if (k !== 'content') others = true;
  return { text, boundary, others };
}

/** `c` without its text (what is left to pass on once the text was taken), or nothing. */
function rest(c: ChatChunk, hadText: boolean, boundary: boolean, others: boolean): ChatChunk[] {
  if (!boundary && !others) return [];
  const choice = c.choices[0];
  if (!choice || !hadText) return [c];
  const { content: _c, ...delta } = choice.delta;
  return [{ ...c, choices: [{ ...choice, delta }] }];
}

/** Consecutive regex guards (mask and reject), over a StreamScanner. */
export class RegexStage implements ChunkStage {
  private readonly scanner: StreamScanner;
  private last: ChatChunk | undefined;
  masked = false;

  constructor(
    guards: readonly RegexGuard[],
    private readonly rejections: readonly Rejection[],
  ) {
    this.scanner = new StreamScanner(guards);
  }

  private rejection(guard: number): Rejection {
    const r = this.rejections[guard];
    if (!r) throw new Error(`regex guard ${guard} has no rejection`);
    return r;
  }

  push(c: ChatChunk): StageResult {
    this.last = c;
    const { text, boundary, others } = inspect(c);
    let released = '';
    if (text !== undefined) {
      const r = this.scanner.push(text);
      if (r.kind === 'reject') return { chunks: [], reject: this.rejection(r.guard) };
      if (r.kind === 'masked') this.masked = true;
      released = r.text;
    }
    if (boundary) {
      const r = this.scanner.flush();
      if (r.kind === 'reject') return { chunks: [], reject: this.rejection(r.guard) };
      if (r.kind === 'masked') this.masked = true;
      released += r.text;
    }
    const out = released ? [textChunk(c, released)] : [];
    out.push(...rest(c, text !== undefined, boundary, others));
    return { chunks: out };
  }

  end(): StageResult {
    const r = this.scanner.flush();
    if (r.kind === 'reject') return { chunks: [], reject: this.rejection(r.guard) };
    if (r.kind === 'masked') this.masked = true;
    return { chunks: r.text && this.last ? [textChunk(this.last, r.text)] : [] };
  }
}

export type WindowVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'mask'; readonly text: string }
  | { readonly kind: 'reject'; readonly rejection: Rejection };

/** Default window: about a paragraph, so a webhook or moderation call judges text in context. */
export const DEFAULT_WINDOW_CHARS = 1024;

/** A guard that judges whole windows of text (webhook, moderation). */
export class WindowStage implements ChunkStage {
  private held = '';
  private last: ChatChunk | undefined;
  masked = false;

  constructor(
    private readonly judge: (text: string) => Promise<WindowVerdict>,
    private readonly windowChars = DEFAULT_WINDOW_CHARS,
  ) {}

  /** Where to cut a full window: after the last whitespace in its second half, else all of it. */
  private cut(): number {
    const min = this.windowChars >> 1;
    for (let i = this.held.length - 1; i >= min; i--) {
      const ch = this.held.charCodeAt(i);
      if (ch === 32 || ch === 10 || ch === 9 || ch === 13) return i + 1;
    }
    return this.held.length;
  }

  private async release(n: number, base: ChatChunk): Promise<StageResult> {
    const window = this.held.slice(0, n);
    this.held = this.held.slice(n);
    const v = await this.judge(window);
    if (v.kind === 'reject') return { chunks: [], reject: v.rejection };
    if (v.kind === 'mask' && v.text !== window) this.masked = true;
    const text = v.kind === 'mask' ? v.text : window;
    return { chunks: text ? [textChunk(base, text)] : [] };
  }

  async push(c: ChatChunk): Promise<StageResult> {
    const { text, boundary, others } = inspect(c);
    const out: ChatChunk[] = [];
    if (text !== undefined) {
      this.held += text;
      this.last = c;
    }
    while (this.held.length > 0 && (boundary || this.held.length >= this.windowChars)) {
      const r = await this.release(boundary ? this.held.length : this.cut(), this.last ?? c);
      if (r.reject) return r;
      out.push(...r.chunks);
    }
    out.push(...rest(c, text !== undefined, boundary, others));
    return { chunks: out };
  }

  async end(): Promise<StageResult> {
    if (this.held.length === 0 || !this.last) return { chunks: [] };
    return this.release(this.held.length, this.last);
  }
}

/**
 * Chunks through the stages, then the client's encoder. `onReject` renders the rejection as the
 * caller's error event; after it nothing more is written.
 */
export class GuardedStream {
  rejected: Rejection | undefined;

  constructor(
    private readonly stages: readonly ChunkStage[],
    private readonly encoder: StreamEncoder,
    private readonly onReject: (r: Rejection) => string,
  ) {}

  get masked(): boolean {
    return this.stages.some((s) => s.masked);
  }

  private reject(r: Rejection): string {
    this.rejected = r;
    return this.onReject(r);
  }

  /** Runs `chunks` through the stages from `from` on and encodes what comes out. */
  private async run(from: number, chunks: readonly ChatChunk[]): Promise<string> {
    let cur = chunks;
    for (let i = from; i < this.stages.length && cur.length > 0; i++) {
      const stage = this.stages[i] as ChunkStage;
      const next: ChatChunk[] = [];
      for (const c of cur) {
        const r = await stage.push(c);
        if (r.reject) return this.reject(r.reject);
        next.push(...r.chunks);
      }
      cur = next;
    }
    let out = '';
    for (const c of cur) out += this.encoder.push(c);
    return out;
  }

  async push(c: ChatChunk): Promise<string> {
    if (this.rejected) return '';
    return this.run(0, [c]);
  }

  async end(): Promise<string> {
    if (this.rejected) return '';
    let out = '';
    for (let i = 0; i < this.stages.length; i++) {
      const r = await (this.stages[i] as ChunkStage).end();
      if (r.reject) return out + this.reject(r.reject);
      out += await this.run(i + 1, r.chunks);
      if (this.rejected) return out;
    }
    return out + this.encoder.end();
  }
}
