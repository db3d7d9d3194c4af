import { describe, expect, it } from 'vitest';
import { MemberPaths, scanMembers } from './json-scan.js';

const scan = (v: unknown, ...paths: string[]) =>
  scanMembers(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), new MemberPaths(paths));

describe('scanMembers', () => {
  it('reads scalars at the wanted paths and skips everything else, whatever it holds', () => {
    const doc = {
      params: {
        skipped: { a: ['}', '{', { b: '"}' }], c: 'x\\"y', d: [1, [2, [3]]] },
        message: { contextId: 'c"1\\n', taskId: 't1', n: -1.5e3, list: [{ contextId: 'no' }] },
        id: 7,
      },
      method: 'message/send',
      id: 'r\u00e9q',
    };
    const r = scan(
      doc,
      'method',
      'id',
      'params.id',
      'params.message.contextId',
      'params.message.n',
      'params.message.list',
    );
    expect(Object.fromEntries(r?.values ?? [])).toEqual({
      method: 'message/send',
      id: 'r\u00e9q',
      'params.id': 7,
      'params.message.contextId': 'c"1\\n',
      'params.message.n': -1500,
    });
    expect(r?.objects).toEqual(new Set(['params', 'params.message']));
  });

  it('agrees with JSON.parse on whitespace and escapes', () => {
    const text = '{ "a" : { "b\\u0041" : "\\u00e9\\\\" , "c" : true } ,\n "d":null,"e":  12 }';
    expect(Object.fromEntries(scan(text, 'a.bA', 'e', 'd', 'a.c')?.values ?? [])).toEqual({
      'a.bA': 'é\\',
      e: 12,
    });
  });

  it('refuses what is not a JSON object', () => {
    for (const text of [
      '[1]',
      '"x"',
      '{"a":1',
      '{"a" 1}',
      '{"a":"1}',
      '{"a":1,}',
      '{a:1}',
      '',
      '{"a":{"b":[1,2}',
    ])
      expect(scan(text, 'a', 'a.b'), text).toBeUndefined();
  });
});
