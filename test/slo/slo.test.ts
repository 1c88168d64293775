/**
 * `migrate slo` on the sandbox (virtual clock, both stand-ins over real sockets): its figures
 * against the run ledger, which records every run the stand-ins started with its slot, across a
 * move; missed, late, failed and killed runs and waiting pods named against the right job, system
 * and slot; the exit status as a wave's gate.
 */
import { ChronosClient } from '../../backends/chronos/client.js';
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import { judgeLedger } from '../../src/demo/ledger-verdict.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

interface SloJson {
  readonly fleet: { readonly met: boolean; readonly missed: number; readonly doubled: number; readonly late: number; readonly failed: number; readonly waiting: number; readonly unverified: number };
  readonly jobs: readonly {
    readonly job: string;
    readonly verdict: string;
    readonly slots: number;
    readonly judged: number;
    readonly unverified: number;
    readonly pending: number;
    readonly missed: readonly { readonly slot: string; readonly owner: string }[];
    readonly doubled: readonly { readonly slot: string }[];
    readonly late: readonly { readonly slot: string; readonly system: string; readonly latencySeconds: number }[];
    readonly failed: readonly { readonly slot: string; readonly system: string; readonly outcome: string; readonly reason: string | null; readonly attempts: number }[];
    readonly waiting: readonly { readonly system: string; readonly pod: string; readonly pendingSeconds: number }[];
    readonly latencySeconds: { readonly p50: number; readonly p99: number; readonly max: number } | null;
    readonly systems: Readonly<Record<string, { readonly runs: number; readonly owed: number; readonly source?: string; readonly error?: string }>>;
  }[];
}

const repos: SandboxRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
});

async function bench(jobs: Record<string, string>, chronos: { jobHistoryLimit?: number; taskHistory?: boolean } = { jobHistoryLimit: 200 }): Promise<SandboxRepo> {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:30Z', jobs, chronos });
  repos.push(repo);
  return repo;
}

async function slo(repo: SandboxRepo, ...argv: string[]): Promise<{ code: number; json: SloJson; stderr: string }> {
  const r = await repo.cli('slo', '-o', 'json', ...argv);
  return { code: r.code, json: JSON.parse(r.stdout) as SloJson, stderr: r.stderr };
}

const jobOf = (json: SloJson, name: string) => json.jobs.find((j) => j.job === name)!;
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

function kube(repo: SandboxRepo): KubernetesClient {
  return new KubernetesClient({ kubeconfig: repo.kubeconfig, namespace: 'default', sleep: async () => {}, clock: repo.sandbox.ctx.clock });
}

