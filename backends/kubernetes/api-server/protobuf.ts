/**
 * Decodes the Kubernetes protobuf envelope for the one object kubectl builds itself that the
 * stand-in accepts: a batch/v1 Job (`kubectl create job x --from=cronjob/y`). The result is the
 * object kubectl would have sent as JSON, so it takes the ordinary create path.
 *
 * Field numbers are those of the generated.proto files of k8s.io/api (batch/v1, core/v1) and
 * k8s.io/apimachinery (meta/v1, resource). A field the table below does not know is answered
 * with 415 naming it, never dropped: the Job would otherwise be created without it.
 */
import { ApiError, badRequest, unsupportedMediaType } from './status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type WireType = 0 | 1 | 2 | 5;

export interface WireField {
  readonly number: number;
  readonly wireType: WireType;
  /** Wire type 0. */
  readonly varint?: bigint;
  /** Wire types 1, 2 and 5: the 8, n or 4 bytes. */
  readonly bytes?: Buffer;
}

/** The fields of one message in wire order; any wire type, no schema. */
export function readWireFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw badRequest('protobuf: truncated varint');
      if (shift > 63n) throw badRequest('protobuf: varint longer than 10 bytes');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  const take = (n: number): Buffer => {
    if (n < 0 || pos + n > buf.length) throw badRequest('protobuf: field runs past the end of its message');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw badRequest('protobuf: field number 0');
    switch (wireType) {
      case 0:
        fields.push({ number, wireType, varint: varint() });
        break;
      case 1:
        fields.push({ number, wireType, bytes: take(8) });
        break;
      case 2:
        fields.push({ number, wireType, bytes: take(Number(varint())) });
        break;
      case 5:
        fields.push({ number, wireType, bytes: take(4) });
        break;
      default:
        throw badRequest(`protobuf: unsupported wire type ${wireType} (field ${number})`);
    }
  }
  return fields;
}

/** A packed repeated scalar: varints back to back, no keys. */
function readPackedVarints(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let value = 0n;
  let shift = 0n;
  for (const b of buf) {
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      out.push(value);
      value = 0n;
      shift = 0n;
    } else if (shift > 63n) throw badRequest('protobuf: varint longer than 10 bytes');
  }
  if (shift !== 0n) throw badRequest('protobuf: truncated packed varint');
  return out;
}

/**
 * How a field becomes JSON. Go's JSON omits a non-pointer scalar's zero value (`omitempty`),
 * while gogo protobuf always writes it; a pointer (`optional` in Go terms) is written only when
 * set and then belongs in the JSON even when zero (`suspend: false`).
 */
type FieldKind =
  | { readonly kind: 'string'; readonly keep?: 'empty' | 'pointer' }
  | { readonly kind: 'int' | 'bool'; readonly pointer?: boolean }
  | { readonly kind: 'message'; readonly message: MessageName; readonly inline?: boolean }
  | { readonly kind: 'time' }
  | { readonly kind: 'map'; readonly values: 'string' | 'quantity' };

type Field = FieldKind & { readonly json: string; readonly repeated?: boolean };

const s = (json: string): Field => ({ kind: 'string', json });
/** A string Go always writes (no omitempty), e.g. a container's name. */
const required = (json: string): Field => ({ kind: 'string', keep: 'empty', json });
const strPtr = (json: string): Field => ({ kind: 'string', keep: 'pointer', json });
const strings = (json: string): Field => ({ kind: 'string', keep: 'empty', json, repeated: true });
const int = (json: string): Field => ({ kind: 'int', json });
const intPtr = (json: string): Field => ({ kind: 'int', pointer: true, json });
const bool = (json: string): Field => ({ kind: 'bool', json });
const boolPtr = (json: string): Field => ({ kind: 'bool', pointer: true, json });
const msg = (json: string, message: MessageName): Field => ({ kind: 'message', message, json });
const msgs = (json: string, message: MessageName): Field => ({ kind: 'message', message, json, repeated: true });
const inline = (message: MessageName): Field => ({ kind: 'message', message, inline: true, json: '' });
const time = (json: string): Field => ({ kind: 'time', json });
const map = (json: string, values: 'string' | 'quantity' = 'string'): Field => ({ kind: 'map', values, json });

