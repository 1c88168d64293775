/**
 * The definition follows a move: its backend is changed with the smallest possible text edit, so
 * comments, quoting, blank lines and key order stay exactly as the author wrote them.
 * Canonical form: the value of `backend:` is replaced. Original form: the per-backend block's key
 * is renamed (`kubernetes:` <-> `chronos:`).
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import type { BackendName } from './job.js';
import { parseBackendName } from './job.js';

export function setDefinitionBackend(text: string, to: BackendName): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (!isMap(doc.contents)) throw new Error('the definition is not a mapping');
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (key === 'backend' && isScalar(pair.value) && pair.value.range) {
      const [start, end] = pair.value.range;
      const current = parseBackendName(String(pair.value.value));
      if (current === to) return text;
      // Keep the author's quoting: replace only the characters of the value.
      const raw = text.slice(start, end);
      const quote = raw.startsWith('"') ? '"' : raw.startsWith("'") ? "'" : '';
      return `${text.slice(0, start)}${quote}${to}${quote}${text.slice(end)}`;
    }
    const block = parseBackendName(key);
    if ((key === 'kubernetes' || key === 'k8s' || key === 'chronos') && block && pair.key.range) {
      if (block === to) return text;
      const [start, end] = pair.key.range;
      return `${text.slice(0, start)}${to}${text.slice(end)}`;
    }
  }
  throw new Error('the definition has neither a backend: field nor a kubernetes:/chronos: block');
}
