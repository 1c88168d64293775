/**
 * The object store behind the stand-in: what kube-apiserver plus etcd do for one write —
 * server-set metadata, defaults, validation, optimistic concurrency, field ownership, watch
 * events, and garbage collection of owned objects on delete.
 */
import { randomUUID } from 'node:crypto';
import { toRfc3339 } from '../../../src/core/time.js';
import type { Clock } from '../../../src/core/clock.js';
import { defaultCronJob, defaultJob } from '../defaults.js';
import {
  displayPath, leafFields, readOwners, recordUpdate, removeField, writeOwners, type Owner,
} from './fields.js';
import { clone, deepEqual, fieldsOf, isPlainObject, jsonMergePatch, jsonPatch, objectsOf, PatchError, stripDirectives, strategicMergePatch } from './patch.js';
import { apiVersionOf, CONFIGMAPS, CRONJOBS, JOBS, NAMESPACES, PODS, RESOURCES, type JsonObject, type KObject, type ResourceType } from './resources.js';
import { alreadyExists, applyConflict, ApiError, badRequest, conflict, invalid, notFound, unprocessable, unsupportedMediaType } from './status.js';
import { validateObject } from './validation.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly resource: ResourceType;
  /** With kind and apiVersion, as watch events carry it. */
  readonly object: KObject;
  readonly resourceVersion: number;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface WriteOptions {
  readonly manager: string;
  readonly dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  switch (ct) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/json-patch+json':
      return 'json';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply';
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

const HISTORY = 2000;

function key(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

function metadataOf(o: JsonObject): JsonObject {
  return isPlainObject(o.metadata) ? o.metadata : (o.metadata = {});
}

/** `o` once the store has set its identity; an object without it is a bug in the store. */
function storedObject(o: JsonObject): KObject {
  const meta = o.metadata;
  if (!isPlainObject(meta) || typeof meta.name !== 'string' || typeof meta.uid !== 'string' || typeof meta.creationTimestamp !== 'string') {
    throw new Error('the store was about to keep an object without its name, uid or creationTimestamp');
  }
  const { name, uid, creationTimestamp } = meta;
  return { ...o, metadata: Object.assign(meta, { name, uid, creationTimestamp }) };
}

/** Equal apart from bookkeeping (managedFields, resourceVersion): such a write is a no-op. */
function sameContent(a: KObject, b: KObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k !== 'metadata') {
      if (!deepEqual(a[k], b[k])) return false;
      continue;
    }
    const ma: JsonObject = a.metadata;
    const mb: JsonObject = b.metadata;
    for (const mk of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
      if (mk === 'managedFields' || mk === 'resourceVersion') continue;
      if (!deepEqual(ma[mk], mb[mk])) return false;
    }
  }
  return true;
}

export class ObjectStore {
  private readonly objects = new Map<ResourceType, Map<string, KObject>>(RESOURCES.map((r) => [r, new Map()]));
  private rv = 1;
  private readonly history: StoreEvent[] = [];
  private readonly listeners: ((e: StoreEvent) => void)[] = [];
  /** Stored objects are never mutated (every write stores a new one), so their JSON can be cached. */
  private readonly jsonCache = new WeakMap<KObject, Buffer>();
  private readonly sortedCache = new Map<ResourceType, KObject[]>();

