/**
 * Kubernetes resource quantities, exactly (apimachinery's `resource.Quantity` grammar): a signed
 * decimal number with an optional binary (Ki Mi Gi Ti Pi Ei), decimal (n u m k M G T P E) or
 * exponent (e3, E-2) suffix. Values are kept as exact rationals so `128M` -> Chronos MiB -> back
 * never drifts.
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

/** As a JS number (exact for every dyadic value a Chronos double can hold). */
export function toNumber(v: Exact): number {
  return Number(v.num) / Number(v.den);
}

/** Memory quantity -> Chronos `mem` (MiB, a double). Exact when the byte count fits 53 bits. */
export function memoryToMebibytes(text: string): number | undefined {
  const v = parseQuantity(text);
  return v === undefined ? undefined : toNumber({ num: v.num, den: v.den * 2n ** 20n });
}

/** CPU quantity -> Chronos `cpus` (cores, a double). */
export function cpuToCores(text: string): number | undefined {
  const v = parseQuantity(text);
  return v === undefined ? undefined : toNumber(v);
}

/**
 * Chronos MiB -> the shortest exact quantity: `1024` -> `1Gi`, `122.0703125` -> `128M`
 * (128 000 000 bytes), so a round trip returns what was written.
 */
export function mebibytesToMemory(mib: number): string {
  const bytes = exactFromNumber(mib, 20);
  if (bytes === undefined) return `${mib}Mi`;
  return formatBytes(bytes);
}

/** Chronos cores -> `0.1` style decimal when exact, else millicores. */
export function coresToCpu(cores: number): string {
  const text = String(cores);
  return /e/i.test(text) ? `${Math.round(cores * 1000)}m` : text;
}

/** Whole bytes from a double given in units of 2^shift bytes, if integral. */
function exactFromNumber(value: number, shift: number): bigint | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  // A double is m * 2^e exactly; multiply by 2^shift and require an integer.
  let scaled = value;
  let den = 1n;
  while (!Number.isInteger(scaled) && den < 2n ** 60n) {
    scaled *= 2;
    den *= 2n;
  }
  if (!Number.isInteger(scaled)) return undefined;
  const num = BigInt(scaled) * 2n ** BigInt(shift);
  return num % den === 0n ? num / den : undefined;
}

function formatBytes(bytes: bigint): string {
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
  // The shortest exact spelling; on a tie the binary one (listed first), as people write memory.
  return candidates.reduce((best, c) => (c.length < best.length ? c : best));
}
