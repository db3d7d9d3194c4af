// Incremental Server-Sent Events parsing and formatting (the subset LLM APIs use).

export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/** Splits a byte stream into SSE events; feed it decoded text chunks in order. */
export class SseParser {
  private buf = '';
  private event: string | undefined;
  private data: string[] = [];

  push(text: string): SseEvent[] {
    this.buf += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.buf.indexOf('\n', start);
      if (nl < 0) break;
      let line = this.buf.slice(start, nl);
      start = nl + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.data.length > 0 || this.event !== undefined) {
          out.push(
            this.event === undefined
              ? { data: this.data.join('\n') }
              : { event: this.event, data: this.data.join('\n') },
          );
        }
        this.event = undefined;
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  /** Whatever is left when the stream ends (an event without its blank line). */
  end(): SseEvent[] {
    const out = this.buf.length > 0 ? this.push('\n\n') : [];
    if (this.data.length > 0) out.push({ data: this.data.join('\n') });
    this.data = [];
    return out;
  }
}

export function sseData(data: string): string {
  return `data: ${data}\n\n`;
}

export function sseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