test('across a move, every figure agrees with the run ledger', async () => {
  // tick moves to Kubernetes mid-window; slow stays on Chronos, its 7-minute runs pushing each
  // next slot late (Chronos runs an occurrence after the run before it) until one is skipped.
  const repo = await bench({
    tick: jobYaml('tick', 'chronos', '*/5 * * * *'),
    slow: jobYaml('slow', 'chronos', '*/5 * * * *', { lines: 'startingDeadline: 1m\nenv:\n  SANDBOX_RUN_SECONDS: "420"' }),
  });
  await repo.advance(3600);
  const move = await repo.cli('move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(move.code).toBe(0);
  await repo.advance(14 * 60);
  const from = new Date('2026-11-25T09:00:30Z');
  const now = repo.now();
  const { code, json } = await slo(repo, '--since', `${(now.getTime() - from.getTime()) / 1000}s`);
  const ledger = judgeLedger(await repo.runs(), [
    { name: 'tick', schedule: '*/5 * * * *', timezone: 'Etc/UTC', startingDeadlineSeconds: 1200 },
    { name: 'slow', schedule: '*/5 * * * *', timezone: 'Etc/UTC', startingDeadlineSeconds: 60 },
  ], { from, until: now });
  for (const v of ledger) {
    const j = jobOf(json, v.job);
    expect([v.job, j.slots, j.systems.chronos!.runs, j.systems.kubernetes!.runs, j.missed.map((m) => m.slot), j.doubled.map((d) => d.slot), j.late.map((l) => l.slot)])
      .toEqual([v.job, v.slots, v.runs.chronos, v.runs.kubernetes, v.missed.map(iso), v.doubled.map(iso), v.late.map(iso)]);
  }
  expect(code).toBe(1);
});

test('an hour disabled on both systems: each missed slot named against its job, system and slot, and exit 1', async () => {
  const repo = await bench({
    onchronos: jobYaml('onchronos', 'chronos', '*/10 * * * *'),
    onkube: jobYaml('onkube', 'kubernetes', '*/10 * * * *'),
  });
  const k = kube(repo);
  // The API server keeps 3 successful Jobs by default: enough Jobs must stay to show the hour.
  await k.mergePatch('onkube', { spec: { successfulJobsHistoryLimit: 50 } });
  const chronos = new ChronosClient({ url: repo.chronosUrl, sleep: async () => {}, clock: repo.sandbox.ctx.clock });
  await repo.advanceTo('2026-11-25T09:30:30Z');
  expect((await slo(repo, '--since', '30m')).code).toBe(0);

  await chronos.setEnabled('onchronos', false);
  await k.setEnabled('onkube', false);
  await repo.advanceTo('2026-11-25T10:30:30Z');
  await chronos.setEnabled('onchronos', true);
  await k.setEnabled('onkube', true);
  await repo.advanceTo('2026-11-25T10:55:30Z');

  const { code, json } = await slo(repo, '--since', '2h');
  expect(code).toBe(1);
  const slots = (from: string, n: number) => Array.from({ length: n }, (_, i) => iso(new Date(Date.parse(from) + i * 600_000)));
  // Chronos runs the occurrence it was due for once enabled (09:40, at 10:30:30), late, and
  // skips the rest (its start moves past the launch, so 10:30 too). The CronJob controller runs
  // the newest slot within its start window (10:30).
  expect(jobOf(json, 'onchronos').missed).toEqual(slots('2026-11-25T09:50:00Z', 5).map((slot) => ({ slot, owner: 'chronos' })));
  expect(jobOf(json, 'onchronos').late).toEqual([expect.objectContaining({ slot: '2026-11-25T09:40:00Z', system: 'chronos', latencySeconds: 3030 })]);
  expect(jobOf(json, 'onkube').missed).toEqual(slots('2026-11-25T09:40:00Z', 5).map((slot) => ({ slot, owner: 'kubernetes' })));
  expect(jobOf(json, 'onkube').late).toEqual([]);
  // 09:00 passed before either system held the job (applied at 09:00:30): not judged.
  expect([jobOf(json, 'onchronos').unverified, jobOf(json, 'onkube').unverified]).toEqual([1, 1]);
  const ledger = judgeLedger(await repo.runs(), ['onchronos', 'onkube'].map((name) => ({ name, schedule: '*/10 * * * *', timezone: 'Etc/UTC', startingDeadlineSeconds: 1200 })), { from: new Date('2026-11-25T09:00:30Z'), until: repo.now() });
  expect(ledger.map((v) => [v.job, v.missed.map(iso)])).toEqual(['onchronos', 'onkube'].map((name) => [name, jobOf(json, name).missed.map((m) => m.slot)]));

  const table = await repo.cli('slo', '--since', '2h');
  expect(table.code).toBe(1);
  expect(table.stdout).toContain('onkube: slot 2026-11-25T09:40:00Z never ran (Kubernetes owed it)');
  expect(table.stdout).toContain('onchronos: slot 2026-11-25T09:40:00Z started 50m30s after it on Chronos (start window 20m)');
  expect(table.stdout).toMatch(/\nObjectives NOT met over 2h across 2 jobs: \d+ of \d+ slots started within their start window \(\d+\.\d{3}%, objective 99\.99%\); 10 missed, 0 doubled, 1 late;/);

  // A job named alone is judged alone.
  expect((await slo(repo, 'onkube', '--since', '2h')).json.jobs.map((j) => j.job)).toEqual(['onkube']);
  // Before the hour, both kept every slot.
  expect((await slo(repo, '--since', '10m')).code).toBe(0);
});

test('with the API server\'s default history limits, slots older than the Jobs kept are unverified, not missed', async () => {
  const repo = await bench({ onkube: jobYaml('onkube', 'kubernetes', '*/10 * * * *') });
  await repo.advanceTo('2026-11-25T10:30:30Z');
  const { code, json } = await slo(repo, '--since', '1h');
  const j = jobOf(json, 'onkube');
  // 10:30 still runs: the three Jobs kept that succeeded are 10:00's, 10:10's and 10:20's.
  expect([code, j.slots, j.judged, j.unverified, j.missed]).toEqual([0, 6, 4, 2, []]);
  expect(j.systems.kubernetes).toMatchObject({ runs: 4, completeFrom: '2026-11-25T10:00:00Z' });
});

test('failed runs on each system, named with their slot; a retry is not a second run', async () => {
  const repo = await bench({
    flaky: jobYaml('flaky', 'chronos', '*/10 * * * *', { lines: 'retries: 1\nenv:\n  SANDBOX_OUTCOME: failure' }),
    broken: jobYaml('broken', 'kubernetes', '*/10 * * * *'),
  });
  const k = kube(repo);
  // The API server keeps one failed Job by default; two are judged here.
  await k.mergePatch('broken', { spec: { failedJobsHistoryLimit: 5, jobTemplate: { metadata: { annotations: { 'sandbox.migrate.dev/outcome': 'Failed' } } } } });
  await repo.advanceTo('2026-11-25T09:25:30Z');
  const { code, json } = await slo(repo, '--since', '25m');
  expect(code).toBe(1);
  const flaky = jobOf(json, 'flaky');
  expect([flaky.slots, flaky.doubled, flaky.systems.chronos!.runs]).toEqual([2, [], 2]);
  // Chronos retries only a job whose last error is older than its last success: 09:20 gets none.
  expect(flaky.failed).toEqual([['09:10', 2], ['09:20', 1]].map(([hm, attempts]) => expect.objectContaining({ slot: `2026-11-25T${hm}:00Z`, system: 'chronos', outcome: 'failed', attempts })));
  const broken = jobOf(json, 'broken');
  expect(broken.failed).toEqual(['09:10', '09:20'].map((hm) => expect.objectContaining({ slot: `2026-11-25T${hm}:00Z`, system: 'kubernetes', outcome: 'failed', reason: 'BackoffLimitExceeded' })));
  const table = await repo.cli('slo', '--since', '25m');
  expect(table.stdout).toMatch(/flaky: slot 2026-11-25T09:10:00Z failed after 2 attempts on Chronos \(ct:\d+:0:flaky:\d+: Fail\)/);
  expect(table.stdout).toContain(`broken: slot 2026-11-25T09:20:00Z failed on Kubernetes (broken-${Date.parse('2026-11-25T09:20:00Z') / 60_000}: BackoffLimitExceeded)`);
  expect(table.stdout).toMatch(/0 of 4 finished runs completed \(0\.000%, objective 99\.99%\)/);
});

test('a pod Pending over 5 minutes breaks the objectives, named with its job and system', async () => {
  const repo = await bench({ onkube: jobYaml('onkube', 'kubernetes', '*/10 * * * *') });
  // Its Jobs run 15 minutes: the stand-in's Job controller finishes every pod of a Job with it.
  await kube(repo).mergePatch('onkube', { spec: { jobTemplate: { metadata: { annotations: { 'sandbox.migrate.dev/duration-seconds': '900' } } } } });
  await repo.advanceTo('2026-11-25T09:10:30Z');
  const name = `onkube-${Date.parse('2026-11-25T09:10:00Z') / 60_000}`;
  const job = await kube(repo).readJob(name);
  // A second pod of the running Job that nobody places (the stand-in's Job controller starts its own at once).
  const res = await fetch(`${repo.kubernetesUrl}/api/v1/namespaces/default/pods`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${name}-stuck`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job!.metadata.uid, controller: true }] },
      spec: { containers: [{ name: 'main', image: 'registry.example.com/app:1.2' }] },
    }),
  });
  expect(res.status).toBe(201);
  await repo.advance(4 * 60);
  expect((await slo(repo, '--since', '10m')).code).toBe(0);
  await repo.advance(2 * 60);
  const { code, json } = await slo(repo, '--since', '10m');
  expect(code).toBe(1);
  expect(jobOf(json, 'onkube').waiting).toEqual([{ system: 'kubernetes', pod: `${name}-stuck`, pendingSeconds: 360 }]);
  expect((await repo.cli('slo', '--since', '10m')).stdout).toContain(`onkube: pod ${name}-stuck Pending for 6m on Kubernetes`);

  // Credentials that may not list pods (as `migrate rbac` granted before slo): the runs still count, the pods are said unchecked.
  await repo.fault({ system: 'kubernetes', method: 'GET', path: '/pods$', status: 403, times: 2 });
  const unread = await repo.cli('slo', '--since', '10m');
  expect(unread.stdout).toMatch(/onkube: pods waiting on Kubernetes not checked: the credentials of context "\S+" lack "list" on pods in namespace default/);
  expect(unread.stdout).not.toContain('-stuck');
});

test('a Chronos without task history: what lastSuccess, lastError and the counters say, its slots unverified', async () => {
  const repo = await bench({ tick: jobYaml('tick', 'chronos', '*/10 * * * *', { lines: 'startingDeadline: 1m' }) }, { taskHistory: false });
  await repo.advanceTo('2026-11-25T09:45:30Z');
  const { code, json } = await slo(repo, '--since', '30m');
  const tick = jobOf(json, 'tick');
  expect([code, tick.slots, tick.judged, tick.unverified, tick.verdict]).toEqual([0, 3, 0, 3, 'unverified']);
  expect(tick.systems.chronos!.source).toBe('lastSuccess, lastError and the counters (no task history: a Chronos without Cassandra)');
  const table = await repo.cli('slo', '--since', '30m');
  expect(table.stdout).toContain('tick: Chronos (from lastSuccess, lastError and the counters (no task history: a Chronos without Cassandra)): last success 2026-11-25T09:40:30Z, last error never, 4 successes and 0 errors in all, 0 errors since the last success');
  expect(table.stdout).toContain('3 slots unverified');
});

test('a system that cannot be read fails the gate, saying which', async () => {
  const repo = await bench({ tick: jobYaml('tick', 'chronos', '*/10 * * * *') });
  await repo.advanceTo('2026-11-25T09:20:30Z');
  const r = await repo.cliWith(['slo', '--since', '10m'], {});
  expect(r.code).toBe(0);
  await repo.sandbox.close();
  const down = await repo.cli('slo', '--since', '10m', '--request-timeout', '1s');
  expect(down.code).toBe(1);
  expect(down.stdout).toMatch(/tick: Chronos could not be read: cannot reach Chronos at http:\/\/127\.0\.0\.1:\d+: connection refused/);
  expect(down.stdout).toMatch(/tick: Kubernetes could not be read: namespace default: /);
});

test('--since must be a duration', async () => {
  const repo = await bench({});
  const r = await repo.cli('slo', '--since', 'yesterday');
  expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error: --since yesterday is not a duration')]);
});
