/**
 * The definition follows a move: its backend is changed with the smallest possible text edit, so
 * comments, quoting, blank lines and key order stay exactly as the author wrote them.
 * Canonical form: the value of `backend:` is replaced. Original form: the key of the block named
 * after the backend is renamed.
 *
 * The journal keeps the file's text with secret env values masked, by the same kind of edit.
 */
import { isAlias, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import type { BackendName, BackendNames } from './backend-names.js';
import { isSecretEnvName } from './job.js';
import { MASK } from './secrets.js';

interface BackendToken {
  /** Where the backend is written: the value of `backend:`, or the key of the per-backend block. */
  readonly form: 'value' | 'block';
  readonly start: number;
  readonly end: number;
  /** Undefined when `backend:` names no backend (the file does not load; a flip still rewrites it). */
  readonly backend: BackendName | undefined;
}

function backendToken(text: string, backends: BackendNames): BackendToken {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (!isMap(doc.contents)) throw new Error('the definition is not a mapping');
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (key === 'backend' && isScalar(pair.value) && pair.value.range) {
      return { form: 'value', start: pair.value.range[0], end: pair.value.range[1], backend: backends.parse(String(pair.value.value)) };
    }
    if (backends.spellings.includes(key) && pair.key.range) {
      return { form: 'block', start: pair.key.range[0], end: pair.key.range[1], backend: backends.parse(key) };
    }
  }
  throw new Error(`the definition has neither a backend: field nor a block named after a backend (${backends.listed})`);
}

export function setDefinitionBackend(text: string, to: BackendName, backends: BackendNames): string {
  const token = backendToken(text, backends);
  if (token.backend === to) return text;
  if (token.form === 'block') return `${text.slice(0, token.start)}${to}${text.slice(token.end)}`;
  // Keep the author's quoting: replace only the characters of the value.
  const raw = text.slice(token.start, token.end);
  const quote = raw.startsWith('"') ? '"' : raw.startsWith("'") ? "'" : '';
  return `${text.slice(0, token.start)}${quote}${to}${quote}${text.slice(token.end)}`;
}

/**
 * The definition text with the value of every env entry whose name looks secret replaced by
 * `"***"` (an anchored value it refers to included); comments, layout and every other byte stay.
 * A `secretKeyRef` is a reference, not a secret, and stays. A text that does not read as a YAML
 * mapping cannot be searched for secrets, so all of it becomes `***`.
 */
export function maskDefinitionSecrets(text: string): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length || !isMap(doc.contents)) return MASK;
  const spans = secretEnvValues(doc)
    .map((node) => node.range!)
    .sort((a, b) => b[0] - a[0])
    .filter((range, i, all) => i === 0 || range[0] !== all[i - 1]![0]);
  let out = text;
  for (const [start, end] of spans) {
    const raw = out.slice(start, end);
    // A block scalar's range ends with its line breaks, which belong to the layout.
    const lineBreaks = /[\r\n]*$/.exec(raw)![0];
    const quote = raw.startsWith("'") ? "'" : '"';
    out = `${out.slice(0, start)}${quote}${MASK}${quote}${lineBreaks}${out.slice(end)}`;
  }
  return out;
}

/** True when the text holds a masked secret (as `maskDefinitionSecrets` leaves it): it must never be written back over a job file. */
export function definitionHasMaskedSecrets(text: string): boolean {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length || !isMap(doc.contents)) return text.trim() === MASK;
  return secretEnvValues(doc).some((node) => node.value === MASK);
}

/** The scalar values of secret-named env entries (through aliases), with their place in the text. */
function secretEnvValues(doc: Document): (Node & { value: unknown })[] {
  if (!isMap(doc.contents)) return [];
  const env = doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'env')?.value;
  if (!isMap(env)) return [];
  const values: (Node & { value: unknown })[] = [];
  for (const pair of env.items) {
    if (!isScalar(pair.key) || !isSecretEnvName(String(pair.key.value))) continue;
    const value = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
    if (isScalar(value) && value.value !== null && value.range) values.push(value);
  }
  return values;
}

/**
 * The file as it was before the move that set its backend to `movedTo`, from the journal's text
 * and the file now; undefined when the file was edited since that move (then the caller flips
 * the backend instead). A journal text with masked secrets is never written back: the current
 * file keeps its values, and only the backend is put back as the journal's text wrote it
 * (an alias stays the alias), so nothing is lost either way.
 */
export function definitionBeforeMove(journalled: string, current: string, movedTo: BackendName, backends: BackendNames): string | undefined {
  try {
    if (!definitionHasMaskedSecrets(journalled)) return setDefinitionBackend(journalled, movedTo, backends) === current ? journalled : undefined;
    if (setDefinitionBackend(journalled, movedTo, backends) !== maskDefinitionSecrets(current)) return undefined;
    const was = backendToken(journalled, backends);
    const now = backendToken(current, backends);
    if (was.form !== now.form) return undefined;
    const restored = `${current.slice(0, now.start)}${journalled.slice(was.start, was.end)}${current.slice(now.end)}`;
    return maskDefinitionSecrets(restored) === journalled ? restored : undefined;
  } catch {
    // A text that does not read as a definition (a journal edited by hand): flip instead.
    return undefined;
  }
}
