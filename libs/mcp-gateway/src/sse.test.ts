import { describe, expect, it } from 'vitest';
import { formatSse, parseSse, type SseEvent } from './sse.js';

async function collect(chunks: Iterable<Uint8Array>): Promise<SseEvent[]> {
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      const it = chunks[Symbol.iterator]();
      return { next: () => Promise.resolve(it.next()) };
    },
  };
  const out: SseEvent[] = [];
  for await (const ev of parseSse(body)) out.push(ev);
  return out;
}

const parse = (chunks: string[]) => collect(chunks.map((c) => new TextEncoder().encode(c)));

describe('parseSse', () => {
  it('parses events with event, id and multi-line data', async () => {
    expect(await parse(['event: message\nid: 7\ndata: {"a":1}\n\n', 'data: x\ndata: y\n\n'])).toEqual([
      { event: 'message', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'x\ny', id: '7' },
    ]);
  });

  it('does not dispatch events with empty data (resumption priming events)', async () => {
    expect(await parse(['id: 1\ndata: \n\n', 'event: message\ndata: {"ok":true}\n\n'])).toEqual([
      { event: 'message', data: '{"ok":true}', id: '1' },
    ]);
  });

  it('handles CRLF and CR line ends, also split across chunks', async () => {
    expect(await parse(['data: a\r', '\n\r', '\ndata: b\r\r', ': comment\rdata: c\r'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('handles events split anywhere, including inside multi-byte characters', async () => {
    const text = formatSse({ m: 'héllo ✓' }, { event: 'message' }) + formatSse('two');
    const bytes = new TextEncoder().encode(text);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 3) pieces.push(bytes.subarray(i, i + 3));
    expect(await collect(pieces)).toEqual([
      { event: 'message', data: '{"m":"héllo ✓"}' },
      { event: 'message', data: 'two' },
    ]);
  });

  it('dispatches a final event without a blank line at the end of the stream', async () => {
    expect(await parse(['event: endpoint\ndata: /message?sessionId=1\n'])).toEqual([
      { event: 'endpoint', data: '/message?sessionId=1' },
    ]);
  });
});
