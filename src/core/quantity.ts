/**
 * The definition's resource quantities, exactly (apimachinery's `resource.Quantity` grammar): a
 * signed decimal number with an optional binary (Ki Mi Gi Ti Pi Ei), decimal (n u m k M G T P E)
 * or exponent (e3, E-2) suffix. Values are kept as exact rationals, so a backend that stores
 * another unit converts `128M` there and back without drift.
 */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact value: numerator / denominator, denominator > 0. */
export interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

export function parseQuantity(text: string): Exact | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  const [whole, frac = ''] = digits.split('.');
  let num = BigInt(`${whole || '0'}${frac}`) * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix]);
  else {
    const exp = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  return reduce({ num, den });
}

export function isValidQuantity(text: string): boolean {
  return parseQuantity(text) !== undefined;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
}

function reduce(v: Exact): Exact {
  const g = gcd(v.num, v.den) || 1n;
  return { num: v.num / g, den: v.den / g };
}

export function quantitiesEqual(a: string, b: string): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x.num === y.num && x.den === y.den;
}

/** A byte count in its shortest exact spelling; on a tie the binary one: `1073741824` -> `1Gi`, `128000000` -> `128M`. */
export function formatBytes(bytes: bigint): string {
  if (bytes === 0n) return '0';
  const candidates = [bytes.toString()];
  for (const [suffix, pow] of [['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60]] as const) {
    const unit = 2n ** BigInt(pow);
    if (bytes % unit === 0n) candidates.push(`${bytes / unit}${suffix}`);
  }
  for (const [suffix, pow] of [['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18]] as const) {
    const unit = 10n ** BigInt(pow);
    if (bytes % unit === 0n) candidates.push(`${bytes / unit}${suffix}`);
  }
  // Binary spellings are listed first: on a tie they win, as people write memory.
  return candidates.reduce((best, c) => (c.length < best.length ? c : best));
}
