import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KubernetesApiError, KubernetesClient, kubernetesFailureClass } from '../../backends/kubernetes/client.js';
import { KubeconfigError, loadKubeConfig, sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { normalizeCronJob } from '../../backends/kubernetes/normalize.js';
import type { CronJobManifest } from '../../backends/kubernetes/render.js';
import { UserError } from '../../src/core/errors.js';
import { FixedClock } from '../../src/core/clock.js';
import { apiError, startHarness, type Harness } from './harness.js';

function cronJob(name: string, extra: Partial<CronJobManifest['spec']> = {}, labels: Record<string, string> = {}): CronJobManifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'migrate', ...labels } },
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', args: ['echo', 'hi'] }] } } } },
      ...extra,
    },
  };
}

let h: Harness;
let client: KubernetesClient;
const local = new FixedClock('2030-01-01T00:00:00Z');

beforeEach(async () => {
  h = await startHarness('2026-11-01T09:00:00Z');
  client = new KubernetesClient({ kubeconfig: h.kubeconfigPath, sleep: async () => {}, clock: local, timeoutMs: 2000 });
});
afterEach(() => h.close());


describe('kubeconfig', () => {
  test('namespace comes from the context when -n is not given, and --context picks a context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const path = join(dir, 'config');
    const a = sandboxKubeconfig({ server: 'http://127.0.0.1:1', namespace: 'team-a', contextName: 'a' });
    writeFileSync(path, a.replace('current-context: a', 'current-context: a'));
    expect(loadKubeConfig({ kubeconfig: path }).namespace).toBe('team-a');
    expect(loadKubeConfig({ kubeconfig: path, namespace: 'other' }).namespace).toBe('other');
    expect(loadKubeConfig({ env: { KUBECONFIG: path } }).context).toBe('a');
    expect(() => loadKubeConfig({ kubeconfig: path, context: 'nope' })).toThrow(/no context "nope".*\n?/);
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') })).toThrow(UserError);
  });
});

