// Built-in PII recognizers for regex guards: pattern, mask token, validation, and an upper bound
// on the match length (how much streamed text must be held back to match across chunks).

export interface Recognizer {
  readonly pattern: RegExp;
  readonly mask: string;
  readonly maxLength: number;
  readonly validate?: (match: string) => boolean;
}

/** Luhn checksum over the digits of `s`. */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export const BUILTINS = {
  ssn: {
    pattern: /\b(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}\b/g,
    mask: '<SSN>',
    maxLength: 11,
  },
  creditCard: {
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    mask: '<CREDIT_CARD>',
    maxLength: 19 + 18,
    validate: luhnValid,
  },
  phoneNumber: {
    pattern:
      /(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}\b|(?<![\w+])\+\d{1,3}[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){2,3}\b/g,
    mask: '<PHONE_NUMBER>',
    maxLength: 22,
  },
  email: {
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
    mask: '<EMAIL_ADDRESS>',
    maxLength: 96,
  },
  caSin: {
    pattern: /\b\d{3}[- ]?\d{3}[- ]?\d{3}\b/g,
    mask: '<CA_SIN>',
    maxLength: 11,
    validate: luhnValid,
  },
} satisfies Record<string, Recognizer>;

export type BuiltinName = keyof typeof BUILTINS;

/** Matches of a custom pattern are replaced with this token. */
export const CUSTOM_MASK = '<MASKED>';

/** Upper bound on a custom pattern's match length (conservative when it has open quantifiers). */
export function customMaxLength(source: string): number {
  if (/[*+{]/.test(source)) return 128;
  return Math.max(1, source.length);
}
