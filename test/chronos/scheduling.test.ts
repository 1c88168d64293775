/**
 * The 3.x scheduler on the virtual clock (docs/chronos.md, "Scheduling"), as a table: jobs are posted over
 * HTTP, time is advanced, and the run ledger and the jobs as GET shows them are compared.
 * Times in the table drop the day `2026-05-01T` and `.000Z` when they are on that day.
 */
import { postJson, startChronos, type TestChronos } from './helpers.js';

const P = '/v1/scheduler';

type Step =
  | { readonly post: Record<string, unknown>; readonly endpoint?: 'iso8601' | 'dependency' }
  | { readonly advance: number }
  | { readonly start: string }
  | { readonly kill: string };

interface Scenario {
  readonly title: string;
  readonly clock?: string;
  readonly steps: readonly Step[];
  /** `job slot@startedAt` per ledger entry, `-` for a run without a slot. */
  readonly runs: readonly string[];
  /** Fields of jobs as GET /job/{name} returns them at the end. */
  readonly jobs?: Readonly<Record<string, Record<string, unknown>>>;
}

const fast = [{ name: 'SANDBOX_RUN_SECONDS', value: '10' }];

const scenarios: readonly Scenario[] = [
  {
    title: 'future start: runs at each occurrence, on time',
    steps: [{ post: { name: 'a', schedule: 'R/2026-05-01T10:05:00Z/PT5M' } }, { advance: 16 * 60 }],
    runs: ['a 10:05:00@10:05:00', 'a 10:10:00@10:10:00', 'a 10:15:00@10:15:00'],
    jobs: { a: { schedule: 'R/2026-05-01T10:20:00.000Z/PT5M', successCount: 3, lastSuccess: '2026-05-01T10:15:30.000Z' } },
  },
  {
    title: 'past start: runs at once when posted, then on the grid',
    steps: [{ post: { name: 'a', schedule: 'R/2026-05-01T09:58:00Z/PT5M' } }, { advance: 4 * 60 }],
    runs: ['a 09:58:00@10:00:00', 'a 10:03:00@10:03:00'],
    jobs: { a: { schedule: 'R/2026-05-01T10:08:00.000Z/PT5M' } },
  },
  {
    title: 'an empty start (R//PT1H) is now minus one second: it runs at once',
    steps: [{ post: { name: 'a', schedule: 'R//PT1H' } }],
    runs: ['a 09:59:59@10:00:00'],
    jobs: { a: { schedule: 'R/2026-05-01T10:59:59.000Z/PT1H' } },
  },
  {
    title: 'several missed occurrences give one late run, then the grid resumes',
    steps: [{ post: { name: 'a', schedule: 'R/2026-05-01T07:00:00Z/PT1H' } }, { advance: 3600 }],
    runs: ['a 07:00:00@10:00:00', 'a 11:00:00@11:00:00'],
    jobs: { a: { schedule: 'R/2026-05-01T12:00:00.000Z/PT1H' } },
  },
  {
    title: 'R2 counts down to R0 and disables itself after the last success',
    steps: [{ post: { name: 'a', schedule: 'R2/2026-05-01T10:01:00Z/PT1M' } }, { advance: 10 * 60 }],
    runs: ['a 10:01:00@10:01:00', 'a 10:02:00@10:02:00'],
    jobs: { a: { schedule: 'R0/2026-05-01T10:03:00.000Z/PT1M', disabled: true, successCount: 2 } },
  },
  {
    title: 'an R0 whose last run failed stays enabled and never runs again',
    steps: [
      { post: { name: 'a', schedule: 'R1/2026-05-01T10:01:00Z/PT1M', retries: 0, environmentVariables: [{ name: 'SANDBOX_OUTCOME', value: 'failure' }] } },
      { advance: 10 * 60 },
    ],
    runs: ['a 10:01:00@10:01:00'],
    jobs: { a: { schedule: 'R0/2026-05-01T10:02:00.000Z/PT1M', disabled: false, errorCount: 1, errorsSinceLastSuccess: 1, lastError: '2026-05-01T10:01:30.000Z' } },
  },
  {
    title: 'a disabled job is frozen; re-enabled with its past start it runs at once, then skips forward',
    steps: [
      { post: { name: 'a', schedule: 'R/2026-05-01T10:01:00Z/PT1M', disabled: true } },
      { advance: 5 * 60 },
      { post: { name: 'a', schedule: 'R/2026-05-01T10:01:00Z/PT1M', disabled: false } },
      { advance: 60 },
    ],
    runs: ['a 10:01:00@10:05:00', 'a 10:06:00@10:06:00'],
    jobs: { a: { schedule: 'R/2026-05-01T10:07:00.000Z/PT1M', disabled: false } },
  },
  {
    title: 'manual start: no slot; a future start is kept but Rn still drops and the string is re-printed',
    steps: [{ post: { name: 'a', schedule: 'R3/2026-05-01T13:00:00+02:00/PT1H' } }, { start: 'a' }],
    runs: ['a -@10:00:00'],
    jobs: { a: { schedule: 'R2/2026-05-01T13:00:00.000+02:00/PT1H', successCount: 0 } },
  },
  {
    title: 'manual start of a disabled job answers 204 but never runs',
    steps: [{ post: { name: 'a', schedule: 'R/2026-05-01T13:00:00Z/PT1H', disabled: true } }, { start: 'a' }, { advance: 60 }],
    runs: [],
  },
  {
    title: 'concurrent:false: occurrences due during a run wait for it and run late, once',
    steps: [
      { post: { name: 'a', schedule: 'R/2026-05-01T10:01:00Z/PT1M', environmentVariables: [{ name: 'SANDBOX_RUN_SECONDS', value: '150' }] } },
      { advance: 60 + 30 },
      { start: 'a' },
      { advance: 270 },
    ],
    runs: ['a 10:01:00@10:01:00', 'a 10:02:00@10:03:30', 'a 10:04:00@10:06:00'],
  },
  {
    title: 'concurrent:true: runs overlap on the grid',
    steps: [
      { post: { name: 'a', concurrent: true, schedule: 'R/2026-05-01T10:01:00Z/PT1M', environmentVariables: [{ name: 'SANDBOX_RUN_SECONDS', value: '150' }] } },
      { advance: 3 * 60 },
    ],
    runs: ['a 10:01:00@10:01:00', 'a 10:02:00@10:02:00', 'a 10:03:00@10:03:00'],
  },
  {
    title: 'a failure is retried 60 s later for the same slot, then counted once',
    steps: [
      { post: { name: 'a', schedule: 'R/2026-05-01T10:01:00Z/PT1H', environmentVariables: [{ name: 'SANDBOX_OUTCOME', value: 'failure' }, ...fast] } },
      { advance: 10 * 60 },
    ],
    runs: ['a 10:01:00@10:01:00', 'a 10:01:00@10:02:10', 'a 10:01:00@10:03:20'],
    jobs: { a: { errorCount: 1, errorsSinceLastSuccess: 1, lastError: '2026-05-01T10:03:30.000Z', successCount: 0 } },
  },
  {
    title: 'dependent jobs run after their parents; a two-parent child once both have run',
    steps: [
      { post: { name: 'p', schedule: 'R1/2026-05-01T10:01:00Z/PT1H', environmentVariables: fast } },
      { post: { name: 'q', schedule: 'R1/2026-05-01T10:05:00Z/PT1H', environmentVariables: fast } },
      { endpoint: 'dependency', post: { name: 'c1', parents: ['p'], environmentVariables: fast } },
      { endpoint: 'dependency', post: { name: 'c2', parents: ['p', 'q'], environmentVariables: fast } },
      { endpoint: 'dependency', post: { name: 'off', parents: ['p'], disabled: true } },
      { advance: 10 * 60 },
    ],
    runs: ['p 10:01:00@10:01:00', 'c1 -@10:01:10', 'q 10:05:00@10:05:00', 'c2 -@10:05:10'],
    jobs: { c1: { successCount: 1 }, c2: { successCount: 1 }, off: { successCount: 0 } },
  },
  {
    title: 'a failed parent does not trigger its child unless softError',
    steps: [
      { post: { name: 'p', retries: 0, softError: true, schedule: 'R1/2026-05-01T10:01:00Z/PT1H', environmentVariables: [{ name: 'SANDBOX_OUTCOME', value: 'failure' }, ...fast] } },
      { post: { name: 'h', retries: 0, schedule: 'R1/2026-05-01T10:01:00Z/PT1H', environmentVariables: [{ name: 'SANDBOX_OUTCOME', value: 'failure' }, ...fast] } },
      { endpoint: 'dependency', post: { name: 'soft', parents: ['p'] } },
      { endpoint: 'dependency', post: { name: 'hard', parents: ['h'] } },
      { advance: 5 * 60 },
    ],
    runs: ['p 10:01:00@10:01:00', 'h 10:01:00@10:01:00', 'soft -@10:01:10'],
  },
  {
    title: 'killing the running task ends it without bookkeeping',
    steps: [{ post: { name: 'a', schedule: 'R/2026-05-01T10:01:00Z/PT1H' } }, { advance: 70 }, { kill: 'a' }, { advance: 600 }],
    runs: ['a 10:01:00@10:01:00'],
    jobs: { a: { successCount: 0, errorCount: 0 } },
  },
  {
    title: 'DST with scheduleTimeZone: P1D keeps 09:00 local across the October change',
    clock: '2026-10-23T12:00:00Z',
    steps: [{ post: { name: 'd', scheduleTimeZone: 'Europe/Paris', schedule: 'R/2026-10-24T09:00:00/P1D' } }, { advance: 3 * 86400 }],
    runs: ['d 2026-10-24T07:00:00@2026-10-24T07:00:00', 'd 2026-10-25T08:00:00@2026-10-25T08:00:00', 'd 2026-10-26T08:00:00@2026-10-26T08:00:00'],
    jobs: { d: { schedule: 'R/2026-10-27T09:00:00.000+01:00/P1D' } },
  },
  {
    title: 'DST with scheduleTimeZone: PT24H drifts an hour of local time',
    clock: '2026-10-23T12:00:00Z',
    steps: [{ post: { name: 'h', scheduleTimeZone: 'Europe/Paris', schedule: 'R/2026-10-24T09:00:00/PT24H' } }, { advance: 3 * 86400 }],
    runs: ['h 2026-10-24T07:00:00@2026-10-24T07:00:00', 'h 2026-10-25T07:00:00@2026-10-25T07:00:00', 'h 2026-10-26T07:00:00@2026-10-26T07:00:00'],
    jobs: { h: { schedule: 'R/2026-10-27T08:00:00.000+01:00/PT24H' } },
  },
  {
    title: 'the rewritten string: count down, start past the launch, millis, the zone offset, period re-printed',
    steps: [{ post: { name: 'f', schedule: 'R5/2026-05-01T12:00+02:00/PT120M' } }],
    runs: ['f 10:00:00@10:00:00'],
    jobs: { f: { schedule: 'R4/2026-05-01T14:00:00.000+02:00/PT120M' } },
  },
];

