/**
 * The patch formats kube-apiserver accepts: RFC 7386 JSON merge patch, strategic merge patch
 * (with the merge keys of the core/batch Go types kubectl compiles in), and RFC 6902 JSON patch.
 */
import fastJsonPatch from 'fast-json-patch';
import type { JsonObject } from './resources.js';

/** List fields merged by a key (the `patchMergeKey` tags of the Go types), not replaced. */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  schedulingGates: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
};

/** Lists of primitives with `patchStrategy:"merge"`: a patch adds to them instead of replacing. */
const PRIMITIVE_MERGE = new Set(['finalizers']);

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a JSON object, else an empty one: for reading fields a client may have sent. */
export function fieldsOf(v: unknown): JsonObject {
  return isPlainObject(v) ? v : {};
}

/** The JSON objects in `v` when it is a list (others skipped), else none. */
export function objectsOf(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** A deep copy of JSON data (undefined members dropped, as JSON would). */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : clone(x))) as T;
  if (typeof v === 'object' && v !== null) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) {
      const x = (v as JsonObject)[k];
      if (x !== undefined) out[k] = clone(x);
    }
    return out as T;
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: JsonObject = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = jsonMergePatch(result[k], v);
  }
  return result;
}

export class PatchError extends Error {}

/** Strategic merge patch, as `strategicpatch.StrategicMergePatch` applies it to a map. */
export function strategicMergePatch(original: JsonObject, patch: unknown): JsonObject {
  if (!isPlainObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
  return mergeMap(original, patch) ?? {};
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return fieldsOf(stripDirectives(withoutKey(patch, '$patch')));
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)}`);
  const result: JsonObject = isPlainObject(original) ? clone(original) : {};
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field]) && Array.isArray(value)) {
        result[field] = (result[field] as unknown[]).filter((x) => !value.some((d) => deepEqual(d, x)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(key, result[key], value);
    } else if (isPlainObject(value)) {
      const merged = mergeMap(isPlainObject(result[key]) ? result[key] : undefined, value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  for (const [field, order] of orders) {
    if (Array.isArray(result[field])) result[field] = applyOrder(field, result[field] as unknown[], order);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k)) delete result[k];
  }
  return result;
}

function mergeList(field: string, original: unknown, patch: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  const replaceAll = patch.some((x) => isPlainObject(x) && x.$patch === 'replace' && (key === undefined || x[key] === undefined));
  if (replaceAll) {
    return patch.filter((x) => !(isPlainObject(x) && x.$patch === 'replace')).map(stripDirectives);
  }
  if (PRIMITIVE_MERGE.has(field) && patch.every((x) => !isPlainObject(x))) {
    const result = Array.isArray(original) ? [...(original as unknown[])] : [];
    for (const x of patch) if (!result.some((y) => deepEqual(x, y))) result.push(x);
    return result;
  }
  if (key === undefined || !patch.every(isPlainObject)) return patch.map(stripDirectives);
  const result: JsonObject[] = Array.isArray(original) ? clone(original as JsonObject[]) : [];
  for (const item of patch as JsonObject[]) {
    const idx = result.findIndex((x) => isPlainObject(x) && deepEqual(x[key], item[key]));
    if (item.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
      continue;
    }
    const merged = mergeMap(idx >= 0 ? result[idx] : undefined, item);
    if (merged === undefined) {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = merged;
    else result.push(merged);
  }
  return result;
}

/** `$setElementOrder`: listed elements take the given order; others keep theirs, after them. */
function applyOrder(field: string, list: unknown[], order: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  const sameElement = (a: unknown, b: unknown) =>
    key !== undefined && isPlainObject(a) && isPlainObject(b) ? deepEqual(a[key], b[key]) : deepEqual(a, b);
  const ordered: unknown[] = [];
  for (const o of order) {
    const hit = list.find((x) => sameElement(x, o) && !ordered.includes(x));
    if (hit !== undefined) ordered.push(hit);
  }
  return [...ordered, ...list.filter((x) => !ordered.includes(x))];
}

function withoutKey(o: JsonObject, key: string): JsonObject {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}

/** Patch directives never reach the stored object. */
export function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

/** RFC 6902, applied to a copy; throws PatchError with the operation that failed. */
export function jsonPatch(original: JsonObject, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const validationError = fastJsonPatch.validate(ops as fastJsonPatch.Operation[], original);
  if (validationError) throw new PatchError(jsonPatchMessage(validationError));
  try {
    // Not necessarily an object: an operation on the root path replaces the whole document.
    return fastJsonPatch.applyPatch<unknown>(clone(original), ops as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (err) {
    throw new PatchError(jsonPatchMessage(err));
  }
}

function jsonPatchMessage(err: unknown): string {
  if (err instanceof fastJsonPatch.JsonPatchError) {
    const op = err.operation as { op?: string; path?: string } | undefined;
    if (err.name === 'TEST_OPERATION_FAILED') return `the server rejected our request due to an error in our request: testing value ${op?.path ?? ''} failed`;
    if (err.name === 'OPERATION_PATH_UNRESOLVABLE') return `the server rejected our request due to an error in our request: ${op?.op ?? 'op'} operation does not apply: doc is missing path: "${op?.path ?? ''}"`;
    return `the server rejected our request due to an error in our request: ${err.message.split('\n')[0]}`;
  }
  return err instanceof Error ? err.message : String(err);
}
