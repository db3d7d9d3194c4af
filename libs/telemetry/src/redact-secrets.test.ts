import { describe, expect, it } from 'vitest';
import { createSecretRedactor, REDACTED } from './redact-secrets.js';

describe('createSecretRedactor', () => {
  const redact = createSecretRedactor();

  it('replaces secret fields at any depth, ignoring case, inside arrays too', () => {
    const input = {
      Authorization: 'a',
      a: { b: { c: { d: { e: { 'X-API-KEY': 'k' } } } } },
      list: [{ password: 'p' }, 'plain', [{ Cookie: 'c' }]],
      kept: 1,
    };
    expect(redact(input)).toEqual({
      Authorization: REDACTED,
      a: { b: { c: { d: { e: { 'X-API-KEY': REDACTED } } } } },
      list: [{ password: REDACTED }, 'plain', [{ Cookie: REDACTED }]],
      kept: 1,
    });
  });

  it('never changes its input and shares untouched branches', () => {
    const clean = { x: [1, 2, 3] };
    const input = { clean, dirty: { token: 't' } };
    const out = redact(input);
    expect(input.dirty.token).toBe('t');
    expect(out).not.toBe(input);
    expect(out.clean).toBe(clean);
    const untouched = { a: { b: 1 } };
    expect(redact(untouched)).toBe(untouched);
  });

  it('stops at maxDepth and leaves objects that serialize themselves alone', () => {
    const shallow = createSecretRedactor({ maxDepth: 1 });
    expect(shallow({ a: { token: 't' }, b: { c: { token: 't' } } })).toEqual({
      a: { token: REDACTED },
      b: { c: { token: 't' } },
    });
    const date = new Date(0);
    expect(redact({ when: date }).when).toBe(date);
    const bytes = new Uint8Array([1, 2]);
    expect(redact({ bytes }).bytes).toBe(bytes);
  });

  it('looks into class instances, as JSON output would', () => {
    class Request {
      headers = { authorization: 'Bearer x' };
      method = 'GET';
    }
    const req = new Request();
    expect(JSON.parse(JSON.stringify(redact({ req })))).toEqual({
      req: { headers: { authorization: REDACTED }, method: 'GET' },
    });
    expect(req.headers.authorization).toBe('Bearer x');
  });

  it('survives cyclic objects', () => {
    const cyclic: Record<string, unknown> = { secret: 's' };
    cyclic.self = cyclic;
    const out = redact(cyclic);
    expect(out.secret).toBe(REDACTED);
  });
});
