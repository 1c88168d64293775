/** The CronJob controller (v2 rules) on the virtual clock, driven through the API over HTTP. */
import { startHarness, type Harness } from './harness.js';

type Action =
  | { readonly create: Record<string, unknown>; readonly annotations?: Record<string, string>; readonly jobSpec?: Record<string, unknown> }
  | { readonly at: string }
  | { readonly patch: Record<string, unknown> }
  | { readonly foreignJobFor: string; readonly owned?: boolean };

interface Row {
  readonly name: string;
  readonly start: string;
  readonly actions: readonly Action[];
  /** [slot, startedAt] of every run, in order. */
  readonly runs: readonly (readonly [string | null, string])[];
  readonly events?: readonly string[];
  /** Jobs left after history cleanup, by name suffix order. */
  readonly jobsLeft?: number;
}

const MIN = (iso: string) => Date.parse(iso) / 60_000;

const rows: readonly Row[] = [
  {
    name: 'created a second before the slot: the slot runs',
    start: '2026-11-01T09:59:59Z',
    actions: [{ create: { schedule: '0 10 * * *' } }, { at: '2026-11-01T10:00:01Z' }],
    runs: [['2026-11-01T10:00:00Z', '2026-11-01T10:00:00.100Z']],
  },
  {
    name: 'created at the slot (whole seconds): no catch-up, the next day runs',
    start: '2026-11-01T10:00:00Z',
    actions: [{ create: { schedule: '0 10 * * *' } }, { at: '2026-11-02T10:00:01Z' }],
    runs: [['2026-11-02T10:00:00Z', '2026-11-02T10:00:00.100Z']],
  },
  {
    name: 'un-suspend after misses, no deadline: the latest missed slot runs at once',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/10 * * * *', suspend: true } }, { at: '2026-11-01T10:05:00Z' }, { patch: { spec: { suspend: false } } }, { at: '2026-11-01T10:10:01Z' }],
    runs: [['2026-11-01T10:00:00Z', '2026-11-01T10:05:00.000Z'], ['2026-11-01T10:10:00Z', '2026-11-01T10:10:00.100Z']],
  },
  {
    name: 'un-suspend after misses, deadline shorter than the miss: nothing until the next slot',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/10 * * * *', suspend: true, startingDeadlineSeconds: 60 } }, { at: '2026-11-01T10:05:00Z' }, { patch: { spec: { suspend: false } } }, { at: '2026-11-01T10:10:01Z' }],
    runs: [['2026-11-01T10:10:00Z', '2026-11-01T10:10:00.100Z']],
  },
  {
    name: 'un-suspend after misses, deadline covering the miss: it runs late',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/10 * * * *', suspend: true, startingDeadlineSeconds: 600 } }, { at: '2026-11-01T10:05:00Z' }, { patch: { spec: { suspend: false } } }],
    runs: [['2026-11-01T10:00:00Z', '2026-11-01T10:05:00.000Z']],
  },
  {
    name: 'more than 100 missed: a warning, and v2 still runs the latest slot',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '* * * * *', suspend: true } }, { at: '2026-11-01T11:00:30Z' }, { patch: { spec: { suspend: false } } }],
    runs: [['2026-11-01T11:00:00Z', '2026-11-01T11:00:30.000Z']],
    events: ['TooManyMissedTimes', 'SuccessfulCreate'],
  },
  {
    name: 'Forbid with a long-running Job: blocked slots wait, the latest starts when it ends',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '* * * * *', concurrencyPolicy: 'Forbid' }, annotations: { 'sandbox.migrate.dev/duration-seconds': '150' } }, { at: '2026-11-01T09:04:00Z' }],
    runs: [['2026-11-01T09:01:00Z', '2026-11-01T09:01:00.100Z'], ['2026-11-01T09:03:00Z', '2026-11-01T09:03:30.100Z']],
    events: ['SuccessfulCreate', 'JobAlreadyActive', 'JobAlreadyActive', 'SawCompletedJob', 'SuccessfulCreate'],
  },
  {
    name: 'Forbid with a deadline: a blocked slot past its deadline is skipped',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/2 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 10 }, annotations: { 'sandbox.migrate.dev/duration-seconds': '150' } }, { at: '2026-11-01T09:06:01Z' }],
    runs: [['2026-11-01T09:02:00Z', '2026-11-01T09:02:00.100Z'], ['2026-11-01T09:06:00Z', '2026-11-01T09:06:00.100Z']],
  },
  {
    name: 'Replace: the running Job is deleted and each slot starts on time',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '* * * * *', concurrencyPolicy: 'Replace' }, annotations: { 'sandbox.migrate.dev/duration-seconds': '150' } }, { at: '2026-11-01T09:03:01Z' }],
    runs: [['2026-11-01T09:01:00Z', '2026-11-01T09:01:00.100Z'], ['2026-11-01T09:02:00Z', '2026-11-01T09:02:00.100Z'], ['2026-11-01T09:03:00Z', '2026-11-01T09:03:00.100Z']],
    jobsLeft: 1,
  },
  {
    name: 'history limits: only the newest successful Jobs are kept',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/5 * * * *', successfulJobsHistoryLimit: 2 } }, { at: '2026-11-01T09:30:01Z' }],
    runs: ['09:05', '09:10', '09:15', '09:20', '09:25', '09:30'].map((t) => [`2026-11-01T${t}:00Z`, `2026-11-01T${t}:00.100Z`] as const),
    jobsLeft: 3, // 09:20 and 09:25 finished, 09:30 still running
  },
  {
    name: 'failed history limit 0: failed Jobs are removed at once',
    start: '2026-11-01T09:00:00Z',
    // backoffLimit 0: the Job fails with its first Pod, 30 s after it started.
    actions: [{ create: { schedule: '*/5 * * * *', failedJobsHistoryLimit: 0 }, annotations: { 'sandbox.migrate.dev/outcome': 'Failed' }, jobSpec: { backoffLimit: 0 } }, { at: '2026-11-01T09:11:00Z' }],
    runs: [['2026-11-01T09:05:00Z', '2026-11-01T09:05:00.100Z'], ['2026-11-01T09:10:00Z', '2026-11-01T09:10:00.100Z']],
    jobsLeft: 0,
  },
  {
    name: 'time zone, fall back: 01:30 New York runs twice',
    start: '2026-10-31T12:00:00Z',
    actions: [{ create: { schedule: '30 1 * * *', timeZone: 'America/New_York' } }, { at: '2026-11-02T12:00:00Z' }],
    runs: [['2026-11-01T05:30:00Z', '2026-11-01T05:30:00.100Z'], ['2026-11-01T06:30:00Z', '2026-11-01T06:30:00.100Z'], ['2026-11-02T06:30:00Z', '2026-11-02T06:30:00.100Z']],
  },
  {
    name: 'time zone, spring forward: 02:30 New York is skipped that day',
    start: '2026-03-07T12:00:00Z',
    actions: [{ create: { schedule: '30 2 * * *', timeZone: 'America/New_York' } }, { at: '2026-03-09T12:00:00Z' }],
    runs: [['2026-03-09T06:30:00Z', '2026-03-09T06:30:00.100Z']],
  },
  {
    name: 'a Job of the slot name created by someone else holds the slot, and the CronJob waits for an event',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/5 * * * *' } }, { foreignJobFor: '2026-11-01T09:05:00Z' }, { at: '2026-11-01T09:12:00Z' }, { patch: { metadata: { labels: { poke: 'yes' } } } }, { at: '2026-11-01T09:15:01Z' }],
    runs: [['2026-11-01T09:05:00Z', '2026-11-01T09:00:00.000Z'], ['2026-11-01T09:10:00Z', '2026-11-01T09:12:00.000Z'], ['2026-11-01T09:15:00Z', '2026-11-01T09:15:00.100Z']],
  },
  {
    name: 'a CronJob held by a foreign Job wakes at the informer resync (12 h)',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '0 * * * *' } }, { foreignJobFor: '2026-11-01T10:00:00Z' }, { at: '2026-11-01T22:00:01Z' }],
    runs: [['2026-11-01T10:00:00Z', '2026-11-01T09:00:00.000Z'], ['2026-11-01T21:00:00Z', '2026-11-01T21:00:00.500Z'], ['2026-11-01T22:00:00Z', '2026-11-01T22:00:00.100Z']],
  },
  {
    name: 'a Job for the slot with a controller reference to the CronJob is adopted; the next slot runs on time',
    start: '2026-11-01T09:00:00Z',
    actions: [{ create: { schedule: '*/5 * * * *' } }, { foreignJobFor: '2026-11-01T09:05:00Z', owned: true }, { at: '2026-11-01T09:10:01Z' }],
    runs: [['2026-11-01T09:05:00Z', '2026-11-01T09:00:00.000Z'], ['2026-11-01T09:10:00Z', '2026-11-01T09:10:00.100Z']],
  },
  {
    // The estimate (29 h elapsed / 1 h between the first two slots) starts its walk at Fri 15:30,
    // after the last slot of the week: no slot runs, and the requeue is aimed from now (Mon 10:30),
    // not from lastScheduleTime (Thu 11:30, already past).
    name: 'irregular schedule resumed after downtime with no slot to run: the requeue is the next slot after now',
    start: '2026-11-05T10:00:00Z',
    actions: [
      { create: { schedule: '30 10,11,12 * * 1-5' } },
      { at: '2026-11-05T10:30:01Z' },
      { patch: { spec: { suspend: true } } },
      { at: '2026-11-06T16:30:00Z' },
      { patch: { spec: { suspend: false } } },
      { at: '2026-11-09T10:30:01Z' },
    ],
    runs: [['2026-11-05T10:30:00Z', '2026-11-05T10:30:00.100Z'], ['2026-11-09T10:30:00Z', '2026-11-09T10:30:00.100Z']],
  },
];