  constructor(private readonly clock: Clock) {
    this.ensureNamespace('default');
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestWatchable(): number {
    return this.history.length === HISTORY ? this.history[0]!.resourceVersion : 0;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  eventsSince(rv: number): readonly StoreEvent[] {
    return this.history.filter((e) => e.resourceVersion > rv);
  }

  get(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    return this.objects.get(r)!.get(key(r.namespaced ? ns : undefined, name));
  }

  mustGet(r: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.get(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  /** Sorted by namespace and name, as etcd's key order lists them. */
  list(r: ResourceType, ns?: string): KObject[] {
    let sorted = this.sortedCache.get(r);
    if (!sorted) {
      sorted = [...this.objects.get(r)!.values()].sort((a, b) => {
        const ka = key(a.metadata.namespace, a.metadata.name);
        const kb = key(b.metadata.namespace, b.metadata.name);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
      this.sortedCache.set(r, sorted);
    }
    return ns && r.namespaced ? sorted.filter((o) => o.metadata.namespace === ns) : [...sorted];
  }

  /**
   * The object's JSON as a list item (without kind and apiVersion), already encoded: a list is
   * these bytes joined, with no 15 MB string to build and encode again for every request.
   */
  json(obj: KObject): Buffer {
    let bytes = this.jsonCache.get(obj);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(obj));
      this.jsonCache.set(obj, bytes);
    }
    return bytes;
  }

  private put(r: ResourceType, obj: KObject): void {
    this.objects.get(r)!.set(key(obj.metadata.namespace, obj.metadata.name), obj);
    this.sortedCache.delete(r);
  }

  /** Every object of a kind, unsorted (for controllers that filter anyway). */
  values(r: ResourceType): KObject[] {
    return [...this.objects.get(r)!.values()];
  }

  count(r: ResourceType): number {
    return this.objects.get(r)!.size;
  }

  private now(): string {
    return toRfc3339(new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000));
  }

  private emit(type: EventType, r: ResourceType, obj: KObject): void {
    const event: StoreEvent = { type, resource: r, object: { apiVersion: apiVersionOf(r), kind: r.kind, ...obj }, resourceVersion: Number(obj.metadata.resourceVersion) };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of [...this.listeners]) l(event);
  }

  private ensureNamespace(name: string): void {
    if (this.get(NAMESPACES, undefined, name)) return;
    this.create(NAMESPACES, undefined, { metadata: { name } }, { manager: 'kube-apiserver' });
  }

  // ---- create ----------------------------------------------------------------------------

  create(r: ResourceType, ns: string | undefined, body: unknown, opts: WriteOptions): KObject {
    const obj = this.checkBody(r, body);
    const meta = metadataOf(obj);
    if (r.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
      if (!this.get(NAMESPACES, undefined, ns!)) throw notFound(NAMESPACES, ns!);
    } else delete meta.namespace;
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'managedFields', 'selfLink']) delete meta[f];
    this.resetStatus(r, obj);
    this.applyDefaults(r, obj);
    const errors = validateObject(r, obj);
    const name = meta.name;
    // A name that is not a string is among the errors.
    if (errors.length > 0 || typeof name !== 'string') throw invalid(r, typeof name === 'string' ? name : '', errors);
    if (this.get(r, ns, name)) throw alreadyExists(r, name);
    const uid = randomUUID();
    meta.uid = uid;
    meta.creationTimestamp = this.now();
    if (r.generation) meta.generation = 1;
    if (r === JOBS) this.jobSelector(obj, uid, name);
    const owners = recordUpdate([], undefined, obj, opts.manager, apiVersionOf(r), this.now(), 'main');
    const stored = storedObject(obj);
    this.setOwners(stored, owners);
    return this.commitCreate(r, stored, opts.dryRun);
  }

  private commitCreate(r: ResourceType, obj: KObject, dryRun?: boolean): KObject {
    if (dryRun) return this.withTypeMeta(r, obj);
    obj.metadata.resourceVersion = String(++this.rv);
    this.put(r, obj);
    this.emit('ADDED', r, obj);
    return this.withTypeMeta(r, obj);
  }