describe('CronJobs through the client', () => {
  test('apply creates, re-apply of the same manifest changes nothing, read returns it', async () => {
    const created = await client.apply(cronJob('nightly'));
    expect(created.metadata.resourceVersion).toBeDefined();
    const again = await client.apply(cronJob('nightly'));
    expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const live = await client.read('nightly');
    expect(live?.spec.schedule).toBe('*/5 * * * *');
    expect(live?.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'migrate', operation: 'Apply' })]);
    expect(await client.read('missing')).toBeUndefined();
    const elsewhere = cronJob('other');
    await expect(client.apply({ ...elsewhere, metadata: { ...elsewhere.metadata, namespace: 'team-b' } })).rejects.toThrow('CronJob other belongs in namespace team-b, but this client works in default');
  });

  test('an untouched CronJob normalises to exactly its manifest', async () => {
    const manifest = cronJob('nightly');
    await client.apply(manifest);
    await h.clock.advance(3600); // the controller runs Jobs and writes status meanwhile
    const live = (await client.read('nightly'))!;
    expect(live.status).toBeDefined();
    expect(normalizeCronJob(live)).toEqual(normalizeCronJob({ ...manifest, metadata: { ...manifest.metadata, namespace: 'default' } }));
  });

  test('read returns strings as the server stored them, even one shaped like a timestamp', async () => {
    const base = cronJob('since');
    const container = base.spec.jobTemplate.spec.template.spec.containers[0]!;
    const env = [{ name: 'SINCE', value: '2026-01-01T00:00:00.000Z' }, { name: 'UNTIL', value: '2026-12-31T23:59:59.000Z' }];
    const manifest: CronJobManifest = {
      ...base,
      spec: { ...base.spec, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ ...container, env }] } } } } },
    };
    await client.create(manifest);
    const live = (await client.read('since'))!;
    expect(live.spec.jobTemplate.spec.template.spec.containers[0]!.env).toEqual(env);
    expect(live).toEqual((await client.listCronJobs()).find((c) => c.metadata.name === 'since'));
  });

  test('list pages through every CronJob and filters by label selector', async () => {
    for (let i = 0; i < 7; i++) await client.create(cronJob(`job-${i}`, {}, { tier: i % 2 === 0 ? 'gold' : 'tin' }));
    expect((await client.listCronJobs(undefined, 2)).map((c) => c.metadata.name)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6']);
    expect((await client.listCronJobs('tier in (gold),app.kubernetes.io/managed-by=migrate', 3)).map((c) => c.metadata.name)).toEqual(['job-0', 'job-2', 'job-4', 'job-6']);
    expect(await client.listCronJobs('tier!=gold')).toHaveLength(3);
  });

  test('setEnabled merge-patches suspend and leaves the rest alone', async () => {
    await client.apply(cronJob('nightly'));
    await client.setEnabled('nightly', false);
    const live = (await client.read('nightly'))!;
    expect(live.spec.suspend).toBe(true);
    expect(live.spec.jobTemplate.spec.template.spec.containers[0]!.args).toEqual(['echo', 'hi']);
    await client.setEnabled('nightly', true);
    expect((await client.read('nightly'))!.spec.suspend).toBe(false);
  });

  test('remove orphans a running Job and cascades when nothing runs', async () => {
    await client.apply(cronJob('busy', { concurrencyPolicy: 'Allow' }));
    h.clock.advance(5 * 60 + 1); // the 09:05 slot fires at 09:05:00.1; its Job runs 30 s
    expect((await client.activeRuns('busy')).map((r) => [r.id, r.scheduledFor?.toISOString()])).toEqual([
      [`busy-${Date.parse('2026-11-01T09:05:00Z') / 60000}`, '2026-11-01T09:05:00.000Z'],
    ]);
    await client.remove('busy');
    const jobs = await client.listJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.metadata.ownerReferences).toBeUndefined();

    await client.apply(cronJob('idle'));
    h.clock.advance(6 * 60); // the idle Job ran at 09:10:00.1 and has finished
    expect(await client.activeRuns('idle')).toEqual([]);
    await client.remove('idle');
    expect((await client.listJobs()).map((j) => j.metadata.name).filter((n: string) => n.startsWith('idle'))).toEqual([]);
  });

  test('createJob for a slot is counted as a run of that slot', async () => {
    const slot = new Date('2026-11-01T09:10:00Z');
    await client.createJob({
      metadata: { name: `nightly-${slot.getTime() / 60000}`, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-01T09:10:00Z' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    });
    expect(h.ledger.all()).toEqual([expect.objectContaining({ system: 'kubernetes', job: 'nightly', scheduledFor: '2026-11-01T09:10:00.000Z' })]);
    expect((await client.readJob(`nightly-${slot.getTime() / 60000}`))?.status?.active).toBe(1);
    await client.deleteJob(`nightly-${slot.getTime() / 60000}`, 'Background');
    expect(await client.readJob(`nightly-${slot.getTime() / 60000}`)).toBeUndefined();
  });

  test('serverClock follows the Date header, not the local clock', async () => {
    await client.read('x');
    expect(client.serverClock().now().toISOString()).toBe('2026-11-01T09:00:00.000Z');
    local.advance(10);
    expect(client.serverClock().now().toISOString()).toBe('2026-11-01T09:00:10.000Z');
    local.set('2030-01-01T00:00:00Z');
  });
});

describe('client-node Watch', () => {
  test('receives ADDED and DELETED events from the stand-in', async () => {
    const { Watch } = await import('@kubernetes/client-node');
    const { kc } = loadKubeConfig({ kubeconfig: h.kubeconfigPath });
    const seen: string[] = [];
    let resolveDeleted!: () => void;
    const deleted = new Promise<void>((r) => (resolveDeleted = r));
    const abort = await new Watch(kc).watch('/apis/batch/v1/namespaces/default/cronjobs', {}, (type, obj: { metadata: { name: string } }) => {
      seen.push(`${type} ${obj.metadata.name}`);
      if (type === 'DELETED') resolveDeleted();
    }, () => undefined);
    await client.create(cronJob('watched'));
    await client.deleteCronJob('watched', 'Background');
    await deleted;
    abort.abort();
    expect(seen[0]).toBe('ADDED watched');
    expect(seen.at(-1)).toBe('DELETED watched');
  });
});

describe('errors are translated into actionable messages', () => {
  test('404, 409 AlreadyExists, 409 Conflict', async () => {
    const notFound = await apiError(client.setEnabled('ghost', true));
    expect([notFound.code, notFound.reason, notFound.summary]).toEqual([404, 'NotFound', 'CronJob default/ghost not found']);
    await client.create(cronJob('dup'));
    const exists = await apiError(client.create(cronJob('dup')));
    expect([exists.code, exists.reason, exists.summary]).toEqual([409, 'AlreadyExists', 'CronJob default/dup already exists']);
    const live = (await client.read('dup'))!;
    await client.mergePatch('dup', { spec: { suspend: true } });
    const stale = await apiError(client.mergePatch('dup', { metadata: { resourceVersion: live.metadata.resourceVersion }, spec: { suspend: false } }));
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect(stale.summary).toMatch(/changed since it was read/);
  });

  test('422 lists every cause with its field', async () => {
    const bad = cronJob('this-name-is-far-too-long-for-a-cronjob-because-it-has-60ch', { schedule: '0 0 * * 7', startingDeadlineSeconds: -1 });
    const err = await apiError(client.create(bad));
    expect(err.code).toBe(422);
    expect(err.causes.map((c) => c.field)).toEqual(['spec.schedule', 'spec.startingDeadlineSeconds', 'metadata.name']);
    expect(err.detail).toContain('spec.schedule: Invalid value: "0 0 * * 7": end of range (7) above maximum (6): 7');
    expect(err.detail).toContain('metadata.name: Invalid value: "this-name-is-far-too-long-for-a-cronjob-because-it-has-60ch": must be no more than 52 characters');
  });

  test('apply conflicts name the other manager and the field', async () => {
    await client.apply(cronJob('owned'));
    // kubectl edit-style change by another manager
    await fetch(`${h.url}/apis/batch/v1/namespaces/default/cronjobs/owned?fieldManager=kubectl-edit`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { schedule: '0 * * * *' } }),
    });
    const err = await apiError(client.apply(cronJob('owned')));
    expect(err.code).toBe(409);
    expect(err.detail).toContain('.spec.schedule: conflict with "kubectl-edit"');
    const forced = new KubernetesClient({ kubeconfig: h.kubeconfigPath, forceConflicts: true, sleep: async () => {} });
    expect((await forced.apply(cronJob('owned'))).spec.schedule).toBe('*/5 * * * *');
  });

  test.each([
    [401, /rejected the credentials.*401 Unauthorized.*get cronjobs/],
    [403, /lack "get" on batch\/cronjobs in namespace default/],
  ])('%d names the verb and resource', async (status, pattern) => {
    h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', status, times: 1 });
    const err = await apiError(client.read('nightly'));
    expect(err.code).toBe(status);
    expect(err.summary).toMatch(pattern);
  });

  test('idempotent calls retry 503 and succeed; creates are not retried', async () => {
    h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', method: 'GET', status: 503, times: 2 });
    expect(await client.read('nightly')).toBeUndefined();
    h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', method: 'POST', status: 503, times: 1 });
    const err = await apiError(client.create(cronJob('once')));
    expect(err.code).toBe(503);
    expect(await client.read('once')).toBeUndefined();
  });

  test('a slow server times out with a clear message', async () => {
    const impatient = new KubernetesClient({ kubeconfig: h.kubeconfigPath, timeoutMs: 50, retries: 0, sleep: async () => {} });
    h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', delayMs: 300, times: 1 });
    const err = await apiError(impatient.read('nightly'));
    expect(err.summary).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ in 50 ms/);
  });

  test('an unreachable server says where it tried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    writeFileSync(join(dir, 'config'), sandboxKubeconfig({ server: 'http://127.0.0.1:1' }));
    const nowhere = new KubernetesClient({ kubeconfig: join(dir, 'config'), retries: 0, sleep: async () => {} });
    const err = await apiError(nowhere.list());
    expect(err.summary).toBe('cannot reach the Kubernetes API at http://127.0.0.1:1');
  });
});