const iso = (s: string | null) => (s === null ? null : new Date(s).toISOString());

async function api(h: Harness, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Record<string, any>> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { 'Content-Type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const CJ = '/apis/batch/v1/namespaces/default/cronjobs';

describe('CronJob controller v2 on the virtual clock', () => {
  test.each(rows)('$name', async (row) => {
    const h = await startHarness(row.start);
    try {
      for (const action of row.actions) {
        if ('create' in action) {
          await api(h, 'POST', CJ, {
            metadata: { name: 'nightly' },
            spec: {
              ...action.create,
              jobTemplate: {
                metadata: action.annotations ? { annotations: action.annotations } : undefined,
                spec: { ...action.jobSpec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
              },
            },
          });
        } else if ('at' in action) {
          // Work due before now would make advance() fire at one instant forever: fail instead.
          expect(h.standIn.controller.nextDueAt()?.getTime() ?? Infinity).toBeGreaterThan(h.clock.now().getTime());
          h.clock.advance((Date.parse(action.at) - h.clock.now().getTime()) / 1000);
        } else if ('patch' in action) {
          await api(h, 'PATCH', `${CJ}/nightly`, action.patch, 'application/merge-patch+json');
        } else {
          const slot = action.foreignJobFor;
          const uid = (await api(h, 'GET', `${CJ}/nightly`)).metadata.uid;
          const owner = { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid, controller: true };
          await api(h, 'POST', '/apis/batch/v1/namespaces/default/jobs', {
            metadata: { name: `nightly-${MIN(slot)}`, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': slot }, ...(action.owned ? { ownerReferences: [owner] } : {}) },
            spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
          });
        }
      }
      expect(h.ledger.all().map((e) => [e.scheduledFor, e.startedAt])).toEqual(row.runs.map(([slot, at]) => [iso(slot), iso(at)]));
      expect(h.ledger.all().every((e) => e.job === 'nightly' && e.system === 'kubernetes')).toBe(true);
      if (row.events) {
        const reasons = h.standIn.controller.events().map((e) => e.reason).filter((r) => row.events!.includes(r));
        expect(reasons).toEqual(row.events);
      }
      if (row.jobsLeft !== undefined) {
        const jobs = await api(h, 'GET', '/apis/batch/v1/namespaces/default/jobs');
        expect(jobs.items).toHaveLength(row.jobsLeft);
      }
    } finally {
      await h.close();
    }
  });
});

describe('what the controller writes', () => {
  test('timeZone Factory runs on UTC slots, and the annotation is stamped Z as Go prints offset 0', async () => {
    const h = await startHarness('2026-11-01T09:00:00Z');
    try {
      await api(h, 'POST', CJ, {
        metadata: { name: 'nightly' },
        spec: { schedule: '0 10 * * *', timeZone: 'Factory', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } } },
      });
      h.clock.advance(3600 + 1);
      expect(h.ledger.all().map((e) => e.scheduledFor)).toEqual(['2026-11-01T10:00:00.000Z']);
      const job = await api(h, 'GET', `/apis/batch/v1/namespaces/default/jobs/nightly-${MIN('2026-11-01T10:00:00Z')}`);
      expect(job.metadata.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-01T10:00:00Z' });
    } finally {
      await h.close();
    }
  });

  test('Job name, owner, annotation in the zone, status fields and Pods', async () => {
    const h = await startHarness('2026-11-01T09:00:00Z');
    try {
      await api(h, 'POST', CJ, {
        metadata: { name: 'nightly' },
        spec: { schedule: '0 5 * * *', timeZone: 'America/New_York', jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } } },
      });
      h.clock.advance(3600 + 1); // 05:00 New York (EST) = 10:00Z
      const cj = await api(h, 'GET', `${CJ}/nightly`);
      const jobName = `nightly-${MIN('2026-11-01T10:00:00Z')}`;
      expect(cj.status).toEqual({ active: [expect.objectContaining({ kind: 'Job', name: jobName, namespace: 'default' })], lastScheduleTime: '2026-11-01T10:00:00Z' });
      const job = await api(h, 'GET', `/apis/batch/v1/namespaces/default/jobs/${jobName}`);
      expect(job.metadata.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-01T05:00:00-05:00' });
      expect(job.metadata.labels.team).toBe('a');
      expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      const pods = await api(h, 'GET', '/api/v1/namespaces/default/pods');
      expect(pods.items.map((p: any) => p.status.phase)).toEqual(['Running']);
      h.clock.advance(30);
      const done = await api(h, 'GET', `${CJ}/nightly`);
      expect(done.status).toEqual({ lastScheduleTime: '2026-11-01T10:00:00Z', lastSuccessfulTime: '2026-11-01T10:00:30Z' });
      expect((await api(h, 'GET', '/api/v1/namespaces/default/pods')).items.map((p: any) => p.status.phase)).toEqual(['Succeeded']);
      // Deleting the CronJob (Background) takes its Jobs and their Pods.
      await api(h, 'DELETE', `${CJ}/nightly`, { propagationPolicy: 'Background' });
      expect((await api(h, 'GET', '/apis/batch/v1/namespaces/default/jobs')).items).toEqual([]);
      expect((await api(h, 'GET', '/api/v1/namespaces/default/pods')).items).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
