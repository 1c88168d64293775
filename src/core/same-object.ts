/** Key-order-free comparison of plain objects, apart from live-diff.ts so that it costs no text-diff library. */

/** Deep equality of two normalised objects (key order ignored), for verdicts that need no text. */
export function sameObject(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

/** A copy with every mapping's keys in code-point order; undefined values dropped. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  entries.sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
  return Object.fromEntries(entries.map(([k, x]) => [k, sortKeys(x)]));
}
