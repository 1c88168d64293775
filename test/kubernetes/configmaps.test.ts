/**
 * ConfigMaps on the stand-in, as kube-apiserver serves them (core/v1, namespaced): CRUD, a stale
 * resourceVersion conflicts, `ValidateConfigMap`'s 422s (a name that is no DNS-1123 subdomain, a
 * bad key, more than 1 MiB of values), the decoder's 400, discovery, and the real kubectl's `get`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithKubectl, KUBECTL } from '../helpers/kubectl.js';
import { startHarness, type Harness } from './harness.js';

const CM = '/api/v1/namespaces/default/configmaps';
const LIMIT = 1024 * 1024;

let h: Harness;
beforeEach(async () => {
  h = await startHarness('2026-11-01T09:00:00Z');
});
afterEach(() => h.close());

/** A ConfigMap, a list of them or a Status, as the wire has it: each test reads the members it checks. */
interface Body {
  readonly kind?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly metadata: { readonly name: string; readonly resourceVersion: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly items?: readonly Body[];
  readonly details?: { readonly causes: readonly { readonly field: string; readonly message: string }[] };
}

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { 'Content-Type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
}

const configMap = (name: string, data: Record<string, unknown> = { a: '1' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data,
});

test('create, get, list by label, merge patch, delete; a missing one is 404', async () => {
  h.clock.advance(0.4);
  const created = await call('POST', CM, configMap('settings', { a: '1' }, { app: 'x' }));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', creationTimestamp: '2026-11-01T09:00:00Z' }, data: { a: '1' } });
  expect(created.body.metadata).not.toHaveProperty('generation');
  expect(created.body).not.toHaveProperty('status');
  await call('POST', CM, configMap('other'));
  expect((await call('GET', `${CM}/settings`)).body.data).toEqual({ a: '1' });
  const listed = await call('GET', `${CM}?labelSelector=app%3Dx`);
  expect([listed.body.kind, listed.body.items?.map((i) => i.metadata.name)]).toEqual(['ConfigMapList', ['settings']]);
  const patched = await call('PATCH', `${CM}/settings`, { data: { b: '2' } }, 'application/merge-patch+json');
  expect(patched.body.data).toEqual({ a: '1', b: '2' });
  const deleted = await call('DELETE', `${CM}/settings`);
  expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'settings', kind: 'configmaps' } });
  expect((await call('GET', `${CM}/settings`)).body).toEqual({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "settings" not found', reason: 'NotFound', details: { name: 'settings', kind: 'configmaps' }, code: 404,
  });
});

