/**
 * The real kubectl 1.32 against the stand-in. kubectl is installed on CI; there a missing kubectl
 * fails the suite. Elsewhere the suite is skipped with a printed reason.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startHarness, type Harness } from './harness.js';
import { describeWithKubectl, KUBECTL } from '../helpers/kubectl.js';

const PROTOBUF_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'kubernetes-protobuf');


interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let h: Harness;
let dir: string;
let runs = 0;

/** One kubectl invocation with a fresh --cache-dir (the dispatcher caches /version). */
function kubectl(...args: string[]): Promise<Run> {
  const cacheDir = join(dir, `cache-${runs++}`);
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', h.kubeconfigPath, '--cache-dir', cacheDir, ...args], { env: { ...process.env, KUBECONFIG: '', HOME: dir }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function manifest(name: string, opts: { env?: string; schedule?: string; restartPolicy?: string } = {}): string {
  const path = join(dir, `${name}-${runs}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, YAML.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: opts.schedule ?? '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: {
        restartPolicy: opts.restartPolicy ?? 'OnFailure',
        containers: [{ name: 'main', image: 'busybox:1.36', env: [{ name: 'LEVEL', value: opts.env ?? '1' }] }],
      } } } },
    },
  }));
  return path;
}

describeWithKubectl('kubectl 1.32 against the stand-in', () => {
  beforeAll(async () => {
    h = await startHarness('2026-11-01T09:00:00Z');
    dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
  });
  afterAll(() => h?.close());

  test('version shows the server as 1.32', async () => {
    const r = await kubectl('version');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Server Version: v1.32.0-migrate-sandbox');
  });

  test('apply creates; get prints the table, JSON and YAML', async () => {
    const created = await kubectl('apply', '-f', manifest('nightly'));
    expect([created.code, created.stdout.trim()]).toEqual([0, 'cronjob.batch/nightly created']);
    h.clock.advance(90);
    const table = await kubectl('get', 'cronjobs');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    expect(table.stdout.split('\n')[1]).toMatch(/^nightly\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+90s$/);
    const json = JSON.parse((await kubectl('get', 'cronjob', 'nightly', '-o', 'json')).stdout);
    expect(json.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(json.metadata.creationTimestamp).toBe('2026-11-01T09:00:00Z');
    const yaml = YAML.parse((await kubectl('get', 'cj', 'nightly', '-o', 'yaml')).stdout);
    expect(yaml.metadata.uid).toBe(json.metadata.uid);
  });

  test('diff: exit 0 when unchanged, 1 with the change shown, and nothing persisted', async () => {
    const same = await kubectl('diff', '-f', manifest('nightly'));
    expect([same.code, same.stdout]).toEqual([0, '']);
    const changed = await kubectl('diff', '-f', manifest('nightly', { env: '2' }));
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^-\s+value: "1"$/m);
    expect(changed.stdout).toMatch(/^\+\s+value: "2"$/m);
    const live = JSON.parse((await kubectl('get', 'cj', 'nightly', '-o', 'json')).stdout);
    expect(live.spec.jobTemplate.spec.template.spec.containers[0].env).toEqual([{ name: 'LEVEL', value: '1' }]);
  });

  test('client-side apply is a strategic merge: args set by someone else survive an env change', async () => {
    const patched = await kubectl('patch', 'cronjob', 'nightly', '-p', JSON.stringify({ spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'main', args: ['--fast'] }] } } } } } }));
    expect(patched.stdout.trim()).toBe('cronjob.batch/nightly patched');
    const applied = await kubectl('apply', '-f', manifest('nightly', { env: '2' }));
    expect(applied.stdout.trim()).toBe('cronjob.batch/nightly configured');
    const live = JSON.parse((await kubectl('get', 'cj', 'nightly', '-o', 'json')).stdout);
    const container = live.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.args).toEqual(['--fast']);
    expect(container.env).toEqual([{ name: 'LEVEL', value: '2' }]);
    expect(live.metadata.generation).toBe(3);
    expect((await kubectl('apply', '-f', manifest('nightly', { env: '2' }))).stdout.trim()).toBe('cronjob.batch/nightly unchanged');
  });

  test('patch: strategic, merge and json; a no-op says so', async () => {
    expect((await kubectl('patch', 'cj', 'nightly', '-p', '{"spec":{"suspend":true}}')).stdout.trim()).toBe('cronjob.batch/nightly patched');
    expect((await kubectl('patch', 'cj', 'nightly', '-p', '{"spec":{"suspend":true}}')).stdout.trim()).toBe('cronjob.batch/nightly patched (no change)');
    expect((await kubectl('patch', 'cj', 'nightly', '--type=merge', '-p', '{"spec":{"suspend":false}}')).code).toBe(0);
    expect((await kubectl('patch', 'cj', 'nightly', '--type=json', '-p', '[{"op":"replace","path":"/spec/schedule","value":"0 * * * *"}]')).code).toBe(0);
    const live = JSON.parse((await kubectl('get', 'cj', 'nightly', '-o', 'json')).stdout);
    expect([live.spec.suspend, live.spec.schedule]).toEqual([false, '0 * * * *']);
    const missing = await kubectl('patch', 'cj', 'ghost', '-p', '{"spec":{"suspend":true}}');
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'Error from server (NotFound): cronjobs.batch "ghost" not found']);
  });

  test('apply --server-side creates and re-applies, owned by the kubectl field manager', async () => {
    const first = await kubectl('apply', '--server-side', '-f', manifest('ssa'));
    expect([first.code, first.stdout.trim()]).toEqual([0, 'cronjob.batch/ssa serverside-applied']);
    const again = await kubectl('apply', '--server-side', '-f', manifest('ssa', { schedule: '15 * * * *' }));
    expect(again.stdout.trim()).toBe('cronjob.batch/ssa serverside-applied');
    const live = JSON.parse((await kubectl('get', 'cj', 'ssa', '-o', 'json', '--show-managed-fields')).stdout);
    expect(live.spec.schedule).toBe('15 * * * *');
    expect(live.metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation])).toEqual([['kubectl', 'Apply']]);
  });

  test('create of invalid objects fails with the real error text', async () => {
    const bad = await kubectl('create', '-f', manifest('bad', { schedule: '61 * * * *', restartPolicy: 'Always' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe([
      'The CronJob "bad" is invalid: ',
      '* spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      '* spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      '',
    ].join('\n'));
    const tz = await kubectl('create', '-f', manifest('tz', { schedule: 'TZ=UTC 0 * * * *' }));
    expect(tz.stderr.trim()).toBe('The CronJob "tz" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    const long = 'a'.repeat(53);
    const tooLong = await kubectl('create', '-f', manifest(long));
    expect(tooLong.stderr.trim()).toBe(`The CronJob "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 52 characters`);
    const dup = await kubectl('create', '-f', manifest('nightly'));
    expect(dup.stderr.trim()).toBe('Error from server (AlreadyExists): error when creating "' + dup.stderr.match(/"([^"]+\.yaml)"/)![1] + '": cronjobs.batch "nightly" already exists');
  });

  test('delete removes the CronJob with its Jobs; a second delete is NotFound', async () => {
    h.clock.advance(3600); // the 10:00 slot of "0 * * * *" runs
    expect(JSON.parse((await kubectl('get', 'jobs', '-o', 'json')).stdout).items.length).toBeGreaterThan(0);
    const del = await kubectl('delete', 'cronjob', 'nightly');
    expect([del.code, del.stdout.trim()]).toEqual([0, 'cronjob.batch "nightly" deleted']);
    const jobs = JSON.parse((await kubectl('get', 'jobs', '-o', 'json')).stdout).items.filter((j: { metadata: { name: string } }) => j.metadata.name.startsWith('nightly-'));
    expect(jobs).toEqual([]);
    const again = await kubectl('delete', 'cronjob', 'nightly');
    expect([again.code, again.stderr.trim()]).toEqual([1, 'Error from server (NotFound): cronjobs.batch "nightly" not found']);
    const get = await kubectl('get', 'cronjob', 'nightly');
    expect(get.stderr.trim()).toBe('Error from server (NotFound): cronjobs.batch "nightly" not found');
  });

  test('create job --from=cronjob runs it by hand: protobuf decoded, owned by the CronJob, a manual run in the ledger', async () => {
    expect((await kubectl('apply', '-f', join(PROTOBUF_FIXTURES, 'create-job-from-cronjob.cronjob.yaml'))).stdout.trim()).toBe('cronjob.batch/db-backup created');
    const cronJob = JSON.parse((await kubectl('get', 'cronjob', 'db-backup', '-o', 'json')).stdout);
    const ledgerBefore = h.ledger.all().length;
    const created = await kubectl('create', 'job', 'manual-1', '--from=cronjob/db-backup');
    expect([created.code, created.stdout.trim(), created.stderr]).toEqual([0, 'job.batch/manual-1 created', '']);
    const job = JSON.parse((await kubectl('get', 'job', 'manual-1', '-o', 'json', '--show-managed-fields')).stdout);
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'db-backup', uid: cronJob.metadata.uid, controller: true }]);
    expect(job.metadata.annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual', team: 'data' });
    expect(job.metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation])).toContainEqual(['kubectl-create', 'Update']);
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600 });
    const container = job.spec.template.spec.containers[0];
    expect(container).toMatchObject({ name: 'main', image: 'postgres:16', command: ['/bin/sh', '-c'], args: ['pg_dump --all'] });
    expect(container.env).toEqual([
      { name: 'LEVEL', value: '1' },
      { name: 'EMPTY' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'PGHOST', valueFrom: { configMapKeyRef: { name: 'db-config', key: 'host', optional: true } } },
    ]);
    expect(container.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } });
    expect(h.ledger.all().slice(ledgerBefore)).toEqual([{ system: 'kubernetes', job: 'db-backup', scheduledFor: null, startedAt: h.clock.now().toISOString() }]);
  });

  test('create job --from a CronJob with fields the stand-in does not decode is a 415 naming the field', async () => {
    const path = join(dir, 'with-volume.yaml');
    writeFileSync(path, YAML.stringify({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'with-volume' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: {
        restartPolicy: 'OnFailure', volumes: [{ name: 'scratch', emptyDir: {} }], containers: [{ name: 'main', image: 'busybox:1.36' }],
      } } } } },
    }));
    expect((await kubectl('apply', '-f', path)).code).toBe(0);
    const refused = await kubectl('create', 'job', 'v-1', '--from=cronjob/with-volume');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('field number 1 of message PodSpec');
    expect(refused.stderr).toContain('kubectl create -f');
    expect((await kubectl('get', 'job', 'v-1')).stderr.trim()).toBe('Error from server (NotFound): jobs.batch "v-1" not found');
  });
});
