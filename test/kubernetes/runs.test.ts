/** A CronJob's runs as `slo` reads them from its Jobs and Pods, for what the stand-in cannot show (evictions, deadlines, TTLs). */
import type { CronJobManifest } from '../../backends/kubernetes/render.js';
import { kubernetesRuns } from '../../backends/kubernetes/runs.js';
import type { JobObject, PodObject } from '../../backends/kubernetes/slots.js';

const NOW = new Date('2026-11-25T10:07:00Z');

function cronJob(spec: Partial<CronJobManifest['spec']> = {}, jobSpec: Record<string, unknown> = {}): CronJobManifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'team-a', uid: 'cj-uid', creationTimestamp: '2026-11-20T00:00:00Z' },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [] } }, ...jobSpec } }, ...spec },
  };
}

function job(name: string, extra: { annotations?: Record<string, string>; status?: JobObject['status']; owned?: boolean } = {}): JobObject {
  return {
    metadata: {
      name,
      creationTimestamp: '2026-11-25T09:00:00Z',
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.owned === false ? {} : { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true }] }),
    },
    status: extra.status ?? {},
  };
}

const failedWith = (reason: string) => ({ startTime: '2026-11-25T09:00:01Z', conditions: [{ type: 'Failed', status: 'True', reason, lastTransitionTime: '2026-11-25T09:05:00Z' }] });

function pod(name: string, owner: string, status: PodObject['status'], created = '2026-11-25T09:00:01Z'): PodObject {
  return { metadata: { name, creationTimestamp: created, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner, controller: true }] }, status };
}

function evidence(cj: CronJobManifest | undefined, jobs: JobObject[], pods: PodObject[] = []) {
  const e = kubernetesRuns('nightly', 'team-a', cj, jobs, pods, NOW);
  if (!e.ok) throw new Error(e.error);
  return e;
}

test('the slot from the annotation (in the CronJob zone), else from the minutes in the name; kubectl create job --from is manual', () => {
  const runs = evidence(cronJob(), [
    job('nightly-29926620', { annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-25T10:00:00+01:00' } }),
    job('nightly-29926620x', { annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' } }),
    job(`nightly-${Date.parse('2026-11-25T08:00:00Z') / 60_000}`),
    job('someone-else', { owned: false }),
  ]).runs;
  expect(runs.map((r) => [r.id, r.slot?.toISOString(), r.manual ?? false])).toEqual([
    ['nightly-29926620', '2026-11-25T09:00:00.000Z', false],
    ['nightly-29926620x', undefined, true],
    [`nightly-${Date.parse('2026-11-25T08:00:00Z') / 60_000}`, '2026-11-25T08:00:00.000Z', false],
  ]);
});

test('a Job past its deadline or with an evicted pod was killed; one that failed by itself failed', () => {
  const runs = evidence(cronJob({ failedJobsHistoryLimit: 5 }), [
    job('nightly-1', { status: failedWith('DeadlineExceeded') }),
    job('nightly-2', { status: failedWith('BackoffLimitExceeded') }),
    job('nightly-3', { status: failedWith('BackoffLimitExceeded') }),
  ], [
    pod('nightly-2-a', 'nightly-2', { phase: 'Failed', reason: 'Evicted' }),
    pod('nightly-3-a', 'nightly-3', { phase: 'Failed', reason: 'Error' }),
  ]).runs;
  expect(runs.map((r) => [r.id, r.outcome, r.reason, r.endedAt?.toISOString()])).toEqual([
    ['nightly-1', 'killed', 'DeadlineExceeded', '2026-11-25T09:05:00.000Z'],
    ['nightly-2', 'killed', 'BackoffLimitExceeded (a pod was evicted)', '2026-11-25T09:05:00.000Z'],
    ['nightly-3', 'failed', 'BackoffLimitExceeded', '2026-11-25T09:05:00.000Z'],
  ]);
});

test('complete from the oldest Job of a class at its limit, from now minus the TTL, and from the CronJob itself', () => {
  const done = (name: string, slot: string) => job(name, {
    annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': slot },
    status: { startTime: slot, completionTime: slot, conditions: [{ type: 'Complete', status: 'True' }] },
  });
  const three = [done('nightly-a', '2026-11-25T07:00:00Z'), done('nightly-b', '2026-11-25T08:00:00Z'), done('nightly-c', '2026-11-25T09:00:00Z')];
  expect(evidence(cronJob(), three).completeFrom?.toISOString()).toBe('2026-11-25T07:00:00.000Z');
  expect(evidence(cronJob({ successfulJobsHistoryLimit: 10 }), three).completeFrom?.toISOString()).toBe('2026-11-20T00:00:00.000Z');
  expect(evidence(cronJob({ successfulJobsHistoryLimit: 10 }, { ttlSecondsAfterFinished: 3600 }), three).completeFrom?.toISOString()).toBe('2026-11-25T09:07:00.000Z');
  // No CronJob: no runs to expect from it (its Jobs went with it).
  const absent = evidence(undefined, three);
  expect([absent.present, absent.completeFrom]).toEqual([false, undefined]);
});

test('pods of its Jobs waiting to be placed, with how long', () => {
  const e = evidence(cronJob(), [job('nightly-1', { status: { startTime: '2026-11-25T10:00:00Z' } })], [
    pod('nightly-1-a', 'nightly-1', { phase: 'Pending' }, '2026-11-25T10:00:00Z'),
    pod('nightly-1-b', 'nightly-1', { phase: 'Running' }),
    pod('other-1-a', 'other-1', { phase: 'Pending' }),
  ]);
  expect(e.waiting).toEqual([{ name: 'nightly-1-a', since: new Date('2026-11-25T10:00:00Z') }]);
  expect(e.runs[0]).toMatchObject({ outcome: 'running', startedAt: new Date('2026-11-25T10:00:00Z') });
});
