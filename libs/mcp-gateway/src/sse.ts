import { toJson } from './json-rpc.js';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * An incremental text/event-stream parser: feed it chunks as they arrive, it calls `onEvent`
 * synchronously for every complete event (no promise or generator step per chunk). An event
 * whose data is empty is not dispatched (as the EventSource spec says): servers send such events
 * to prime resumption (`id:` only).
 */
export class SseParser {
  /** Made when a chunk ends inside a multi-byte character (then used for the rest). */
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  private buf = '';
  private event = '';
  private data: string | undefined;
  private id: string | undefined;

  constructor(private readonly onEvent: (ev: SseEvent) => void) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decode(chunk);
    const buf = this.buf === '' ? text : this.buf + text;
    let start = 0;
    // Position of the next \r at or after `start` (-1: none left, -2: not looked up yet); kept
    // across lines so that a buffer without \r is searched for one once, not once per line.
    let cr = -2;
    for (;;) {
      const lf = buf.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = buf.indexOf('\r', start);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) break;
      const isCr = end === cr;
      // A \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (isCr && end + 1 === buf.length) break;
      const line = buf.slice(start, end);
      start = end + (isCr && buf.charCodeAt(end + 1) === 10 ? 2 : 1);
      this.line(line);
    }
    this.buf = start === 0 ? buf : buf.slice(start);
  }

  private decode(chunk: Uint8Array): string {
    // Most chunks end in ASCII (a line break): decoded on their own, no decoder state needed.
    if (!this.decoder && (chunk.length === 0 || (chunk[chunk.length - 1] as number) < 0x80))
      return (
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      ).toString('utf8');
    return (this.decoder ??= new TextDecoder()).decode(chunk, { stream: true });
  }

  /** The stream ended: a last event without its blank line is still dispatched. */
  end(): void {
    const rest = this.buf;
    this.buf = '';
    if (rest.endsWith('\r')) this.line(rest.slice(0, -1));
    this.line('');
  }

  private line(l: string): void {
    if (l === '') {
      const data = this.data;
      const event = this.event;
      this.event = '';
      this.data = undefined;
      if (data !== undefined && data !== '')
        this.onEvent(
          this.id !== undefined
            ? { event: event || 'message', data, id: this.id }
            : { event: event || 'message', data },
        );
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }
}

/** Parses a text/event-stream body as an async sequence of events. */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = [];
  const parser = new SseParser((ev) => ready.push(ev));
  for await (const chunk of body) {
    parser.push(chunk);
    while (ready.length > 0) yield ready.shift() as SseEvent;
  }
  parser.end();
  yield* ready;
}

/**
 * One SSE event. Objects are sent as JSON (a relayed answer as the text it arrived in); a string
 * with line breaks becomes several `data:` lines, which the client joins back with `\n`.
 */
export function formatSse(data: unknown, opts: { event?: string; id?: string } = {}): string {
  let out = '';
  if (opts.id !== undefined) out += `id: ${opts.id}\n`;
  if (opts.event !== undefined) out += `event: ${opts.event}\n`;
  const text = typeof data === 'string' ? data : toJson(data);
  const lines = text.includes('\n') || text.includes('\r') ? text.split(/\r\n|\r|\n/).join('\ndata: ') : text;
  return `${out}data: ${lines}\n\n`;
}