type MessageName =
  | 'Job' | 'ObjectMeta' | 'OwnerReference' | 'JobSpec' | 'JobStatus' | 'PodTemplateSpec' | 'PodSpec'
  | 'Container' | 'EnvVar' | 'EnvVarSource' | 'EnvFromSource' | 'ConfigMapEnvSource' | 'SecretEnvSource'
  | 'ObjectFieldSelector' | 'ConfigMapKeySelector' | 'SecretKeySelector' | 'LocalObjectReference'
  | 'ResourceRequirements' | 'PodSecurityContext' | 'SecurityContext' | 'Capabilities' | 'SeccompProfile';

const SCHEMA: Record<MessageName, Readonly<Record<number, Field>>> = {
  Job: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'JobSpec'), 3: msg('status', 'JobStatus') },
  ObjectMeta: {
    1: s('name'), 2: s('generateName'), 3: s('namespace'), 4: s('selfLink'), 5: s('uid'), 6: s('resourceVersion'),
    7: int('generation'), 8: time('creationTimestamp'), 9: time('deletionTimestamp'), 10: intPtr('deletionGracePeriodSeconds'),
    11: map('labels'), 12: map('annotations'), 13: msgs('ownerReferences', 'OwnerReference'), 14: strings('finalizers'),
  },
  OwnerReference: {
    5: required('apiVersion'), 1: required('kind'), 3: required('name'), 4: required('uid'),
    6: boolPtr('controller'), 7: boolPtr('blockOwnerDeletion'),
  },
  JobSpec: {
    1: intPtr('parallelism'), 2: intPtr('completions'), 3: intPtr('activeDeadlineSeconds'), 5: boolPtr('manualSelector'),
    6: msg('template', 'PodTemplateSpec'), 7: intPtr('backoffLimit'), 8: intPtr('ttlSecondsAfterFinished'),
    9: strPtr('completionMode'), 10: boolPtr('suspend'), 12: intPtr('backoffLimitPerIndex'), 13: intPtr('maxFailedIndexes'),
    14: strPtr('podReplacementPolicy'), 15: strPtr('managedBy'),
  },
  JobStatus: {
    2: time('startTime'), 3: time('completionTime'), 4: int('active'), 5: int('succeeded'), 6: int('failed'),
    7: s('completedIndexes'), 9: intPtr('ready'), 10: strPtr('failedIndexes'), 11: intPtr('terminating'),
  },
  PodTemplateSpec: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec') },
  PodSpec: {
    2: msgs('containers', 'Container'), 3: s('restartPolicy'), 4: intPtr('terminationGracePeriodSeconds'),
    5: intPtr('activeDeadlineSeconds'), 6: s('dnsPolicy'), 7: map('nodeSelector'), 8: s('serviceAccountName'),
    9: s('serviceAccount'), 10: s('nodeName'), 11: bool('hostNetwork'), 12: bool('hostPID'), 13: bool('hostIPC'),
    14: msg('securityContext', 'PodSecurityContext'), 15: msgs('imagePullSecrets', 'LocalObjectReference'),
    16: s('hostname'), 17: s('subdomain'), 19: s('schedulerName'), 20: msgs('initContainers', 'Container'),
    21: boolPtr('automountServiceAccountToken'), 24: s('priorityClassName'), 25: intPtr('priority'),
    27: boolPtr('shareProcessNamespace'), 29: strPtr('runtimeClassName'), 30: boolPtr('enableServiceLinks'),
    31: strPtr('preemptionPolicy'), 35: boolPtr('setHostnameAsFQDN'), 37: boolPtr('hostUsers'),
  },
  Container: {
    1: required('name'), 2: s('image'), 3: strings('command'), 4: strings('args'), 5: s('workingDir'),
    7: msgs('env', 'EnvVar'), 8: msg('resources', 'ResourceRequirements'), 13: s('terminationMessagePath'),
    14: s('imagePullPolicy'), 15: msg('securityContext', 'SecurityContext'), 16: bool('stdin'), 17: bool('stdinOnce'),
    18: bool('tty'), 19: msgs('envFrom', 'EnvFromSource'), 20: s('terminationMessagePolicy'),
  },
  EnvVar: { 1: required('name'), 2: s('value'), 3: msg('valueFrom', 'EnvVarSource') },
  EnvVarSource: {
    1: msg('fieldRef', 'ObjectFieldSelector'), 3: msg('configMapKeyRef', 'ConfigMapKeySelector'),
    4: msg('secretKeyRef', 'SecretKeySelector'),
  },
  EnvFromSource: { 1: s('prefix'), 2: msg('configMapRef', 'ConfigMapEnvSource'), 3: msg('secretRef', 'SecretEnvSource') },
  ConfigMapEnvSource: { 1: inline('LocalObjectReference'), 2: boolPtr('optional') },
  SecretEnvSource: { 1: inline('LocalObjectReference'), 2: boolPtr('optional') },
  ObjectFieldSelector: { 1: s('apiVersion'), 2: required('fieldPath') },
  ConfigMapKeySelector: { 1: inline('LocalObjectReference'), 2: required('key'), 3: boolPtr('optional') },
  SecretKeySelector: { 1: inline('LocalObjectReference'), 2: required('key'), 3: boolPtr('optional') },
  LocalObjectReference: { 1: s('name') },
  ResourceRequirements: { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') },
  PodSecurityContext: {
    2: intPtr('runAsUser'), 3: boolPtr('runAsNonRoot'), 4: { kind: 'int', json: 'supplementalGroups', repeated: true },
    5: intPtr('fsGroup'), 6: intPtr('runAsGroup'), 9: strPtr('fsGroupChangePolicy'), 10: msg('seccompProfile', 'SeccompProfile'),
    12: strPtr('supplementalGroupsPolicy'),
  },
  SecurityContext: {
    1: msg('capabilities', 'Capabilities'), 2: boolPtr('privileged'), 4: intPtr('runAsUser'), 5: boolPtr('runAsNonRoot'),
    6: boolPtr('readOnlyRootFilesystem'), 7: boolPtr('allowPrivilegeEscalation'), 8: intPtr('runAsGroup'),
    9: strPtr('procMount'), 11: msg('seccompProfile', 'SeccompProfile'),
  },
  Capabilities: { 1: strings('add'), 2: strings('drop') },
  SeccompProfile: { 1: required('type'), 2: strPtr('localhostProfile') },
};

