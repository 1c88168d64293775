/**
 * The protobuf decoder for `kubectl create job --from=cronjob/x`. The fixture is the body kubectl
 * 1.32 POSTed for test/fixtures/kubernetes-protobuf/create-job-from-cronjob.cronjob.yaml (saved
 * by a server that wrote request bodies to disk); the dry-run JSON is what the same kubectl printed
 * for `create job manual-1 --from=cronjob/db-backup --dry-run=client -o json`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeKubernetesProtobuf, readWireFields } from '../../backends/kubernetes/api-server/protobuf.js';
import { ApiError } from '../../backends/kubernetes/api-server/status.js';
import { startHarness, type Harness } from './harness.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'kubernetes-protobuf');
const capturedBody = Buffer.from(readFileSync(join(FIXTURES, 'create-job-from-cronjob.body.b64'), 'utf8').replace(/\s+/g, ''), 'base64');
const dryRunJson = JSON.parse(readFileSync(join(FIXTURES, 'create-job-from-cronjob.dry-run.json'), 'utf8'));

// A minimal protobuf writer for hand-made bodies.
function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const ld = (field: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([key(field, 2), varint(body.length), body]);
};
const str = (field: number, s: string) => ld(field, Buffer.from(s, 'utf8'));
const num = (field: number, n: number) => Buffer.concat([key(field, 0), varint(n)]);
function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), ld(1, str(1, apiVersion), str(2, kind)), ld(2, raw), str(3, ''), str(4, '')]);
}
/** Job{metadata{name}, spec{template{spec{...podSpec}}}} */
function job(name: string, podSpec: Buffer[], jobSpec: Buffer[] = []): Buffer {
  return Buffer.concat([ld(1, str(1, name)), ld(2, ...jobSpec, ld(6, ld(2, ...podSpec)))]);
}
const container = ld(2, str(1, 'main'), str(2, 'busybox:1.36'));

function decodeError(body: Buffer): ApiError {
  try {
    decodeKubernetesProtobuf(body);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the body to be refused');
}

describe('decoding', () => {
  test('the body kubectl sent decodes to the object kubectl prints as JSON for the same command', () => {
    expect(capturedBody.subarray(0, 4).toString('latin1')).toBe('k8s\0');
    expect(decodeKubernetesProtobuf(capturedBody)).toEqual(dryRunJson);
  });

  test('zero values: a pointer field set to zero is kept, a plain one is dropped like Go omitempty', () => {
    const decoded = decodeKubernetesProtobuf(envelope('batch/v1', 'Job', job('j', [container, num(11, 0), str(8, '')], [num(10, 0), num(7, 0)]))) as any;
    expect(decoded.spec.suspend).toBe(false);
    expect(decoded.spec.backoffLimit).toBe(0);
    expect(decoded.spec.template.spec).toEqual({ containers: [{ name: 'main', image: 'busybox:1.36' }] });
  });

  test('negative ints and every wire type are read', () => {
    const fields = readWireFields(Buffer.concat([
      num(1, -1),
      key(2, 1), Buffer.alloc(8, 0xab),
      str(3, 'x'),
      key(4, 5), Buffer.alloc(4, 0xcd),
    ]));
    expect(fields.map((f) => [f.number, f.wireType])).toEqual([[1, 0], [2, 1], [3, 2], [4, 5]]);
    expect(BigInt.asIntN(64, fields[0]!.varint!)).toBe(-1n);
    expect(fields[1]!.bytes).toEqual(Buffer.alloc(8, 0xab));
    expect(fields[3]!.bytes).toEqual(Buffer.alloc(4, 0xcd));
    const decoded = decodeKubernetesProtobuf(envelope('batch/v1', 'Job', job('j', [container, num(4, -5)]))) as any;
    expect(decoded.spec.template.spec.terminationGracePeriodSeconds).toBe(-5);
  });

  test('a field the schema does not model is a 415 naming the message and field number, never dropped', () => {
    const volumes = ld(1, str(1, 'scratch'), ld(2));
    const err = decodeError(envelope('batch/v1', 'Job', job('j', [volumes, container])));
    expect(err.body.code).toBe(415);
    expect(err.body.reason).toBe('UnsupportedMediaType');
    expect(err.body.message).toContain('field number 1 of message PodSpec');
    expect(err.body.message).toContain('kubectl create -f');
    const probe = ld(2, str(1, 'main'), ld(10, ld(1)));
    expect(decodeError(envelope('batch/v1', 'Job', job('j', [probe]))).body.message).toContain('field number 10 of message Container');
  });

  test('other kinds, encodings and non-protobuf bodies are refused', () => {
    expect(decodeError(envelope('batch/v1', 'CronJob', Buffer.alloc(0))).body).toMatchObject({ code: 415, message: expect.stringContaining('not batch/v1 CronJob') });
    const gz = Buffer.concat([Buffer.from('k8s\0', 'latin1'), ld(1, str(1, 'batch/v1'), str(2, 'Job')), str(3, 'gzip')]);
    expect(decodeError(gz).body).toMatchObject({ code: 415, message: expect.stringContaining('contentEncoding "gzip"') });
    expect(decodeError(Buffer.from('{"kind":"Job"}')).body.code).toBe(400);
    expect(decodeError(Buffer.concat([Buffer.from('k8s\0', 'latin1'), key(2, 2), varint(50)])).body).toMatchObject({ code: 400, message: expect.stringContaining('runs past the end') });
  });
});

describe('over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness('2026-11-01T09:00:00Z');
  });
  afterEach(() => h.close());

  async function post(body: Buffer): Promise<{ status: number; body: any; contentType: string }> {
    const res = await fetch(`${h.url}/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/vnd.kubernetes.protobuf,application/json' },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: JSON.parse(await res.text()), contentType: res.headers.get('content-type') ?? '' };
  }

  test('a protobuf Job is created like a JSON one and answered in JSON', async () => {
    const res = await post(envelope('batch/v1', 'Job', job('adhoc', [container, str(3, 'Never')])));
    expect(res.status).toBe(201);
    expect(res.contentType).toContain('application/json');
    expect(res.body.metadata).toMatchObject({ name: 'adhoc', namespace: 'default', generation: 1 });
    expect(res.body.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl-create', 'Update']]);
    expect(res.body.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    expect(h.ledger.all()).toEqual([expect.objectContaining({ job: 'adhoc', scheduledFor: null })]);
  });

  test('an unmodelled field is a 415 and nothing is created', async () => {
    const res = await post(envelope('batch/v1', 'Job', job('vol', [ld(1, str(1, 'scratch')), container, str(3, 'Never')])));
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ kind: 'Status', code: 415, reason: 'UnsupportedMediaType' });
    expect(res.body.message).toContain('field number 1 of message PodSpec');
    const list = await fetch(`${h.url}/apis/batch/v1/namespaces/default/jobs`).then((r) => r.json());
    expect(list.items).toEqual([]);
    expect(h.ledger.all()).toEqual([]);
  });
});
