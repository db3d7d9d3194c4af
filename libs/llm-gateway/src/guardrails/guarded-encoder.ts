// Applies response regex guards to a translated stream: text deltas pass through a StreamScanner
// (masked text never leaves; only the shortest tail that could still match is held back), and a
// reject ends the stream with a well-formed error event in the caller's format.
import type { StreamEncoder } from '../translate/anthropic.js';
import type { ChatChunk } from '../wire.js';
import { StreamScanner, type RegexGuard } from './regex-guard.js';

export class GuardedEncoder implements StreamEncoder {
  private readonly scanner: StreamScanner;
  private last: ChatChunk | undefined;
  /** Set once a guard rejected: the stream is over. */
  rejected: number | undefined;

  constructor(
    private readonly inner: StreamEncoder,
    guards: readonly RegexGuard[],
    private readonly onReject: (guard: number) => string,
  ) {
    this.scanner = new StreamScanner(guards);
  }

  private textChunk(base: ChatChunk, text: string): ChatChunk {
    return {
      ...base,
      choices: [{ index: base.choices[0]?.index ?? 0, delta: { content: text }, finish_reason: null }],
    };
  }

  private reject(guard: number): string {
    this.rejected = guard;
    return this.onReject(guard);
  }

  push(c: ChatChunk): string {
    if (this.rejected !== undefined) return '';
    this.last = c;
    const choice = c.choices[0];
    const text = choice?.delta.content;
    const boundary = !choice || choice.finish_reason !== null || (choice.delta.tool_calls?.length ?? 0) > 0;
    let released = '';
    if (typeof text === 'string' && text !== '') {
      const r = this.scanner.push(text);
      if (r.kind === 'reject') return this.reject(r.guard);
      released = r.text;
    }
    if (boundary) {
      const r = this.scanner.flush();
      if (r.kind === 'reject') return this.reject(r.guard);
      released += r.text;
    }
    let out = released ? this.inner.push(this.textChunk(c, released)) : '';
    const others = choice ? Object.keys(choice.delta).some((k) => k !== 'content') : true;
    if (boundary || others || c.usage) {
      if (choice && typeof text === 'string' && text !== '') {
        const { content: _c, ...delta } = choice.delta;
        out += this.inner.push({ ...c, choices: [{ ...choice, delta }] });
      } else out += this.inner.push(c);
    }
    return out;
  }

  end(): string {
    if (this.rejected !== undefined) return '';
    const r = this.scanner.flush();
    if (r.kind === 'reject') return this.reject(r.guard);
    const tail = r.text && this.last ? this.inner.push(this.textChunk(this.last, r.text)) : '';
    return tail + this.inner.end();
  }
}