function short(iso: string | null): string {
  if (iso === null) return '-';
  return iso.replace(/\.000Z$/, '').replace(/^2026-05-01T/, '');
}

let chronos: TestChronos | undefined;
afterEach(async () => {
  await chronos?.close();
  chronos = undefined;
});

test.each(scenarios)('$title', async ({ clock, steps, runs, jobs }) => {
  chronos = await startChronos(clock ? { start: new Date(clock) } : {});
  const c = chronos;
  for (const step of steps) {
    if ('post' in step) {
      const res = await postJson(c, `${P}/${step.endpoint ?? 'iso8601'}`, { command: 'true', ...step.post });
      expect(res.status).toBe(204);
    } else if ('advance' in step) {
      c.ctx.clock.advance(step.advance);
    } else if ('start' in step) {
      expect((await c.fetch(`${P}/job/${step.start}`, { method: 'PUT' })).status).toBe(204);
    } else {
      expect((await c.fetch(`${P}/task/kill/${step.kill}`, { method: 'DELETE' })).status).toBe(204);
    }
  }
  expect(c.ctx.ledger.all().map((r) => `${r.job} ${short(r.scheduledFor)}@${short(r.startedAt)}`)).toEqual(runs);
  for (const [name, fields] of Object.entries(jobs ?? {})) {
    const res = await c.fetch(`${P}/job/${name}`);
    expect(await res.json()).toMatchObject(fields);
  }
});
