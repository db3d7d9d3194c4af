import { describe, expect, it } from 'vitest';
import { relayableResponseId, RelayedResponse, toJson } from './json-rpc.js';
import { formatSse } from './sse.js';

const result = {
  content: [{ type: 'text', text: 'Echo: {"id":9,"x":"\\"id\\":9}"}' }],
  structuredContent: { id: 4 },
};

describe('relaying answers as received', () => {
  it('reads the id of the two compact answer shapes without parsing the result', () => {
    const sdk = JSON.stringify({ result, jsonrpc: '2.0', id: 17 });
    const others = JSON.stringify({ jsonrpc: '2.0', id: 17, result: { content: [] } });
    expect(relayableResponseId(sdk)).toBe(17);
    expect(relayableResponseId(others)).toBe(17);
  });

  it('leaves everything else to a parse', () => {
    for (const text of [
      JSON.stringify({ jsonrpc: '2.0', id: 3, error: { code: -1, message: 'no' } }),
      JSON.stringify({ error: { code: -1, message: 'no' }, jsonrpc: '2.0', id: 3 }),
      JSON.stringify({ method: 'sampling/createMessage', params: {}, jsonrpc: '2.0', id: 3 }),
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'roots/list' }),
      JSON.stringify({ jsonrpc: '2.0', id: 'a', result: {} }),
      JSON.stringify({ result: {}, jsonrpc: '2.0', id: 'a' }),
      JSON.stringify({ result: {}, jsonrpc: '2.0', id: 1.5 }),
      JSON.stringify({ result: {}, jsonrpc: '2.0', id: -1 }),
      JSON.stringify({ result: {}, id: 3, jsonrpc: '2.0' }),
      // Another "id" member after the first: the last one counts, so this one is parsed.
      JSON.stringify({ jsonrpc: '2.0', id: 3, result: { id: 4 } }),
      JSON.stringify({ jsonrpc: '2.0', id: 3, result: {} }, null, 2),
      `${JSON.stringify({ result: {}, jsonrpc: '2.0', id: 3 })}\n`,
      '{"result":{},"jsonrpc":"2.0","id":}',
    ])
      expect(relayableResponseId(text), text).toBeUndefined();
  });

  it('puts the client id in place of the upstream one and keeps the result text as it was', () => {
    const upstream = JSON.stringify({ result, jsonrpc: '2.0', id: 17 });
    for (const id of [1, 'req-"7"', 0]) {
      const r = new RelayedResponse(id, upstream);
      expect(JSON.parse(toJson(r))).toEqual({ jsonrpc: '2.0', id, result });
      expect(toJson(r)).toContain(JSON.stringify(result));
      expect(r.result).toEqual(result);
      // A plain serialization of the object gives the same message.
      expect(JSON.parse(JSON.stringify(r))).toEqual({ jsonrpc: '2.0', id, result });
    }
    const other = new RelayedResponse('x', JSON.stringify({ jsonrpc: '2.0', id: 2, result: { ok: true } }));
    expect(JSON.parse(toJson(other))).toEqual({ jsonrpc: '2.0', id: 'x', result: { ok: true } });
  });

  it('frames relayed text as SSE data lines even when it spans lines', () => {
    const event = formatSse('{"a":\n1,\r\n"b":2}', { event: 'message' });
    expect(event).toBe('event: message\ndata: {"a":\ndata: 1,\ndata: "b":2}\n\n');
    const r = new RelayedResponse(5, JSON.stringify({ result: { t: 'a\nb' }, jsonrpc: '2.0', id: 1 }));
    expect(formatSse(r, { event: 'message' })).toBe(`event: message\ndata: ${toJson(r)}\n\n`);
  });
});
