export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * Parses a text/event-stream body incrementally. An event whose data is empty is not dispatched
 * (as the EventSource spec says): servers send such events to prime resumption (`id:` only).
 */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  let event = '';
  let data: string | undefined;
  let id: string | undefined;
  /** Takes one line; returns the event it completes, if any. */
  const line = (l: string): SseEvent | undefined => {
    if (l === '') {
      const done =
        data !== undefined && data !== ''
          ? { event: event || 'message', data, ...(id !== undefined ? { id } : {}) }
          : undefined;
      event = '';
      data = undefined;
      return done;
    }
    if (l.charCodeAt(0) === 58 /* : */) return undefined;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'id') id = value;
    return undefined;
  };
  for await (const chunk of body) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const end = lineEnd(buf, start);
      if (end < 0) break;
      const cr = buf.charCodeAt(end) === 13;
      // A \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (cr && end + 1 === buf.length) break;
      const ev = line(buf.slice(start, end));
      start = end + (cr && buf.charCodeAt(end + 1) === 10 ? 2 : 1);
      if (ev) yield ev;
    }
    if (start > 0) buf = buf.slice(start);
  }
  if (buf.endsWith('\r')) line(buf.slice(0, -1));
  const last = line('');
  if (last) yield last;
}

/** Index of the next \n or \r at or after `from`, or -1. */
function lineEnd(s: string, from: number): number {
  const n = s.indexOf('\n', from);
  const r = s.indexOf('\r', from);
  if (r < 0) return n;
  if (n < 0) return r;
  return Math.min(n, r);
}

export function formatSse(data: unknown, opts: { event?: string; id?: string } = {}): string {
  let out = '';
  if (opts.id !== undefined) out += `id: ${opts.id}\n`;
  if (opts.event !== undefined) out += `event: ${opts.event}\n`;
  return `${out}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