describe('failure classes', () => {
  /** A kubeconfig for the stand-in, edited by `change` (its user and cluster entries). */
  const kubeconfigWith = (change: (yaml: string) => string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-class-'));
    writeFileSync(join(dir, 'config'), change(sandboxKubeconfig({ server: h.url })));
    return join(dir, 'config');
  };
  const failure = async (p: Promise<unknown>): Promise<unknown> => p.then(() => { throw new Error('expected the call to fail'); }, (err: unknown) => err);

  test('unreachable: nothing listens, no answer in time, or the server fails', async () => {
    const closed = new KubernetesClient({ kubeconfig: kubeconfigWith((y) => y.replace(h.url, 'http://127.0.0.1:1')), retries: 0, sleep: async () => {} });
    expect(kubernetesFailureClass(await failure(closed.read('nightly')))).toBe('unreachable');
    const impatient = new KubernetesClient({ kubeconfig: h.kubeconfigPath, timeoutMs: 50, retries: 0, sleep: async () => {} });
    h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', delayMs: 300, times: 1 });
    expect(kubernetesFailureClass(await failure(impatient.read('nightly')))).toBe('unreachable');
    for (const status of [503, 429]) {
      h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', status, times: 3 });
      expect(kubernetesFailureClass(await failure(client.read('nightly')))).toBe('unreachable');
    }
  });

  test('refused: the server answered no', async () => {
    for (const status of [401, 403]) {
      h.ctx.faults.add({ system: 'kubernetes', path: 'cronjobs', status, times: 1 });
      expect(kubernetesFailureClass(await failure(client.read('nightly')))).toBe('refused');
    }
    expect(kubernetesFailureClass(await failure(client.setEnabled('ghost', true)))).toBe('refused');
  });

  test('misconfigured: a credential plugin that is not installed is named, and nothing is sent', async () => {
    const kubeconfig = kubeconfigWith((y) => y.replace('user: {}', 'user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: migrate-test-no-such-plugin'));
    const broken = new KubernetesClient({ kubeconfig, retries: 2, sleep: async () => {} });
    h.ctx.faults.add({ system: 'kubernetes', status: 500, times: 1 }); // consumed only if a request arrives
    const err = await failure(broken.read('nightly'));
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(kubernetesFailureClass(err)).toBe('misconfigured');
    expect((err as KubeconfigError).summary).toBe('kubeconfig context "migrate-sandbox" (user "migrate-sandbox") gets its credentials by running "migrate-test-no-such-plugin", which is not installed');
    expect(h.ctx.faults.list()).toHaveLength(1);
  });

  test('misconfigured: a plugin that fails, plain http without insecure-skip-tls-verify, a missing context', async () => {
    const failing = kubeconfigWith((y) => y.replace('user: {}', 'user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: "false"'));
    const failed = await failure(new KubernetesClient({ kubeconfig: failing, sleep: async () => {} }).read('nightly'));
    expect([kubernetesFailureClass(failed), (failed as KubeconfigError).summary]).toEqual(['misconfigured', expect.stringContaining('by running "false", which failed')]);
    const plain = kubeconfigWith((y) => y.replace(/\s*insecure-skip-tls-verify: true/, ''));
    const refusedHttp = await failure(new KubernetesClient({ kubeconfig: plain, sleep: async () => {} }).list());
    expect([kubernetesFailureClass(refusedHttp), (refusedHttp as KubeconfigError).summary]).toEqual(['misconfigured', expect.stringContaining('over plain http')]);
    let missing: unknown;
    try {
      loadKubeConfig({ kubeconfig: h.kubeconfigPath, context: 'nope' });
    } catch (err) {
      missing = err;
    }
    expect(kubernetesFailureClass(missing)).toBe('misconfigured');
  });

  test('anything else is not a Kubernetes failure', async () => {
    await client.acquireLock('nightly', 'run-a', 60);
    expect(kubernetesFailureClass(await failure(client.acquireLock('nightly', 'run-b', 60)))).toBeUndefined();
    expect(kubernetesFailureClass(new Error('boom'))).toBeUndefined();
  });
});

