import { describe, expect, it } from 'vitest';
import { SessionCodec, SessionCodecError, type SessionState } from './session-codec.js';

const state = (id: string): SessionState => ({
  id,
  backend: 'b',
  init: { protocolVersion: '2025-06-18', capabilities: { sampling: {} }, clientInfo: { name: 'c' } },
  targets: [{ name: 't', sessionId: 'up-1' }],
  protocolVersion: '2025-06-18',
});

describe('SessionCodec', () => {
  it('opens its own tokens, from the cache and after decryption alike', () => {
    const a = new SessionCodec({ key: 'a'.repeat(64) });
    const token = a.encode(state('s1'));
    expect(a.decode(token)).toEqual(state('s1'));
    // Another replica with the same key has nothing cached: it decrypts.
    const b = new SessionCodec({ key: 'a'.repeat(64) });
    expect(b.decode(token)).toEqual(state('s1'));
    expect(b.decode(token)).toEqual(state('s1'));
  });

  it('rejects tampered tokens and tokens of another key even when the genuine one is cached', () => {
    const a = new SessionCodec({ key: 'a'.repeat(64) });
    const token = a.encode(state('s1'));
    a.decode(token);
    const raw = Buffer.from(token, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => a.decode(raw.toString('base64url'))).toThrow(SessionCodecError);
    expect(() => a.decode(`${token}x`)).toThrow(SessionCodecError);
    const other = new SessionCodec({ key: 'b'.repeat(64) });
    expect(() => other.decode(token)).toThrow(SessionCodecError);
  });

  it('keeps the cache bounded; evicted tokens still open', () => {
    const a = new SessionCodec({ key: 'a'.repeat(64), cacheSize: 2 });
    const tokens = ['s1', 's2', 's3'].map((id) => a.encode(state(id)));
    expect(tokens.map((t) => a.decode(t).id)).toEqual(['s1', 's2', 's3']);
    const off = new SessionCodec({ key: 'a'.repeat(64), cacheSize: 0 });
    expect(off.decode(tokens[0] ?? '').id).toBe('s1');
  });

  it('hands out cached states that no caller can change', () => {
    const a = new SessionCodec({ key: 'a'.repeat(64) });
    const s = state('s1');
    const token = a.encode(s);
    (s.targets as { name: string }[]).push({ name: 'late' });
    const decoded = a.decode(token);
    expect(decoded.targets).toHaveLength(1);
    expect(() => {
      (decoded.targets as { name: string }[]).push({ name: 'x' });
    }).toThrow(TypeError);
    expect(a.decode(token).targets).toHaveLength(1);
  });
});
