/**
 * Imperfections through the control API (`/_sandbox/imperfections`), over real HTTP on the
 * virtual clock: a late start, a Pod left Pending, a failed run and a killed one, on each system,
 * as that system's own API shows them (Job and Pod status, Chronos' task history and summary), and
 * in the run ledger. Each test reads back what the sandbox says it applied.
 */
import type { ImperfectionReport } from '../../src/sandbox/imperfections.js';
import type { LedgerEntry } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

type Json = Record<string, unknown>;
interface Condition { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }
interface Pod {
  readonly metadata: { readonly name: string; readonly creationTimestamp: string };
  readonly spec: { readonly nodeName?: string };
  readonly status: {
    readonly phase: string;
    readonly reason?: string;
    readonly startTime?: string;
    readonly conditions: readonly Condition[];
    readonly containerStatuses?: readonly { readonly state: { readonly running?: Json; readonly terminated?: { readonly exitCode: number; readonly reason: string } } }[];
    readonly qosClass: string;
  };
}
interface Job {
  readonly metadata: { readonly name: string; readonly creationTimestamp: string };
  readonly status: { readonly startTime?: string; readonly active?: number; readonly ready?: number; readonly failed?: number; readonly succeeded?: number; readonly conditions?: readonly Condition[] };
}
interface TaskStat { readonly taskId: string; readonly startTime: string; readonly endTime: string; readonly status: string }

const repos: SandboxRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
});

async function bench(jobs: Record<string, string>): Promise<SandboxRepo> {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:30Z', jobs, chronos: { jobHistoryLimit: 50 } });
  repos.push(repo);
  return repo;
}

async function call<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function imperfect(repo: SandboxRepo, rule: Json): Promise<{ id: string }> {
  const r = await call<{ id: string }>(`${repo.chronosUrl}/_sandbox/imperfections`, 'POST', rule);
  expect(r.status).toBe(201);
  return r.body;
}

