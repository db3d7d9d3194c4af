import { describe, expect, it } from 'vitest';
import { luhnValid } from './builtins.js';
import { RegexGuard, scanText, StreamScanner } from './regex-guard.js';

describe('regex guards', () => {
  it('recognizes the builtins and checks Luhn', () => {
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111 1111 1111 1112')).toBe(false);
    const g = new RegexGuard({
      action: 'mask',
      rules: [
        { builtin: 'ssn' },
        { builtin: 'creditCard' },
        { builtin: 'email' },
        { builtin: 'caSin' },
        { builtin: 'phoneNumber' },
      ],
    });
    const r = scanText(
      [g],
      'ssn 123-45-6789 cc 4111111111111111 bad 4111111111111112 a@b.io sin 046 454 286 tel (415) 555-0100',
    );
    expect(r).toEqual({
      kind: 'masked',
      text: 'ssn <SSN> cc <CREDIT_CARD> bad 4111111111111112 <EMAIL_ADDRESS> sin <CA_SIN> tel <PHONE_NUMBER>',
    });
    expect(scanText([new RegexGuard({ action: 'reject', rules: [{ pattern: 'SSN' }] })], 'my SSN').kind).toBe(
      'reject',
    );
  });

  it('masks across chunk boundaries and holds back only a bounded tail', () => {
    const s = new StreamScanner([new RegexGuard({ action: 'mask', rules: [{ builtin: 'ssn' }] })]);
    const text = 'Your number is 123-45-6789, keep it safe and never share it with anyone.';
    let out = '';
    let maxHeld = 0;
    let fed = 0;
    for (let i = 0; i < text.length; i += 2) {
      const r = s.push(text.slice(i, i + 2));
      fed += text.slice(i, i + 2).length;
      if (r.kind === 'reject') throw new Error('unexpected');
      out += r.text;
      expect(out).not.toMatch(/\d{2}-\d/);
      maxHeld = Math.max(maxHeld, fed - out.replace('<SSN>', '123-45-6789').length);
    }
    const end = s.flush();
    out += end.kind === 'reject' ? '' : end.text;
    expect(out).toBe('Your number is <SSN>, keep it safe and never share it with anyone.');
    // At most the longest possible match (11), plus a match found inside that window while it may still grow.
    expect(maxHeld).toBeLessThanOrEqual(2 * 11 + 1);
  });

  it('rejects a stream whose pattern is split across chunks before any of it is released', () => {
    const s = new StreamScanner([new RegexGuard({ action: 'reject', rules: [{ pattern: 'BANANA' }] })]);
    const a = s.push('the word is BAN');
    expect(a.kind === 'reject' ? '' : a.text).not.toContain('BAN');
    expect(s.push('ANA!').kind).toBe('reject');
  });
});
