/**
 * Secrets never leave the process unmasked: not in output, logs or the journal. An env entry
 * whose name looks secret (TOKEN, SECRET, PASSWORD, KEY, ...) has its value replaced by `***`,
 * in any of the shapes the systems use (`{name, value}` lists, and `NAME: value` maps).
 */
import { isSecretEnvName } from './job.js';

export const MASK = '***';

export function redactSecrets<T>(value: T): T {
  return walk(value, []) as T;
}

/** `redactSecrets`, and the names of the entries it masked (each once, in the order met). */
export function redactSecretsNamed<T>(value: T): { readonly redacted: T; readonly masked: readonly string[] } {
  const masked: string[] = [];
  const redacted = walk(value, masked) as T;
  return { redacted, masked: [...new Set(masked)] };
}

function walk(value: unknown, masked: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, masked));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o.name === 'string' && typeof o.value === 'string' && isSecretEnvName(o.name)) {
    masked.push(o.name);
    return { ...o, value: MASK };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string' && isSecretEnvName(k) && !k.includes('/') && k === k.toUpperCase()) {
      masked.push(k);
      out[k] = MASK;
    } else {
      out[k] = walk(v, masked);
    }
  }
  return out;
}

/**
 * A journal snapshot that can rebuild a live object: present, and with no masked value in it
 * (a masked secret cannot be restored from the journal, which never holds it).
 */
export function restorableSnapshot(snapshot: unknown): unknown {
  if (snapshot === null || snapshot === undefined) return undefined;
  return JSON.stringify(snapshot).includes(`"${MASK}"`) ? undefined : snapshot;
}
