/**
 * GET /v1/scheduler/job/stat/{name} as Chronos 3.x answers it (JobManagementResource.getStat,
 * JobStatWrapperSerializer): the newest tasks first, at most --job_history_limit of them, with
 * Joda times and periods, and a histogram of the successful tasks' run times.
 */
import { SandboxClock } from '../../src/sandbox/clock.js';
import { postJson, startChronos, T0, type TestChronos } from './helpers.js';
import type { ChronosTaskStat } from '../../backends/chronos/client.js';

const P = '/v1/scheduler';


interface JobStatJson {
  readonly histogram: Readonly<Record<string, number>>;
  readonly taskStatHistory: readonly ChronosTaskStat[];
}

const started: TestChronos[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.close()));
});

async function start(options: Parameters<typeof startChronos>[0] = {}): Promise<TestChronos> {
  const c = await startChronos(options);
  started.push(c);
  return c;
}

/** Every ten minutes from 10:01, each run lasting `seconds`. */
async function tick(c: TestChronos, env: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<void> {
  const environmentVariables = Object.entries(env).map(([name, value]) => ({ name, value }));
  const res = await postJson(c, `${P}/iso8601`, { name: 'tick', command: 'true', schedule: 'R/2026-05-01T10:01:00Z/PT10M', environmentVariables, ...extra });
  expect(res.status).toBe(204);
}

async function stat(c: TestChronos, name = 'tick'): Promise<JobStatJson> {
  const res = await c.fetch(`${P}/job/stat/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as JobStatJson;
}

const advance = (c: TestChronos, seconds: number) => (c.ctx.clock as SandboxClock).advance(seconds);

test('the newest tasks first, as the serializer writes them, and the run-time histogram', async () => {
  const c = await start();
  await tick(c, { SANDBOX_RUN_SECONDS: '90' });
  advance(c, 35 * 60);
  const body = await stat(c);
  const starts = ['10:31', '10:21', '10:11', '10:01'];
  expect(body.taskStatHistory.map(({ taskId: _id, ...rest }) => rest)).toEqual(starts.map((hm) => ({
    jobName: 'tick',
    slaveId: expect.stringMatching(/^\d{8}-\d{6}-\d+-5050-\d+-S\d+$/) as string,
    startTime: `05/01/26 ${hm}:00`,
    endTime: `05/01/26 ${hm.slice(0, 3)}${String(Number(hm.slice(3)) + 1).padStart(2, '0')}:30`,
    duration: '1m30s',
    status: 'Success',
  })));
  // ct:<due ms>:<attempt>:<job>:<arguments>
  expect(body.taskStatHistory.map((t) => t.taskId.split(':').slice(0, 4).join(':'))).toEqual(starts.map((hm) => `ct:${Date.parse(`2026-05-01T${hm}:00Z`)}:0:tick`));
  expect(body.histogram).toEqual({ '75thPercentile': 90000, '95thPercentile': 90000, '98thPercentile': 90000, '99thPercentile': 90000, median: 90000, mean: 90000, count: 4 });
});

test('at most --job_history_limit tasks (5 by default); a running task has no end and no duration', async () => {
  const c = await start();
  await tick(c);
  advance(c, 61 * 60 + 10);
  const history = (await stat(c)).taskStatHistory;
  expect(history.map((t) => t.startTime)).toEqual(['11:01', '10:51', '10:41', '10:31', '10:21'].map((hm) => `05/01/26 ${hm}:00`));
  expect(history[0]).toMatchObject({ status: 'Running', endTime: 'N/A' });
  expect(history[0]).not.toHaveProperty('duration');

  const limited = await start({ jobHistoryLimit: 2 });
  await tick(limited);
  advance(limited, 60 * 60);
  expect((await stat(limited)).taskStatHistory.map((t) => t.startTime)).toEqual(['05/01/26 10:51:00', '05/01/26 10:41:00']);
});

test('a failed task and its retry are two tasks, the retry with the next attempt number; a kill is a Fail', async () => {
  const c = await start();
  await tick(c, { SANDBOX_OUTCOME: 'failure' }, { retries: 1 });
  advance(c, 3 * 60);
  const failed = (await stat(c)).taskStatHistory;
  expect(failed.map((t) => [t.taskId.split(':').slice(1, 3).join(':'), t.startTime, t.status])).toEqual([
    [`${Date.parse('2026-05-01T10:02:30Z')}:1`, '05/01/26 10:02:30', 'Fail'],
    [`${Date.parse('2026-05-01T10:01:00Z')}:0`, '05/01/26 10:01:00', 'Fail'],
  ]);
  expect((await stat(c)).histogram.count).toBe(0);

  await postJson(c, `${P}/iso8601`, { name: 'long', command: 'true', schedule: 'R/2026-05-01T10:05:00Z/PT1H', environmentVariables: [{ name: 'SANDBOX_RUN_SECONDS', value: '600' }] });
  advance(c, 3 * 60);
  expect((await c.fetch(`${P}/task/kill/long`, { method: 'DELETE' })).status).toBe(204);
  expect((await stat(c, 'long')).taskStatHistory).toEqual([expect.objectContaining({ startTime: '05/01/26 10:05:00', endTime: '05/01/26 10:06:00', duration: '1m0s', status: 'Fail' })]);
});

test('a Chronos without Cassandra keeps no task history', async () => {
  const c = await start({ taskHistory: false });
  await tick(c);
  advance(c, 35 * 60);
  const body = await stat(c);
  expect(body.taskStatHistory).toEqual([]);
  expect(body.histogram.count).toBe(4);
});

test('the history survives a restore from --state-dir; the histogram, in memory on the server, does not', async () => {
  const c = await start();
  await tick(c);
  advance(c, 15 * 60);
  const saved = c.standIn.snapshot();
  const again = await start({ start: new Date(T0.getTime() + 15 * 60_000) });
  again.standIn.restore(JSON.parse(JSON.stringify(saved)));
  const body = await stat(again);
  expect(body.taskStatHistory.map((t) => t.startTime)).toEqual(['05/01/26 10:11:00', '05/01/26 10:01:00']);
  expect(body.histogram.count).toBe(0);
});
