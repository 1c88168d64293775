/**
 * YAML parsed with positions kept, so every problem names `file:line:col`. Also the guards against
 * hostile input: huge files and alias bombs are refused before anything expands them.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostic } from './errors.js';

export const MAX_FILE_BYTES = 256 * 1024;
const MAX_ALIASES = 50;

export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Parses one file; on failure returns the diagnostics (syntax errors with their position). */
export function parseYamlSource(file: string, text: string): ParsedYaml | Diagnostic[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    return [error(file, { line: 1, col: 1 }, `file is larger than ${MAX_FILE_BYTES / 1024} KiB; a job definition is a few lines, so this is not one (split it, or move data out of it)`)];
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, keepSourceTokens: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const at = e.linePos?.[0] ?? { line: 1, col: 1 };
      return error(file, at, `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
    });
  }
  try {
    // Expanding with a low alias cap is how an alias bomb ("billion laughs") is caught cheaply.
    doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return [error(file, { line: 1, col: 1 }, `refused: ${(e as Error).message.split('\n')[0]} (a job definition needs no more than ${MAX_ALIASES} aliases)`)];
  }
  return { doc, lines };
}

export function error(file: string, at: Position, message: string): Diagnostic {
  return { file, line: at.line, col: at.col, severity: 'error', message };
}

export function positionOf(src: ParsedYaml, node: Node | null | undefined): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return src.lines.linePos(offset);
}

/** Follows an alias to the node it names. */
export function deref(src: ParsedYaml, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(src.doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

export function asMap(src: ParsedYaml, node: unknown): YAMLMap | undefined {
  const n = deref(src, node);
  return isMap(n) ? n : undefined;
}

export function pairsOf(src: ParsedYaml, map: YAMLMap): { key: string; pair: Pair; value: Node | null }[] {
  return map.items.map((pair) => ({
    key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
    pair,
    value: deref(src, pair.value),
  }));
}

export function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? node.value : undefined;
}

export function kindOf(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    return v === null ? 'null' : typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : 'a scalar';
  }
  return 'an unexpected value';
}
