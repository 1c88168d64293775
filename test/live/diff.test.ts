/**
 * `migrate diff` against both stand-ins: kubectl's exit contract, the normalisation cases (an
 * untouched job, and a Chronos job that ran ten times and had its schedule rewritten, diff clean),
 * secrets masked, and the output as golden files (colour off, clock fixed).
 */
import { startBench, type LiveBench } from './harness.js';
import { expectGolden } from '../helpers/golden.js';
import { testWithKubectl } from '../helpers/kubectl.js';



const REPORT = 'name: nightly-report\nbackend: chronos\nschedule: "15 */2 * * *"\ncommand: [ruby, /app/report.rb]\nenv: {RAILS_ENV: production, API_TOKEN: s3cret-token}\nresources:\n  requests: {cpu: 0.1, memory: 128M}\n';
const SYNC = 'name: hourly-sync\nbackend: kubernetes\nschedule: "0 * * * *"\ncommand: "sync --all"\nenv: {DB_PASSWORD: hunter2, MODE: full}\n';

let b: LiveBench;
beforeAll(async () => {
  b = await startBench();
  b.job('nightly-report', REPORT);
  b.job('hourly-sync', SYNC);
});
afterAll(() => b.close());

describe('diff', () => {
  test('exit 1 and the whole object as an addition when the job is absent', async () => {
    const r = await b.cli('diff', 'nightly-report');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['--- LIVE chronos/nightly-report', '+++ DESIRED chronos/nightly-report']);
    expect(r.stdout).toContain('+schedule: R/2026-11-25T10:15:00.000Z/PT2H');
  });

  test('exit 0 and no output for jobs untouched since apply', async () => {
    expect((await b.cli('apply', '--yes')).code).toBe(0);
    const r = await b.cli('diff');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  test('a Chronos job that ran ten times (start moved, counters up) diffs clean', async () => {
    // 10:07 to 04:17 the next day: the slots 10:15, 12:15, ..., 04:15.
    await b.advance(18 * 3600 + 600);
    const live = ((await b.chronos('GET', '/jobs')).json as { name: string; schedule: string; successCount: number }[]).find((j) => j.name === 'nightly-report')!;
    expect(live.successCount).toBe(10);
    expect(live.schedule).not.toBe('R/2026-11-25T10:15:00.000Z/PT2H');
    const r = await b.cli('diff');
    expect([r.code, r.stdout]).toEqual([0, '']);
  });

  test('a Chronos schedule string with a different start on the same grid, and a finite count, diffs clean', async () => {
    const live = ((await b.chronos('GET', '/jobs')).json as Record<string, unknown>[]).find((j) => j.name === 'nightly-report')!;
    expect((await b.chronos('POST', '/iso8601', { ...live, schedule: 'R40/2026-12-03T08:15:00.000+01:00/PT2H' })).status).toBe(204);
    // 08:15+01:00 is 07:15Z, an odd hour: not the grid of "15 */2" (00:15, 02:15, ... UTC), so it differs.
    const odd = await b.cli('diff', 'nightly-report');
    expect(odd.code).toBe(1);
    expect((await b.chronos('POST', '/iso8601', { ...live, schedule: 'R40/2026-12-03T09:15:00.000+01:00/PT2H' })).status).toBe(204);
    // 09:15+01:00 is 08:15Z: the same grid, written with another start, offset and count.
    const even = await b.cli('diff', 'nightly-report');
    expect([even.code, even.stdout]).toEqual([0, '']);
  });

  testWithKubectl('a hand edit on each system: exit 1, secrets masked, golden output', async () => {
    const live = ((await b.chronos('GET', '/jobs')).json as Record<string, unknown>[]).find((j) => j.name === 'nightly-report')!;
    const env = [{ name: 'RAILS_ENV', value: 'staging' }, { name: 'API_TOKEN', value: 'leaked-token' }];
    expect((await b.chronos('POST', '/iso8601', { ...live, mem: 256, environmentVariables: env, schedule: 'R/2026-12-03T09:15:00.000Z/PT2H' })).status).toBe(204);
    const patch = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'DB_PASSWORD', value: 'changed' }, { name: 'MODE', value: 'full' }] }] } } } } } };
    expect((await b.kubectl('patch', 'cronjob', 'hourly-sync', '--type=strategic', '-p', JSON.stringify(patch))).code).toBe(0);
    const r = await b.cli('diff');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/leaked-token|s3cret-token|hunter2|changed/);
    expect(r.stdout).toContain('-    value: "*** (before)"\n+    value: "*** (after)"');
    expectGolden('diff', 'hand-edits.diff', r.stdout);
  });

  test('what the backend cannot carry is reported on stderr', async () => {
    b.job('limited', 'name: limited\nbackend: chronos\nschedule: "0 * * * *"\ncommand: [x]\nresources:\n  limits: {memory: 1Gi}\n');
    try {
      const r = await b.cli('diff', 'limited');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('warning: limited: dropped in translation: resources.limits.memory (1Gi) has no Chronos equivalent (Mesos allocates the request)\n');
    } finally {
      b.removeJob('limited');
    }
  });

  test('colour only when asked: on a terminal, never under --no-color or NO_COLOR', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const run = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { cwd: b.dir, env: { ...b.env, ...env }, isTTY: true });
    expect((await run(['diff', 'nightly-report'])).stdout).toContain('\u001b[31m-');
    expect((await run(['diff', 'nightly-report', '--no-color'])).stdout).not.toContain('\u001b[');
    expect((await run(['diff', 'nightly-report'], { NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await b.cli('diff', 'nightly-report')).stdout).not.toContain('\u001b[');
  });

  test.each([
    ['an unknown job', ['diff', 'no-such-job'], /^error: no such file or job: no-such-job/],
    ['a definition with problems', ['diff', 'broken'], /^error: \d+ problem\(s\) in the definitions; fix them first\njobs\/broken.yaml:/],
    ['an unknown flag', ['diff', '--colour'], /^error: Unknown argument: colour/],
  ])('%s is an error: exit 2, never 1', async (_what, argv, message) => {
    b.job('broken', 'name: broken\nbackend: chronos\n');
    try {
      const r = await b.cli(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    } finally {
      b.removeJob('broken');
    }
  });

  test('an unreachable system is an error: exit 2, with what to do', async () => {
    const r = await b.cliWith({ MIGRATE_CHRONOS_URL: 'http://127.0.0.1:9' }, 'diff', 'nightly-report');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read a live system\nchronos\/nightly-report: cannot reach Chronos at http:\/\/127\.0\.0\.1:9/);
    expect(r.stderr).toMatch(/\nCheck MIGRATE_CHRONOS_URL \(or --chronos-url\) and that Chronos, or `migrate sandbox`, is running\.\n$/);
  });
});