/** The kinds whose protobuf the stand-in decodes, by `apiVersion/kind`. */
const ROOTS: Readonly<Record<string, MessageName>> = { 'batch/v1/Job': 'Job' };

const HINT = 'write the object to a file (e.g. kubectl create job ... --dry-run=client -o yaml > job.yaml) and use kubectl create -f job.yaml, which sends JSON/YAML';

function unsupported(message: string): ApiError {
  return new ApiError({ ...unsupportedMediaType('application/vnd.kubernetes.protobuf').body, message });
}

function expectWireType(f: WireField, want: WireType, where: string): void {
  if (f.wireType !== want) throw badRequest(`protobuf: ${where} (field ${f.number}) has wire type ${f.wireType}, expected ${want}`);
}

function toInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function utf8(f: WireField, where: string): string {
  expectWireType(f, 2, where);
  return f.bytes!.toString('utf8');
}

/** metav1.Time: seconds and nanos; the zero time is `null` in JSON, otherwise RFC 3339 to the second. */
function decodeTime(bytes: Buffer): string | null {
  let seconds = 0;
  for (const f of readWireFields(bytes)) {
    if (f.number === 1) {
      expectWireType(f, 0, 'Time.seconds');
      seconds = toInt(f.varint!);
    } else if (f.number === 2) expectWireType(f, 0, 'Time.nanos');
    else throw unsupported(`the sandbox API server cannot decode protobuf field number ${f.number} of message Time; ${HINT}`);
  }
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity: one string, field 1. */
function decodeQuantity(bytes: Buffer): string {
  let value = '';
  for (const f of readWireFields(bytes)) {
    if (f.number !== 1) throw unsupported(`the sandbox API server cannot decode protobuf field number ${f.number} of message Quantity; ${HINT}`);
    value = utf8(f, 'Quantity.string');
  }
  return value;
}

function decodeMapEntry(bytes: Buffer, values: 'string' | 'quantity', where: string): [string, string] {
  let key = '';
  let value = '';
  for (const f of readWireFields(bytes)) {
    if (f.number === 1) key = utf8(f, `${where} key`);
    else if (f.number === 2) {
      if (values === 'quantity') {
        expectWireType(f, 2, `${where} value`);
        value = decodeQuantity(f.bytes!);
      } else value = utf8(f, `${where} value`);
    } else throw badRequest(`protobuf: ${where} entry has field ${f.number}`);
  }
  return [key, value];
}

function decodeMessage(name: MessageName, bytes: Buffer): Record<string, unknown> {
  const schema = SCHEMA[name];
  const out: Record<string, unknown> = {};
  const push = (json: string, v: unknown) => ((out[json] ??= []) as unknown[]).push(v);
  for (const f of readWireFields(bytes)) {
    const field = schema[f.number];
    if (!field) {
      throw unsupported(`the sandbox API server cannot decode protobuf field number ${f.number} of message ${name} (it models only the fields kubectl create job --from needs for a plain Job); ${HINT}`);
    }
    const where = `${name}.${field.json || 'inline'}`;
    switch (field.kind) {
      case 'string': {
        const v = utf8(f, where);
        if (field.repeated) push(field.json, v);
        else if (v !== '' || field.keep) out[field.json] = v;
        break;
      }
      case 'int':
      case 'bool': {
        const convert = (raw: bigint) => (field.kind === 'bool' ? raw !== 0n : toInt(raw));
        if (f.wireType === 2 && field.repeated) {
          for (const v of readPackedVarints(f.bytes!)) push(field.json, convert(v));
          break;
        }
        expectWireType(f, 0, where);
        const v = convert(f.varint!);
        if (field.repeated) push(field.json, v);
        else if (field.pointer || (v !== 0 && v !== false)) out[field.json] = v;
        break;
      }
      case 'time':
        expectWireType(f, 2, where);
        out[field.json] = decodeTime(f.bytes!);
        break;
      case 'map': {
        expectWireType(f, 2, where);
        const [k, v] = decodeMapEntry(f.bytes!, field.values, where);
        ((out[field.json] ??= {}) as Record<string, string>)[k] = v;
        break;
      }
      case 'message': {
        expectWireType(f, 2, where);
        const v = decodeMessage(field.message, f.bytes!);
        if (field.inline) Object.assign(out, v);
        else if (field.repeated) push(field.json, v);
        else out[field.json] = v;
        break;
      }
    }
  }
  return out;
}

/**
 * The JSON-shaped object inside a `k8s\0` + runtime.Unknown body. Throws 415 for a kind or a
 * field the stand-in does not model, 400 for a body that is not valid protobuf.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest('the request body is not a Kubernetes protobuf object: it does not start with "k8s" and a NUL byte');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  let contentEncoding = '';
  for (const f of readWireFields(body.subarray(MAGIC.length))) {
    if (f.number === 1) {
      expectWireType(f, 2, 'Unknown.typeMeta');
      for (const t of readWireFields(f.bytes!)) {
        if (t.number === 1) apiVersion = utf8(t, 'TypeMeta.apiVersion');
        else if (t.number === 2) kind = utf8(t, 'TypeMeta.kind');
        else throw unsupported(`the sandbox API server cannot decode protobuf field number ${t.number} of message TypeMeta; ${HINT}`);
      }
    } else if (f.number === 2) {
      expectWireType(f, 2, 'Unknown.raw');
      raw = f.bytes!;
    } else if (f.number === 3) contentEncoding = utf8(f, 'Unknown.contentEncoding');
    else if (f.number === 4) utf8(f, 'Unknown.contentType');
    else throw unsupported(`the sandbox API server cannot decode protobuf field number ${f.number} of message Unknown; ${HINT}`);
  }
  if (contentEncoding !== '') throw unsupported(`the sandbox API server cannot decode protobuf with contentEncoding ${JSON.stringify(contentEncoding)}; ${HINT}`);
  const root = ROOTS[`${apiVersion}/${kind}`];
  if (!root) {
    throw unsupported(`the sandbox API server decodes protobuf only for batch/v1 Job (kubectl create job --from), not ${apiVersion || '?'} ${kind || '?'}; write the object to a file and use kubectl create -f with JSON or YAML`);
  }
  return { kind, apiVersion, ...decodeMessage(root, raw ?? Buffer.alloc(0)) };
}
