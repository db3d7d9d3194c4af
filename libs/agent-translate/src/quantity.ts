// Kubernetes resource quantities in their canonical form (what the API server returns and what
// kagent's Go types serialize): `3000m` → `3`, `1.5Gi` → `1536Mi`, `1000` → `1k`.

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/** An exact value n × 10^scale. */
interface Decimal {
  n: bigint;
  scale: number;
}

function normalize(d: Decimal): Decimal {
  let { n, scale } = d;
  if (n === 0n) return { n, scale: 0 };
  while (n % 10n === 0n) {
    n /= 10n;
    scale += 1;
  }
  return { n, scale };
}

/** Formats n × 10^scale with the largest exponent that is a multiple of 3 and keeps n whole. */
function formatDecimal(d: Decimal, format: Format): string {
  const { n, scale } = normalize(d);
  if (n === 0n) return '0';
  // Kubernetes keeps nano precision at most: round up anything finer.
  let mantissa = n;
  let exp = scale;
  if (exp < -9) {
    const drop = BigInt(10) ** BigInt(-9 - exp);
    const q = mantissa / drop;
    mantissa = mantissa % drop === 0n ? q : mantissa > 0n ? q + 1n : q;
    exp = -9;
  }
  let e3 = Math.floor(exp / 3) * 3;
  if (format === 'DecimalSI' && e3 > 18) e3 = 18;
  mantissa *= BigInt(10) ** BigInt(exp - e3);
  if (format === 'DecimalExponent') return e3 === 0 ? `${mantissa}` : `${mantissa}e${e3}`;
  return `${mantissa}${DECIMAL_BY_EXPONENT.get(e3) ?? ''}`;
}

/**
 * Returns the canonical text of a quantity (string or number), or undefined when the input is
 * not a valid quantity.
 */
export function canonicalQuantity(input: string | number): string | undefined {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign = '', digits = '', suffix, exponent] = m;
  const [whole = '', frac = ''] = digits.split('.');
  let value: Decimal = { n: BigInt((whole || '0') + frac), scale: -frac.length };
  if (sign === '-') value = { n: -value.n, scale: value.scale };

  let format: Format = 'DecimalSI';
  if (exponent !== undefined) {
    format = 'DecimalExponent';
    value = { n: value.n, scale: value.scale + Number(exponent) };
  } else if (suffix !== undefined && suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    value = { n: value.n * 1024n ** BigInt(BINARY_SUFFIXES[suffix] ?? 0), scale: value.scale };
  } else {
    value = { n: value.n, scale: value.scale + (DECIMAL_SUFFIXES[suffix ?? ''] ?? 0) };
  }
  value = normalize(value);

  if (format === 'BinarySI') {
    const integral = value.scale >= 0;
    const bytes = integral ? value.n * 10n ** BigInt(value.scale) : 0n;
    const abs = bytes < 0n ? -bytes : bytes;
    if (!integral || abs < 1024n) return formatDecimal(value, 'DecimalSI');
    let power = 0;
    while (power < 6 && bytes % 1024n ** BigInt(power + 1) === 0n) power += 1;
    return `${bytes / 1024n ** BigInt(power)}${BINARY_NAMES[power] ?? ''}`;
  }
  return formatDecimal(value, format);
}
