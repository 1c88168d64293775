/**
 * The move of a paused job: neither system owes a slot, so the move does not wait for a handoff;
 * the source stays switched off, the target is written switched off, the definition follows, and
 * nothing runs anywhere. Rollback, resume of a killed move and a refused target write keep it so.
 */
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { killedMove, type KillPoint } from './kill-bench.js';
import { other } from './rehearsal.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const PAUSED = jobYaml('job', 'chronos', SCHEDULE, { lines: 'paused: true' });

let repo: SandboxRepo;
afterEach(() => repo.close());

const pausedOn = (system: SystemName) => PAUSED.replace('backend: chronos', `backend: ${system}`);
const statusOf = async () => (JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { declared: string; verdict: string; chronos: { present: boolean; enabled: boolean }; kubernetes: { present: boolean; enabled: boolean } }[])[0]!;
const steps = () => repo.journal().map((r) => (r.kind === 'step' ? r.step : r.kind));

/** Paused where declared and switched off everywhere else, `ok`; and nothing ran for an hour after. */
async function expectPausedOn(system: SystemName): Promise<void> {
  expect(await statusOf()).toMatchObject({ declared: system, verdict: 'ok', [system]: { present: true, enabled: false }, [other(system)]: { enabled: false } });
  const mark = repo.now();
  await repo.advance(3600);
  expect((await repo.runs('job')).filter((r) => Date.parse(r.startedAt) > mark.getTime())).toEqual([]);
}

test.each<SystemName>(['chronos', 'kubernetes'])('from %s: moved paused at once, without waiting for a handoff; rollback brings it back paused', async (from) => {
  const to = other(from);
  repo = await startSandboxRepo({ start: '2026-11-25T10:09:50Z', jobs: { job: pausedOn(from) } });
  // 10:09:50 is within the guard of the 10:10 slot: a running job's move would wait until 10:10:30.
  const before = repo.now();
  const r = await repo.cli('move', 'job', '--to', to, '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining(`done: job: now on ${to}, paused (it runs nothing there either)`)]);
  expect(r.stdout).toContain('No handoff: the job is paused, so neither system owes a slot and the move does not wait.');
  expect(repo.now()).toEqual(before);
  expect(repo.readJob('job')).toBe(pausedOn(to));
  expect(steps()).toEqual(['begin', 'locked', 'source-disabled', 'write', 'target-paused', 'verified', 'definition-written', 'done']);
  await expectPausedOn(to);

  const back = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
  expect(back.code).toBe(0);
  expect(repo.readJob('job')).toBe(pausedOn(from));
  await expectPausedOn(from);
});

test('a paused job that is enabled on its source is refused: apply switches it off first', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  repo.writeJob('job', PAUSED);
  const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Refused: job is paused in its definition but enabled in chronos: `migrate apply job` switches it off first');
  expect(repo.journal()).toEqual([]);
});

test('a target that refuses the paused copy: nothing changed, still paused on the source', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: PAUSED } });
  await repo.fault({ system: 'kubernetes', method: 'POST', path: '/cronjobs$', status: 500 });
  const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('FAILED: move of job refused: kubernetes did not take the paused copy');
  expect(r.stdout).toContain('Nothing changed: job stays paused on chronos.');
  expect(repo.readJob('job')).toBe(PAUSED);
  await expectPausedOn('chronos');
});

describe('killed in the middle', () => {
  const killedBeforeTarget: KillPoint = { name: 'after source-disabled', record: 'source-disabled', when: 'after', sourceDisabled: true };
  const killedAfterTarget: KillPoint = { name: 'after the target was written, before recording it', record: 'target-paused', when: 'before', sourceDisabled: true };

  test.each([killedBeforeTarget, killedAfterTarget].map((k) => [k.name, k] as const))('%s: resume finishes it paused', async (_name, kill) => {
    repo = await startSandboxRepo({ start: START, jobs: { job: PAUSED } });
    expect(await killedMove(repo, 'chronos', 'kubernetes', kill)).toBe('killed');
    const r = await repo.cli('resume', 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('finished: job is paused on kubernetes (it runs nothing).')]);
    expect(r.stdout).toContain('a paused job: chronos -> kubernetes\n');
    expect(r.stdout).toContain('  kubernetes will be written switched off and the definition set to kubernetes; nothing runs on either');
    expect(repo.readJob('job')).toBe(pausedOn('kubernetes'));
    await expectPausedOn('kubernetes');
  });

  test('after the target was written: rollback leaves it paused on the source', async () => {
    repo = await startSandboxRepo({ start: START, jobs: { job: PAUSED } });
    expect(await killedMove(repo, 'chronos', 'kubernetes', killedAfterTarget)).toBe('killed');
    const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('rolled back: job is paused on chronos; kubernetes is switched off.')]);
    expect(repo.readJob('job')).toBe(PAUSED);
    await expectPausedOn('chronos');
  });
});
