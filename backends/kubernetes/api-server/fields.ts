/**
 * Field ownership (`metadata.managedFields`), enough for server-side apply: which manager set
 * which field, conflicts between managers, and removal of fields an applier stopped sending.
 * Paths are lists of `f:<field>` / `k:<merge key JSON>` segments, as in FieldsV1.
 */
import { fieldsOf, isPlainObject, MERGE_KEYS } from './patch.js';
import type { JsonObject } from './resources.js';

/** A path, its segments joined by NUL so it can key a Map. */
export type FieldPath = string;
const SEP = '\u0000';

const SERVER_OWNED_METADATA = new Set([
  'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields',
  'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName',
]);

/** Every leaf of `obj` (spec and metadata, or only status) with its JSON value. */
export function leafFields(obj: JsonObject, part: 'main' | 'status'): Map<FieldPath, string> {
  const out = new Map<FieldPath, string>();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if ((k === 'status') !== (part === 'status')) continue;
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_OWNED_METADATA.has(mk)) continue;
        walk(mv, [`f:metadata`, `f:${mk}`], mk, out);
      }
      continue;
    }
    walk(v, [`f:${k}`], k, out);
  }
  return out;
}

function walk(v: unknown, path: string[], field: string, out: Map<FieldPath, string>): void {
  if (v === undefined) return;
  const key = MERGE_KEYS[field];
  if (Array.isArray(v) && key !== undefined && v.every((x) => isPlainObject(x) && x[key] !== undefined)) {
    for (const item of v.filter(isPlainObject)) {
      const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
      out.set([...itemPath, '.'].join(SEP), '');
      for (const [k, x] of Object.entries(item)) walk(x, [...itemPath, `f:${k}`], k, out);
    }
    return;
  }
  if (isPlainObject(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) walk(x, [...path, `f:${k}`], k, out);
    return;
  }
  out.set(path.join(SEP), JSON.stringify(v));
}

/** FieldsV1 JSON (`{"f:spec":{"f:schedule":{}}}`) from a set of paths. */
export function toFieldsV1(paths: Iterable<FieldPath>): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p.split(SEP)) {
      node[seg] ??= {};
      node = node[seg] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(fields: unknown): Set<FieldPath> {
  const out = new Set<FieldPath>();
  const visit = (node: unknown, path: string[]) => {
    if (!isPlainObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) out.add(path.join(SEP));
    for (const k of keys) visit(node[k], [...path, k]);
  };
  visit(fields, []);
  return out;
}

/** `.spec.jobTemplate.spec.template.spec.containers[name="main"].image`, as conflict causes print it. */
export function displayPath(p: FieldPath): string {
  return p
    .split(SEP)
    .filter((seg) => seg !== '.')
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const [[k, v]] = Object.entries(JSON.parse(seg.slice(2)) as Record<string, unknown>) as [[string, unknown]];
        return `[${k}=${JSON.stringify(v)}]`;
      }
      return seg;
    })
    .join('');
}

/** Removes the field at `p` from `obj`; drops a keyed list element and maps emptied by it. */
export function removeField(obj: JsonObject, p: FieldPath): void {
  const segs = p.split(SEP).filter((s) => s !== '.');
  const chain: { container: JsonObject | JsonObject[]; key: string | number }[] = [];
  let node: unknown = obj;
  for (const seg of segs) {
    if (seg.startsWith('f:') && isPlainObject(node)) {
      chain.push({ container: node, key: seg.slice(2) });
      node = node[seg.slice(2)];
    } else if (seg.startsWith('k:') && Array.isArray(node)) {
      const want = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const [[k, v]] = Object.entries(want) as [[string, unknown]];
      const idx = (node as JsonObject[]).findIndex((x) => isPlainObject(x) && JSON.stringify(x[k]) === JSON.stringify(v));
      if (idx < 0) return;
      chain.push({ container: node as JsonObject[], key: idx });
      node = (node as JsonObject[])[idx];
    } else {
      return;
    }
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { container, key } = chain[i]!;
    if (i === chain.length - 1) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      continue;
    }
    const child = Array.isArray(container) ? container[key as number] : container[key as string];
    const emptied = (isPlainObject(child) && Object.keys(child).length === 0) || (Array.isArray(child) && child.length === 0);
    // A list element that lost its key field is gone as a whole.
    const next = chain[i + 1]!;
    const lostKey = Array.isArray(container) && typeof next.key === 'string' && isPlainObject(child)
      && Object.values(MERGE_KEYS).includes(next.key) && child[next.key] === undefined;
    if (!emptied && !lostKey) break;
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  }
}

export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: JsonObject;
  readonly subresource?: string;
}

export interface Owner {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly subresource?: string;
  readonly apiVersion: string;
  time: string;
  readonly fields: Set<FieldPath>;
  /** The entry this owner was read from; written back as is unless `touched`. */
  readonly source?: ManagedFieldsEntry;
  touched?: boolean;
}

export function readOwners(obj: JsonObject): Owner[] {
  // Only the store writes managedFields (every write replaces what a client sent).
  const entries = (fieldsOf(obj.metadata).managedFields ?? []) as ManagedFieldsEntry[];
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    subresource: e.subresource,
    apiVersion: e.apiVersion,
    time: e.time,
    fields: fromFieldsV1(e.fieldsV1),
    source: e,
  }));
}

export function writeOwners(owners: readonly Owner[]): ManagedFieldsEntry[] {
  return owners
    .filter((o) => o.fields.size > 0)
    .map((o) => o.source && !o.touched ? o.source : ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1([...o.fields].sort()),
      ...(o.subresource ? { subresource: o.subresource } : {}),
    }));
}

/** An Update (create, PUT, non-apply PATCH): the manager takes every field whose value it changed. */
export function recordUpdate(
  owners: Owner[], before: JsonObject | undefined, after: JsonObject, manager: string, apiVersion: string, time: string, part: 'main' | 'status',
): Owner[] {
  const old = before ? leafFields(before, part) : new Map<FieldPath, string>();
  const now = leafFields(after, part);
  const changed = [...now].filter(([p, v]) => old.get(p) !== v).map(([p]) => p);
  const gone = [...old.keys()].filter((p) => !now.has(p));
  const subresource = part === 'status' ? 'status' : undefined;
  const result = owners.map((o) => ({ ...o, fields: new Set(o.fields) }));
  for (const o of result) {
    const before = o.fields.size;
    for (const p of changed) if (!(o.manager === manager && o.operation === 'Update')) o.fields.delete(p);
    for (const p of gone) o.fields.delete(p);
    if (o.fields.size !== before) o.touched = true;
  }
  if (changed.length > 0) {
    let mine = result.find((o) => o.manager === manager && o.operation === 'Update' && o.subresource === subresource);
    if (!mine) {
      mine = { manager, operation: 'Update', subresource, apiVersion, time, fields: new Set() };
      result.push(mine);
    }
    mine.time = time;
    mine.touched = true;
    for (const p of changed) mine.fields.add(p);
  }
  return result;
}