test('PUT with a stale resourceVersion is a 409 Conflict; with the current one, or none, it lands', async () => {
  const v1 = (await call('POST', CM, configMap('record'))).body;
  const v2 = await call('PUT', `${CM}/record`, { ...v1, data: { a: '2' } });
  expect(v2.status).toBe(200);
  expect(Number(v2.body.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
  const stale = await call('PUT', `${CM}/record`, { ...v1, data: { a: '3' } });
  expect([stale.status, stale.body.reason, stale.body.message]).toEqual([409, 'Conflict',
    'Operation cannot be fulfilled on configmaps "record": the object has been modified; please apply your changes to the latest version and try again']);
  expect((await call('GET', `${CM}/record`)).body.data).toEqual({ a: '2' });
  expect((await call('PUT', `${CM}/record`, { ...v2.body, data: { a: '4' } })).status).toBe(200);
  const blind = { ...v1, metadata: { name: 'record' }, data: { a: '5' } };
  expect((await call('PUT', `${CM}/record`, blind)).status).toBe(200);
  // A stale resourceVersion in a patch conflicts too.
  const stalePatch = await call('PATCH', `${CM}/record`, { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { a: '6' } }, 'application/merge-patch+json');
  expect(stalePatch.status).toBe(409);
});

test('a name that is not a DNS-1123 subdomain is a 422', async () => {
  const r = await call('POST', CM, configMap('Moves_Of.job'));
  expect([r.status, r.body.reason]).toEqual([422, 'Invalid']);
  expect(r.body.message).toBe(
    'ConfigMap "Moves_Of.job" is invalid: metadata.name: Invalid value: "Moves_Of.job": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, ' +
      "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
  expect(r.body.details).toMatchObject({ name: 'Moves_Of.job', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] });
  expect((await call('GET', CM)).body.items).toEqual([]);
});

test('values over 1 MiB (1,048,576 bytes, data and binaryData together) are refused; exactly 1 MiB is not', async () => {
  expect((await call('POST', CM, configMap('full', { records: 'x'.repeat(LIMIT - 4), more: 'abcd' }))).status).toBe(201);
  const refused = await call('POST', CM, configMap('big', { records: 'x'.repeat(LIMIT), more: 'y' }));
  expect([refused.status, refused.body.reason, refused.body.message]).toEqual([422, 'Invalid', 'ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes']);
  expect(refused.body.details?.causes).toEqual([{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: '[]' }]);
  // Bytes, not characters: 524,289 two-byte characters are 1,048,578 bytes.
  expect((await call('POST', CM, configMap('wide', { records: 'é'.repeat(LIMIT / 2 + 1) }))).status).toBe(422);
  // binaryData counts its decoded bytes: 4 of base64 text are 3 bytes.
  const binary = { ...configMap('binary', { records: 'x'.repeat(LIMIT - 3) }), binaryData: { blob: Buffer.from('abcd').toString('base64') } };
  expect((await call('POST', CM, binary)).status).toBe(422);
  // An update or a patch that grows one past the limit is refused, and nothing changes.
  const full = (await call('GET', `${CM}/full`)).body;
  expect((await call('PUT', `${CM}/full`, { ...full, data: { ...full.data, one: 'z' } })).status).toBe(422);
  expect((await call('PATCH', `${CM}/full`, { data: { one: 'z' } }, 'application/merge-patch+json')).body.message).toBe('ConfigMap "full" is invalid: []: Too long: must have at most 1048576 bytes');
  expect((await call('GET', `${CM}/full`)).body.metadata.resourceVersion).toBe(full.metadata.resourceVersion);
});

test('a bad key is a 422; a value that is not a string is the decoder\'s 400', async () => {
  const key = await call('POST', CM, configMap('keys', { 'bad key': '1', '..dots': '2' }));
  expect([key.status, key.body.details?.causes.map((c) => c.field)]).toEqual([422, ['data[bad key]', 'data[..dots]']]);
  expect(key.body.details?.causes[0]?.message).toBe(
    `Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  );
  const typed = await call('POST', CM, configMap('typed', { count: 3 }));
  expect([typed.status, typed.body.message]).toEqual([400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string']);
});

test('discovery lists configmaps (cm) in the core group, namespaced', async () => {
  const legacy = (await (await fetch(`${h.url}/api/v1`)).json()) as { resources: { name: string }[] };
  expect(legacy.resources.find((r) => r.name === 'configmaps')).toMatchObject({ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', shortNames: ['cm'] });
  const res = await fetch(`${h.url}/api`, { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  const aggregated = (await res.json()) as { items: { versions: { resources: { resource: string; scope: string }[] }[] }[] };
  expect(aggregated.items[0]!.versions[0]!.resources.find((r) => r.resource === 'configmaps')).toMatchObject({ scope: 'Namespaced' });
});

describeWithKubectl('kubectl 1.32 against the stand-in: ConfigMaps', () => {
  test('kubectl get configmaps prints the table, and -o json the object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-cm-'));
    const kubectl = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(KUBECTL, ['--kubeconfig', h.kubeconfigPath, '--cache-dir', join(dir, `cache-${Math.random()}`), ...args], { env: { ...process.env, KUBECONFIG: '', HOME: dir }, timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr }),
        );
      });
    await call('POST', CM, configMap('migrate-moves-nightly', { 'records.jsonl': '{}\n' }, { 'app.kubernetes.io/managed-by': 'migrate' }));
    await call('POST', CM, configMap('settings', { a: '1', b: '2' }));
    h.clock.advance(90);
    const table = await kubectl('get', 'configmaps');
    expect([table.code, table.stderr]).toEqual([0, '']);
    expect(table.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^NAME\s+DATA\s+AGE$/),
      expect.stringMatching(/^migrate-moves-nightly\s+1\s+90s$/),
      expect.stringMatching(/^settings\s+2\s+90s$/),
    ]);
    const selected = await kubectl('get', 'cm', '-l', 'app.kubernetes.io/managed-by=migrate', '-o', 'name');
    expect(selected.stdout).toBe('configmap/migrate-moves-nightly\n');
    const json: unknown = JSON.parse((await kubectl('get', 'configmap', 'migrate-moves-nightly', '-o', 'json')).stdout);
    expect(json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'migrate-moves-nightly', namespace: 'default' }, data: { 'records.jsonl': '{}\n' } });
  });
});