  private checkBody(r: ResourceType, body: unknown): JsonObject {
    if (!isPlainObject(body)) throw badRequest(`the body of the request was not a ${r.kind} object`);
    const obj = clone(body);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(r)) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(r)})`);
    }
    if (obj.kind !== undefined && obj.kind !== r.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${r.kind})`);
    }
    delete obj.apiVersion;
    delete obj.kind;
    if (r === CONFIGMAPS) decodeConfigMapData(obj);
    return obj;
  }

  private resetStatus(r: ResourceType, obj: JsonObject): void {
    if (!r.hasStatus) return;
    if (r === NAMESPACES) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    } else if (r === PODS) obj.status = { phase: 'Pending' };
    else obj.status = {};
  }

  private applyDefaults(r: ResourceType, obj: JsonObject): void {
    if (r === CRONJOBS) defaultCronJob(obj);
    if (r === JOBS) defaultJob(obj);
  }

  /** The Job's generated selector and the pod template labels that match it. */
  private jobSelector(job: JsonObject, uid: string, name: string): void {
    // Validation let only a Job with a spec and a pod template through.
    const spec = fieldsOf(job.spec);
    spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    spec.template ??= {};
    const template = fieldsOf(spec.template);
    template.metadata ??= {};
    const templateMeta = fieldsOf(template.metadata);
    templateMeta.labels = {
      ...fieldsOf(templateMeta.labels),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    const meta = metadataOf(job);
    meta.labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name, ...fieldsOf(meta.labels) };
  }

  private withTypeMeta(r: ResourceType, obj: KObject): KObject {
    return { apiVersion: apiVersionOf(r), kind: r.kind, ...clone(obj) };
  }

  private setOwners(obj: KObject, owners: readonly Owner[]): void {
    const entries = writeOwners(owners);
    if (entries.length > 0) obj.metadata.managedFields = entries;
    else delete obj.metadata.managedFields;
  }

  // ---- update ----------------------------------------------------------------------------

  /** PUT: the whole object; `metadata.resourceVersion`, when given, must be current. */
  replace(r: ResourceType, ns: string | undefined, name: string, body: unknown, part: 'main' | 'status', opts: WriteOptions): KObject {
    const old = this.mustGet(r, ns, name);
    const incoming = this.checkBody(r, body);
    const meta = metadataOf(incoming);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    if (r.namespaced && meta.namespace !== undefined && meta.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, name);
    const next = this.merged(r, old, incoming, part);
    return this.commitUpdate(r, old, next, recordUpdate(readOwners(old), old, next, opts.manager, apiVersionOf(r), this.now(), part), opts.dryRun);
  }

  patch(r: ResourceType, ns: string | undefined, name: string, type: PatchType, body: unknown, part: 'main' | 'status', opts: WriteOptions & { force?: boolean }): { object: KObject; created: boolean } {
    if (type === 'apply') return this.apply(r, ns, name, body, part, opts);
    const old = this.mustGet(r, ns, name);
    const base = this.withTypeMeta(r, old);
    let patched: unknown;
    try {
      if (type === 'merge') {
        if (!isPlainObject(body)) throw new PatchError('a merge patch must be a JSON object');
        patched = jsonMergePatch(base, body);
      } else if (type === 'strategic') patched = stripDirectives(strategicMergePatch(base, body));
      else patched = jsonPatch(base, body);
    } catch (err) {
      if (err instanceof PatchError) throw unprocessable(err.message);
      throw err;
    }
    const incoming = this.checkBody(r, patched);
    const meta = metadataOf(incoming);
    if (meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, name);
    const next = this.merged(r, old, incoming, part);
    const owners = recordUpdate(readOwners(old), old, next, opts.manager, apiVersionOf(r), this.now(), part);
    return { object: this.commitUpdate(r, old, next, owners, opts.dryRun), created: false };
  }

  /** Server-side apply: merge the applier's intent, track what it owns, refuse others' fields. */
  private apply(r: ResourceType, ns: string | undefined, name: string, body: unknown, part: 'main' | 'status', opts: WriteOptions & { force?: boolean }): { object: KObject; created: boolean } {
    if (!isPlainObject(body)) throw badRequest('the body of an apply request must be an object');
    if (body.apiVersion !== apiVersionOf(r) || body.kind !== r.kind) {
      throw badRequest(`the API version in the data (${String(body.apiVersion)}) and kind (${String(body.kind)}) do not match the expected ${apiVersionOf(r)} ${r.kind}`);
    }
    const config = fieldsOf(stripDirectives(this.checkBody(r, body)));
    const cmeta = metadataOf(config);
    if (cmeta.name !== undefined && cmeta.name !== name) throw badRequest(`the name of the object (${String(cmeta.name)}) does not match the name on the URL (${name})`);
    if (r.namespaced && cmeta.namespace !== undefined && cmeta.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const applied = leafFields(config, part);
    const old = this.get(r, ns, name);
    const time = this.now();
    const apiVersion = apiVersionOf(r);
    if (!old) {
      if (part === 'status') throw notFound(r, name);
      cmeta.name = name;
      const created = this.create(r, ns, config, { ...opts, dryRun: true });
      const obj = storedObject(this.checkBody(r, created));
      this.setOwners(obj, [{ manager: opts.manager, operation: 'Apply', apiVersion, time, fields: new Set(applied.keys()) }]);
      return { object: this.commitCreate(r, obj, opts.dryRun), created: true };
    }
    if (cmeta.resourceVersion !== undefined && cmeta.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, name);
    const subresource = part === 'status' ? 'status' : undefined;
    const live = leafFields(old, part);
    const owners: Owner[] = readOwners(old).map((o) => ({ ...o, fields: new Set(o.fields), touched: true }));
    const conflicts: { manager: string; apiVersion: string; field: string }[] = [];
    for (const o of owners) {
      if (o.manager === opts.manager && o.operation === 'Apply') continue;
      if (o.subresource !== subresource) continue;
      for (const [p, v] of applied) {
        if (o.fields.has(p) && live.has(p) && live.get(p) !== v) {
          if (opts.force) o.fields.delete(p);
          else conflicts.push({ manager: o.manager, apiVersion: o.apiVersion, field: displayPath(p) });
        }
      }
    }
    if (conflicts.length > 0) throw applyConflict(r, name, conflicts);
    let mine = owners.find((o) => o.manager === opts.manager && o.operation === 'Apply' && o.subresource === subresource);
    const previously = mine ? new Set(mine.fields) : new Set<string>();
    const base = this.withTypeMeta(r, old);
    const patched = this.checkBody(r, strategicMergePatch(base, { ...config, metadata: { ...cmeta, name } }));
    // Fields this applier set before and dropped now go, unless someone else also owns them.
    for (const p of previously) {
      if (applied.has(p)) continue;
      if (owners.some((o) => o !== mine && o.fields.has(p))) continue;
      removeField(patched, p);
    }
    const next = this.merged(r, old, patched, part);
    if (!mine) {
      mine = { manager: opts.manager, operation: 'Apply', subresource, apiVersion, time, fields: new Set() };
      owners.push(mine);
    }
    mine.fields.clear();
    for (const p of applied.keys()) mine.fields.add(p);
    mine.time = time;
    // Fields whose value this apply changed are no longer another manager's.
    const after = leafFields(next, part);
    for (const o of owners) {
      if (o === mine) continue;
      for (const p of [...o.fields]) if (!after.has(p) || (applied.has(p) && live.get(p) !== after.get(p))) o.fields.delete(p);
    }
    return { object: this.commitUpdate(r, old, next, owners, opts.dryRun), created: false };
  }

  /** The new object as the registry stores it: identity kept, the other half (spec/status) kept. */
  private merged(r: ResourceType, old: KObject, incoming: JsonObject, part: 'main' | 'status'): KObject {
    let next: JsonObject;
    if (part === 'status') {
      next = clone(old);
      next.status = clone(incoming.status ?? {});
    } else {
      next = clone(incoming);
      if (r.hasStatus) next.status = clone(old.status);
      else delete next.status;
      if (r === NAMESPACES) next.spec = clone(old.spec);
    }
    const meta = metadataOf(next);
    for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp']) {
      if (old.metadata[f] === undefined) delete meta[f];
      else meta[f] = old.metadata[f];
    }
    meta.resourceVersion = old.metadata.resourceVersion;
    this.applyDefaults(r, next);
    return storedObject(next);
  }

  private commitUpdate(r: ResourceType, old: KObject, next: KObject, owners: readonly Owner[], dryRun?: boolean): KObject {
    const errors = validateObject(r, next, old);
    if (errors.length > 0) throw invalid(r, old.metadata.name, errors);
    if (sameContent(old, next)) return this.withTypeMeta(r, old);
    this.setOwners(next, owners);
    if (r.generation && !deepEqual(old.spec, next.spec)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    if (dryRun) return this.withTypeMeta(r, next);
    next.metadata.resourceVersion = String(++this.rv);
    this.put(r, next);
    this.emit('MODIFIED', r, next);
    return this.withTypeMeta(r, next);
  }

  /** For the controllers: change status (or anything) without field tracking by a client. */
  writeStatus(r: ResourceType, ns: string | undefined, name: string, mutate: (o: KObject) => void, manager: string): KObject | undefined {
    const old = this.get(r, ns, name);
    if (!old) return undefined;
    const next = clone(old);
    mutate(next);
    if (sameContent(old, next)) return old;
    const owners = recordUpdate(readOwners(old), old, next, manager, apiVersionOf(r), this.now(), 'status');
    this.setOwners(next, owners);
    next.metadata.resourceVersion = String(++this.rv);
    this.put(r, next);
    this.emit('MODIFIED', r, next);
    return next;
  }

  // ---- delete ----------------------------------------------------------------------------

  /**
   * Deletes now, and garbage-collects dependents now (the real GC is asynchronous; doing it
   * synchronously means `kubectl delete --wait` finds the object gone at once).
   */
  delete(r: ResourceType, ns: string | undefined, name: string, opts: { propagationPolicy?: PropagationPolicy; preconditions?: JsonObject; dryRun?: boolean }): { object: KObject; deferred: boolean } {
    const old = this.mustGet(r, ns, name);
    const pre: JsonObject = opts.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== old.metadata.uid) {
      throw new ApiError({ ...conflict(r, name).body, message: `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${String(old.metadata.uid)}` });
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw new ApiError({ ...conflict(r, name).body, message: `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in meta: ${String(old.metadata.resourceVersion)}` });
    }
    // batch/v1 Jobs keep the v1 default of orphaning their Pods; everything else cascades.
    const policy = opts.propagationPolicy ?? (r === JOBS ? 'Orphan' : 'Background');
    const result = clone(old);
    if (policy !== 'Background') {
      result.metadata.deletionTimestamp = this.now();
      result.metadata.deletionGracePeriodSeconds = 0;
      const finalizers = result.metadata.finalizers;
      result.metadata.finalizers = [...(Array.isArray(finalizers) ? finalizers : []), policy === 'Foreground' ? 'foregroundDeletion' : 'orphan'];
    }
    if (opts.dryRun) return { object: this.withTypeMeta(r, result), deferred: policy !== 'Background' };
    this.removeDependents(old, policy);
    if (r === NAMESPACES) {
      for (const other of RESOURCES) {
        if (!other.namespaced) continue;
        for (const o of this.list(other, name)) this.remove(other, o);
      }
    }
    this.remove(r, old);
    return { object: this.withTypeMeta(r, result), deferred: policy !== 'Background' };
  }

  private remove(r: ResourceType, obj: KObject): void {
    const k = key(obj.metadata.namespace, obj.metadata.name);
    if (!this.objects.get(r)!.has(k)) return;
    this.objects.get(r)!.delete(k);
    this.sortedCache.delete(r);
    const gone = clone(obj);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', r, gone);
  }

  private removeDependents(owner: KObject, policy: PropagationPolicy): void {
    const uid = owner.metadata.uid;
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const dep of [...this.objects.get(r)!.values()]) {
        if (dep.metadata.namespace !== owner.metadata.namespace) continue;
        if (!objectsOf(dep.metadata.ownerReferences).some((ref) => ref.uid === uid)) continue;
        if (policy === 'Orphan') {
          this.writeStatus(r, dep.metadata.namespace, dep.metadata.name, (o) => {
            const rest = objectsOf(o.metadata.ownerReferences).filter((ref) => ref.uid !== uid);
            if (rest.length > 0) o.metadata.ownerReferences = rest;
            else delete o.metadata.ownerReferences;
          }, 'kube-controller-manager');
        } else {
          this.removeDependents(dep, 'Background');
          this.remove(r, dep);
        }
      }
    }
  }

  // ---- snapshot ----------------------------------------------------------------------------

  snapshot(): { resourceVersion: number; objects: { resource: string; object: KObject }[] } {
    const objects: { resource: string; object: KObject }[] = [];
    for (const [r, m] of this.objects) for (const o of m.values()) objects.push({ resource: `${r.plural}.${r.group}`, object: clone(o) });
    return { resourceVersion: this.rv, objects };
  }

  restore(state: unknown): void {
    if (!isPlainObject(state) || !Array.isArray(state.objects)) throw new Error('not a Kubernetes stand-in snapshot');
    for (const m of this.objects.values()) m.clear();
    this.sortedCache.clear();
    for (const { resource, object } of state.objects as { resource: string; object: KObject }[]) {
      const r = RESOURCES.find((x) => `${x.plural}.${x.group}` === resource);
      if (r) this.objects.get(r)!.set(key(object.metadata.namespace, object.metadata.name), clone(object));
    }
    this.rv = Math.max(this.rv, Number(state.resourceVersion) || 1);
    this.history.length = 0;
    this.ensureNamespace('default');
  }

  /** Creates an object on behalf of a controller (no client, no dry run). */
  createInternal(r: ResourceType, ns: string | undefined, body: unknown, manager: string): KObject {
    return this.create(r, ns, body, { manager });
  }
}