const applied = async (repo: SandboxRepo) => (await call<ImperfectionReport>(`${repo.kubernetesUrl}/_sandbox/imperfections`)).body;
const minutes = (iso: string) => Date.parse(iso) / 60_000;
const podsOf = async (repo: SandboxRepo, job: string) =>
  (await call<{ items: Pod[] }>(`${repo.kubernetesUrl}/api/v1/namespaces/default/pods`)).body.items
    .filter((p) => p.metadata.name.startsWith(`${job}-`))
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
const jobOf = async (repo: SandboxRepo, name: string) => (await call<Job>(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/jobs/${name}`)).body;
const stat = async (repo: SandboxRepo, job: string) => (await call<{ taskStatHistory: TaskStat[] }>(`${repo.chronosUrl}/v1/scheduler/job/stat/${job}`)).body.taskStatHistory;
const ledgerOf = (entries: readonly LedgerEntry[]) => entries.map((e) => [e.system, e.scheduledFor, e.startedAt]);

test('the control API validates a rule, lists it with what it took, and forgets on DELETE', async () => {
  const repo = await bench({});
  const url = `${repo.kubernetesUrl}/_sandbox/imperfections`;
  const refused = async (rule: Json) => {
    const r = await call<{ message: string }>(url, 'POST', rule);
    expect(r.status).toBe(400);
    return r.body.message;
  };
  expect(await refused({ system: 'chronos', job: 'x', kind: 'pending' })).toBe('chronos cannot show "pending": its runs can be made "late", "fail", "kill" (it has no pods: a run waiting to be placed is a late start)');
  expect(await refused({ system: 'kubernetes', job: 'x', kind: 'late' })).toBe('"late" needs "seconds": how long after its due instant the run starts');
  expect(await refused({ system: 'kubernetes', job: 'x', kind: 'slow' })).toBe('kind must be one of "late", "pending", "fail", "kill"');
  expect(await refused({ system: 'mesos', job: 'x', kind: 'fail' })).toBe('system must be one of "chronos", "kubernetes"');
  expect(await refused({ system: 'kubernetes', kind: 'fail' })).toBe('job must be the name of a job');
  expect(await refused({ system: 'kubernetes', job: 'x', kind: 'fail', seconds: 3 })).toBe('"fail" takes no "seconds": the run fails at its end');
  expect(await refused({ system: 'kubernetes', job: 'x', kind: 'fail', times: 0 })).toBe('times must be a whole number of runs, at least 1');
  expect(await refused({ system: 'kubernetes', job: 'x', kind: 'fail', slot: 'soon' })).toBe('slot must be an RFC 3339 instant, e.g. 2026-11-25T10:15:00Z');

  expect(await imperfect(repo, { system: 'kubernetes', job: 'x', kind: 'kill', slot: '2026-11-25T10:00:00+01:00', times: 2 })).toEqual({ id: 'i1', system: 'kubernetes', job: 'x', kind: 'kill', seconds: 1, slot: '2026-11-25T09:00:00Z', times: 2, applied: 0 });
  // The same state on every port.
  expect((await call<ImperfectionReport>(`${repo.chronosUrl}/_sandbox/imperfections`)).body).toEqual({ rules: [expect.objectContaining({ id: 'i1' })], applied: [] });
  expect((await call(url, 'DELETE')).status).toBe(204);
  expect(await applied(repo)).toEqual({ rules: [], applied: [] });
});

test('Kubernetes: a late start holds the slot\'s Job back; the Job, its startTime and the ledger show it then; past the start window the slot is missed', async () => {
  const repo = await bench({ hourly: jobYaml('hourly', 'kubernetes', '5 * * * *') });
  await imperfect(repo, { system: 'kubernetes', job: 'hourly', kind: 'late', seconds: 600, slot: '2026-11-25T10:05:00Z' });
  // startingDeadlineSeconds is the definition's start window (20 min): the controller gives 11:05 up.
  await imperfect(repo, { system: 'kubernetes', job: 'hourly', kind: 'late', seconds: 1500, slot: '2026-11-25T11:05:00Z' });
  await repo.advanceTo('2026-11-25T10:14:00Z');
  const name = `hourly-${minutes('2026-11-25T10:05:00Z')}`;
  expect((await call(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/jobs/${name}`)).status).toBe(404);
  await repo.advanceTo('2026-11-25T11:40:00Z');
  const job = await jobOf(repo, name);
  expect([job.metadata.creationTimestamp, job.status.startTime]).toEqual(['2026-11-25T10:15:00Z', '2026-11-25T10:15:00Z']);
  expect(ledgerOf(await repo.runs('hourly'))).toEqual([
    ['kubernetes', '2026-11-25T09:05:00.000Z', '2026-11-25T09:05:00.100Z'],
    ['kubernetes', '2026-11-25T10:05:00.000Z', '2026-11-25T10:15:00.000Z'],
  ]);
  expect((await applied(repo)).applied).toEqual([
    { id: 'i1', system: 'kubernetes', job: 'hourly', kind: 'late', seconds: 600, slot: '2026-11-25T10:05:00Z', at: '2026-11-25T10:05:00.100Z' },
    { id: 'i2', system: 'kubernetes', job: 'hourly', kind: 'late', seconds: 1500, slot: '2026-11-25T11:05:00Z', at: '2026-11-25T11:05:00.100Z' },
  ]);
});