describe('Leases: the per-job lock', () => {
  test('acquire, refuse another holder naming it, renew, expire and take over, release', async () => {
    const lock = await client.acquireLock('nightly', 'run-a', 60);
    const other = new KubernetesClient({ kubeconfig: h.kubeconfigPath, clock: local, sleep: async () => {} });
    await expect(other.acquireLock('nightly', 'run-b', 60)).rejects.toThrow(/locked by "run-a" until 2026-11-01T09:01:00Z/);
    const renewed = await client.renewLock(lock);
    h.clock.advance(120);
    const taken = await other.acquireLock('nightly', 'run-b', 60);
    expect(taken.lease.spec?.holderIdentity).toBe('run-b');
    expect(taken.lease.spec?.leaseTransitions).toBe(1);
    await expect(client.renewLock(renewed)).rejects.toThrow(/lost the lock on job nightly/);
    await other.releaseLock(taken);
    const again = await client.acquireLock('nightly', 'run-a', 60);
    expect(again.lease.spec?.holderIdentity).toBe('run-a');
  });

  test('a client that knows the server time creates the Lease at once, and reads it only when it exists (409)', async () => {
    await client.read('anything');
    const verbs: string[] = [];
    const log = (call: { verb: string; resource: string }) => verbs.push(`${call.verb} ${call.resource}`);
    const counting = (c: KubernetesClient) => {
      const request = c.request.bind(c);
      c.request = (call) => (log(call), request(call));
      return c;
    };
    const lock = await counting(client).acquireLock('nightly', 'run-a', 60);
    expect(verbs).toEqual(['create leases']);
    // Its times are the server's (2026), not the local clock's (2030).
    expect(lock.lease.spec?.renewTime).toMatch(/^2026-11-01T09:00:0\d/);
    verbs.length = 0;
    const other = counting(new KubernetesClient({ kubeconfig: h.kubeconfigPath, clock: local, sleep: async () => {} }));
    await other.read('anything');
    verbs.length = 0;
    await expect(other.acquireLock('nightly', 'run-b', 60)).rejects.toThrow(/locked by "run-a"/);
    expect(verbs).toEqual(['create leases', 'get leases']);
    // Without the server's time yet, the Lease is read first (the answer carries the time).
    verbs.length = 0;
    const fresh = counting(new KubernetesClient({ kubeconfig: h.kubeconfigPath, clock: local, sleep: async () => {} }));
    await fresh.acquireLock('weekly', 'run-c', 60);
    expect(verbs).toEqual(['get leases', 'create leases']);
  });
});
