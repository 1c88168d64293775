/**
 * Resource quantities as Chronos stores them: memory in MiB and CPU in cores, both doubles. The
 * conversions are exact both ways wherever a double can be, so a definition's quantity returns
 * as written (docs/format.md).
 */
import { formatBytes, parseQuantity, type Exact } from '../../src/core/quantity.js';

/** As a JS number (exact for every dyadic value a Chronos double can hold). */
function toNumber(v: Exact): number {
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
