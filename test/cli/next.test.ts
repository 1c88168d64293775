/** `migrate next`: fire times in both notations and the three verdicts, on the shipped jobs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function next(job: string, ...extra: string[]) {
  const r = await runCli(['next', job, '-o', 'json', ...extra], { cwd: root });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    verdict: string;
    reason: string | null;
    kubernetes: { fireTimes: string[] };
    chronos: { schedule: string; fireTimes: string[] } | null;
    differences: { date: string; onlyKubernetes: string[]; onlyChronos: string[] }[];
  };
}

test('equivalent: a daily job in a DST zone keeps its local time in both (P1D with scheduleTimeZone)', async () => {
  const n = await next('nightly-report', '--count', '3');
  expect(n.verdict).toBe('equivalent');
  expect(n.chronos?.schedule).toBe('R/2026-11-26T03:30:00.000+01:00/P1D');
  expect(n.kubernetes.fireTimes).toEqual(['2026-11-26T02:30:00Z', '2026-11-27T02:30:00Z', '2026-11-28T02:30:00Z']);
  expect(n.chronos?.fireTimes).toEqual(n.kubernetes.fireTimes);
});

test('not expressible: weekdays only have no single period, and the reason says so', async () => {
  const n = await next('weekday-digest');
  expect([n.verdict, n.chronos]).toEqual(['not-expressible', null]);
  expect(n.reason).toMatch(/fires at uneven intervals \(1 day, 3 days\)/);
});

test('differs: 02:00 in New York does not exist on the spring-forward day, which Chronos runs at 03:00', async () => {
  const n = await next('db-backup');
  expect(n.verdict).toBe('differs');
  expect(n.differences).toEqual([{ date: '2027-03-14', onlyKubernetes: [], onlyChronos: ['2027-03-14T07:00:00Z'] }]);
});

describe('next names a job the way status and validate do', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-next-'));
    fs.mkdirSync(path.join(dir, 'jobs'));
    fs.writeFileSync(path.join(dir, 'jobs', 'typo.yaml'), 'name: typo\nbackend: chronos\nschedule: "0 3 * * *"\ncomand: [/bin/true]\n');
    fs.writeFileSync(path.join(dir, 'trial.yaml'), 'name: trial\nbackend: chronos\nschedule: "*/15 * * * *"\ncommand: [/bin/true]\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a definition file outside the jobs folder', async () => {
    const result = await runCli(['next', path.join(dir, 'trial.yaml'), '-o', 'json', '--count', '2'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'trial', verdict: 'equivalent', kubernetes: { fireTimes: ['2026-11-25T10:15:00Z', '2026-11-25T10:30:00Z'] } });
  });

  test('a job file with a problem shows its diagnostics, exit 1', async () => {
    const result = await runCli(['next', 'typo'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/no job named/);
    expect(result.stderr).toContain('jobs/typo.yaml:4:1: error: unknown field "comand"; did you mean "command"?\n');
  });
});

test('--count outside 1..1000 is an error that says what it got and what to give', async () => {
  const r = await runCli(['next', 'nightly-report', '--count', '0'], { cwd: root });
  expect([r.code, r.stderr, r.stdout]).toEqual([1, 'error: --count must be a whole number from 1 to 1000, not 0\ne.g. --count 20; the default is 5.\n', '']);
});
