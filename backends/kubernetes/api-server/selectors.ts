/** Label and field selectors as the apiserver parses them (`labels.Parse`, metadata field selectors). */
import { fieldsOf } from './patch.js';
import { badRequest } from './status.js';
import type { KObject } from './resources.js';

type Requirement = (labels: Readonly<Record<string, unknown>>) => boolean;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^([a-z0-9A-Z.\-_/]+)$/;

/** Parses `app=x,tier!=y,env in (a,b),!legacy`; throws a 400 ApiError on bad syntax. */
export function parseLabelSelector(selector: string): (obj: KObject) => boolean {
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+?)\s+(in|notin)\s+\((.*)\)$/))) {
      const [, key, op, raw] = m as unknown as [string, string, string, string];
      const values = new Set(raw.split(',').map((v) => v.trim()).filter((v) => v.length > 0));
      const member = (v: unknown) => typeof v === 'string' && values.has(v);
      reqs.push(op === 'in' ? (l) => member(l[key]) : (l) => !member(l[key]));
    } else if ((m = part.match(/^(\S+?)\s*(==|=|!=)\s*(\S*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}"`);
      reqs.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      const key = m[1]!;
      reqs.push((l) => l[key] === undefined);
    } else if (KEY.test(part)) {
      reqs.push((l) => l[part] !== undefined);
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
    }
  }
  return (obj) => {
    const labels = fieldsOf(obj.metadata.labels);
    return reqs.every((r) => r(labels));
  };
}

/** Only `metadata.name` and `metadata.namespace`, like most resources (and all kubectl needs). */
export function parseFieldSelector(selector: string): (obj: KObject) => boolean {
  const reqs: ((o: KObject) => boolean)[] = [];
  for (const part of splitTopLevel(selector)) {
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (field !== 'metadata.name' && field !== 'metadata.namespace') throw badRequest(`field label not supported: ${field}`);
    const key = field === 'metadata.name' ? 'name' : 'namespace';
    reqs.push(op === '!=' ? (o) => o.metadata[key] !== value : (o) => o.metadata[key] === value);
  }
  return (obj) => reqs.every((r) => r(obj));
}
