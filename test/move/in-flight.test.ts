/** A run in flight on the source with concurrency forbid: waited for (and shown), or the move refused; never overlapped. */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const job = (runSeconds: number) => jobYaml('job', 'chronos', SCHEDULE, { lines: `concurrency: forbid\nenv: {SANDBOX_RUN_SECONDS: "${runSeconds}"}` });

test('a run that ends before the margin is waited for, then the job moves', async () => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: job(200) } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z'); // the 10:10 run lasts until 10:13:20
    const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
    expect(r.stderr).toMatch(/waiting \d+ s: the source is still running \(concurrency forbid\): waiting for it to finish/);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: (s) => (s.getTime() < Date.parse('2026-11-25T10:15:00Z') ? 'chronos' : 'kubernetes') });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});

test('runs that never leave a margin: re-planned, then refused with nothing changed', async () => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: job(290) } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    const definition = repo.readJob('job');
    const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/re-planned \(the source is still running a run and concurrency is forbid\)/);
    expect(r.stdout).toContain('FAILED: move of job refused: the source (chronos) is still running a run and concurrency is forbid for 4 handoff windows; nothing was changed');
    expect(repo.readJob('job')).toBe(definition);
    expect(JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ declared: 'chronos', chronos: { enabled: true }, kubernetes: { present: false }, verdict: 'ok' }]);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: () => 'chronos' });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});