/**
 * What the apiserver's decoder does to a ConfigMap's maps before validation sees them: values
 * must be strings (a JSON null decodes to ""), binaryData base64. Anything else is a 400, as the
 * decoder answers it, not a 422.
 */
function decodeConfigMapData(cm: JsonObject): void {
  const refuse = (detail: string) => badRequest(`ConfigMap in version "v1" cannot be handled as a ConfigMap: ${detail}`);
  for (const field of ['data', 'binaryData'] as const) {
    const map = cm[field];
    if (map === undefined || map === null) continue;
    if (!isPlainObject(map)) throw refuse(`json: cannot unmarshal ${goJsonType(map)} into Go struct field ConfigMap.${field} of type map[string]${field === 'data' ? 'string' : '[]uint8'}`);
    for (const [key, value] of Object.entries(map)) {
      if (value === null) map[key] = '';
      else if (typeof value !== 'string') throw refuse(`json: cannot unmarshal ${goJsonType(value)} into Go struct field ConfigMap.${field} of type ${field === 'data' ? 'string' : '[]uint8'}`);
      else if (field === 'binaryData') {
        const bad = value.search(/[^A-Za-z0-9+/=]/);
        if (bad >= 0 || value.length % 4 !== 0) throw refuse(`illegal base64 data at input byte ${bad >= 0 ? bad : value.length - (value.length % 4)}`);
      }
    }
  }
}

/** How Go's encoding/json names a JSON value's type in an unmarshal error. */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The five characters Kubernetes appends to a generateName (its alphabet has no vowels). */
export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