test('Kubernetes: a Pod left Pending is unschedulable, its Job started and not ready; placed after its seconds, it runs on a node', async () => {
  const repo = await bench({ tick: jobYaml('tick', 'kubernetes', '*/10 * * * *') });
  await imperfect(repo, { system: 'kubernetes', job: 'tick', kind: 'pending', seconds: 600, slot: '2026-11-25T09:10:00Z' });
  await imperfect(repo, { system: 'kubernetes', job: 'tick', kind: 'pending', slot: '2026-11-25T09:40:00Z' });
  await repo.advanceTo('2026-11-25T09:15:00Z');
  const first = `tick-${minutes('2026-11-25T09:10:00Z')}`;
  const [pending] = await podsOf(repo, first);
  expect(pending!.status).toEqual({
    phase: 'Pending',
    conditions: [expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: expect.stringMatching(/^0\/3 nodes are available: 3 Insufficient cpu\./) })],
    qosClass: 'BestEffort',
  });
  expect(pending!.spec.nodeName).toBeUndefined();
  expect((await jobOf(repo, first)).status).toMatchObject({ startTime: '2026-11-25T09:10:00Z', active: 1, ready: 0 });

  await repo.advanceTo('2026-11-25T09:20:10Z');
  const [placed] = await podsOf(repo, first);
  expect(placed!.spec.nodeName).toMatch(/^sandbox-node-\d$/);
  expect(placed!.status).toMatchObject({ phase: 'Running', startTime: '2026-11-25T09:20:00Z', podIP: expect.stringMatching(/^10\.244\.\d+\.\d+$/) });
  expect(placed!.status.conditions.map((c) => [c.type, c.status])).toEqual([['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  expect((await jobOf(repo, first)).status).toMatchObject({ active: 1, ready: 1 });

  await repo.advanceTo('2026-11-25T10:10:10Z');
  const [done] = await podsOf(repo, first);
  expect([done!.status.phase, done!.status.containerStatuses![0]!.state.terminated]).toEqual(['Succeeded', expect.objectContaining({ exitCode: 0, reason: 'Completed' })]);
  // Without seconds the Pod stays Pending for good; the CronJob forbids overlaps (the definition's
  // concurrency), so the slots after it wait behind its Job, as on a cluster.
  const stuck = await podsOf(repo, `tick-${minutes('2026-11-25T09:40:00Z')}`);
  expect(stuck.map((p) => p.status.phase)).toEqual(['Pending']);
  expect((await repo.runs('tick')).map((r) => [r.scheduledFor, r.startedAt])).toEqual([
    ['2026-11-25T09:10:00.000Z', '2026-11-25T09:10:00.100Z'],
    ['2026-11-25T09:20:00.000Z', '2026-11-25T09:20:30.100Z'],
    ['2026-11-25T09:30:00.000Z', '2026-11-25T09:30:00.100Z'],
    ['2026-11-25T09:40:00.000Z', '2026-11-25T09:40:00.100Z'],
  ]);
  expect((await applied(repo)).applied.map((a) => [a.kind, a.slot])).toEqual([['pending', '2026-11-25T09:10:00Z'], ['pending', '2026-11-25T09:40:00Z']]);
});

test('Kubernetes: a failed run fails every Pod, one more than backoffLimit, after growing backoffs; a killed one has its Pods evicted', async () => {
  const repo = await bench({
    broken: jobYaml('broken', 'kubernetes', '*/10 * * * *', { lines: 'retries: 2' }),
    evicted: jobYaml('evicted', 'kubernetes', '*/10 * * * *', { lines: 'retries: 1' }),
  });
  await imperfect(repo, { system: 'kubernetes', job: 'broken', kind: 'fail', slot: '2026-11-25T09:10:00Z' });
  await imperfect(repo, { system: 'kubernetes', job: 'evicted', kind: 'kill', seconds: 5, slot: '2026-11-25T09:10:00Z' });
  await repo.advanceTo('2026-11-25T09:11:20Z');
  const broken = `broken-${minutes('2026-11-25T09:10:00Z')}`;
  // 30 s runs; the second Pod 10 s after the first failed, the third 20 s after the second.
  expect((await jobOf(repo, broken)).status).toMatchObject({ active: 0, ready: 0, failed: 2 });
  await repo.advanceTo('2026-11-25T09:11:40Z');
  expect((await jobOf(repo, broken)).status).toMatchObject({ active: 1, ready: 1, failed: 2 });
  await repo.advanceTo('2026-11-25T09:12:10Z');
  const failedJob = await jobOf(repo, broken);
  expect(failedJob.status).toMatchObject({ active: 0, failed: 3 });
  expect(failedJob.status.conditions!.map((c) => [c.type, c.reason])).toEqual([['FailureTarget', 'BackoffLimitExceeded'], ['Failed', 'BackoffLimitExceeded']]);
  const brokenPods = await podsOf(repo, broken);
  expect(brokenPods.map((p) => [p.metadata.creationTimestamp, p.status.phase, p.status.containerStatuses![0]!.state.terminated!.exitCode])).toEqual([
    ['2026-11-25T09:10:00Z', 'Failed', 1], ['2026-11-25T09:10:40Z', 'Failed', 1], ['2026-11-25T09:11:30Z', 'Failed', 1],
  ]);

  const evicted = `evicted-${minutes('2026-11-25T09:10:00Z')}`;
  const evictedJob = await jobOf(repo, evicted);
  expect(evictedJob.status).toMatchObject({ failed: 2, conditions: [expect.objectContaining({ type: 'FailureTarget' }), expect.objectContaining({ type: 'Failed', reason: 'BackoffLimitExceeded' })] });
  const evictedPods = await podsOf(repo, evicted);
  expect(evictedPods).toHaveLength(2);
  for (const pod of evictedPods) {
    expect(pod.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(pod.status.conditions[0]).toMatchObject({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet' });
    expect(pod.status.containerStatuses![0]!.state.terminated!.exitCode).toBe(137);
  }
  // The next slot of each runs as it should.
  await repo.advanceTo('2026-11-25T09:21:00Z');
  expect((await jobOf(repo, `broken-${minutes('2026-11-25T09:20:00Z')}`)).status).toMatchObject({ succeeded: 1 });
  expect((await jobOf(repo, `evicted-${minutes('2026-11-25T09:20:00Z')}`)).status).toMatchObject({ succeeded: 1 });
});

test('Chronos: a late start waits in the queue (the summary says so), keeps its due time in the task id, and the ledger shows the start', async () => {
  const repo = await bench({ hourly: jobYaml('hourly', 'chronos', '0 * * * *') });
  await imperfect(repo, { system: 'chronos', job: 'hourly', kind: 'late', seconds: 1500 });
  await repo.advanceTo('2026-11-25T10:10:00Z');
  const summary = (await call<{ jobs: { name: string; state: string }[] }>(`${repo.chronosUrl}/v1/scheduler/jobs/summary`)).body.jobs;
  expect(summary).toEqual([expect.objectContaining({ name: 'hourly', state: 'queued' })]);
  await repo.advanceTo('2026-11-25T11:00:10Z');
  const tasks = await stat(repo, 'hourly');
  expect(tasks.map((t) => [t.taskId.split(':')[1], t.startTime, t.status])).toEqual([
    [String(Date.parse('2026-11-25T11:00:00Z')), '11/25/26 11:00:00', 'Running'],
    [String(Date.parse('2026-11-25T10:00:00Z')), '11/25/26 10:25:00', 'Success'],
  ]);
  expect(ledgerOf(await repo.runs('hourly'))).toEqual([
    ['chronos', '2026-11-25T10:00:00.000Z', '2026-11-25T10:25:00.000Z'],
    ['chronos', '2026-11-25T11:00:00.000Z', '2026-11-25T11:00:00.000Z'],
  ]);
});

test('Chronos: a failed run fails its retries too; a killed one ends as a Fail without a retry or an error counted', async () => {
  const repo = await bench({
    flaky: jobYaml('flaky', 'chronos', '*/10 * * * *', { lines: 'retries: 1' }),
    killed: jobYaml('killed', 'chronos', '*/10 * * * *', { lines: 'retries: 1' }),
  });
  await imperfect(repo, { system: 'chronos', job: 'flaky', kind: 'fail', slot: '2026-11-25T09:10:00Z' });
  await imperfect(repo, { system: 'chronos', job: 'killed', kind: 'kill', seconds: 5, slot: '2026-11-25T09:10:00Z' });
  await repo.advanceTo('2026-11-25T09:15:00Z');
  const flaky = await stat(repo, 'flaky');
  expect(flaky.map((t) => [t.taskId.split(':')[2], t.startTime, t.endTime, t.status])).toEqual([
    ['1', '11/25/26 09:11:30', '11/25/26 09:12:00', 'Fail'],
    ['0', '11/25/26 09:10:00', '11/25/26 09:10:30', 'Fail'],
  ]);
  const killed = await stat(repo, 'killed');
  expect(killed.map((t) => [t.taskId.split(':')[2], t.startTime, t.endTime, t.status])).toEqual([['0', '11/25/26 09:10:00', '11/25/26 09:10:05', 'Fail']]);
  const job = (name: string) => call<{ errorCount: number; successCount: number }>(`${repo.chronosUrl}/v1/scheduler/job/${name}`).then((r) => r.body);
  expect([(await job('flaky')).errorCount, (await job('killed')).errorCount]).toEqual([1, 0]);
  await repo.advanceTo('2026-11-25T09:21:00Z');
  expect((await stat(repo, 'flaky'))[0]!.status).toBe('Success');
});
