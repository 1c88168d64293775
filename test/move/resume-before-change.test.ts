/**
 * `resume` of a move (or a rollback) killed before it changed anything: while it waited for its
 * handoff instant, with the source still enabled and the target absent or disabled. The move runs
 * again through the whole protocol with a fresh handoff, the interrupted one is closed naming the
 * new one, and the ledger shows every slot once, on the system that owned it. Also: `resume` of a
 * job nobody defined is an error, as in every other command.
 */
import type { BeginRecord, JournalRecord } from '../../src/core/journal.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { KILL_POINTS, killedMove } from './kill-bench.js';
import { killTable } from './kill-cases.js';
import { firstSlotOf, other, ownerOf } from './rehearsal.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const beforeAnyChange = KILL_POINTS.filter((p) => !p.sourceDisabled);
const locked = KILL_POINTS.find((p) => p.name === 'after locked')!;

// The reverse direction of kill-resume.test.ts, for the kill points before any change.
killTable('resume', 'kubernetes', beforeAnyChange);

const begins = (journal: readonly JournalRecord[]) => journal.filter((r): r is BeginRecord => r.kind === 'begin');

/**
 * Checks the journal after `resume` ran the interrupted move again: the interrupted move is
 * closed (`aborted`, naming the new one) just before the new one's `begin`, the new one is done,
 * and its handoff was planned afresh. Returns the new move's records.
 */
function expectRunAgain(repo: SandboxRepo, interrupted: BeginRecord, stdout: string): JournalRecord[] {
  const journal = repo.journal();
  const fresh = begins(journal).at(-1)!;
  expect(fresh.id).not.toBe(interrupted.id);
  expect([fresh.operation, fresh.from, fresh.to, fresh.undoes]).toEqual([interrupted.operation, interrupted.from, interrupted.to, interrupted.undoes]);
  expect(Date.parse(fresh.handoff.at)).toBeGreaterThan(Date.parse(interrupted.handoff.at));

  const closed = journal.findIndex((r) => r.id === interrupted.id && r.kind === 'aborted');
  expect(journal[closed]).toMatchObject({ kind: 'aborted', reason: expect.stringContaining(`resumed as move ${fresh.id}`), state: `nothing changed: job still ran on ${interrupted.from}` });
  expect(journal[closed + 1]).toBe(fresh);
  expect(journal.filter((r) => r.id === interrupted.id).map((r) => (r.kind === 'step' ? r.step : r.kind))).toEqual(['begin', 'locked', 'aborted']);

  const records = journal.filter((r) => r.id === fresh.id);
  expect(records.map((r) => (r.kind === 'step' ? r.step : r.kind))).toEqual(['begin', 'locked', 'write', 'source-disabled', 'target-enabled', 'verified', 'definition-written', 'done']);
  expect(stdout).toContain(`ran again as move ${fresh.id}, handoff ${fresh.handoff.at}`);
  return records;
}

async function expectHistoryTrue(repo: SandboxRepo, interrupted: string): Promise<void> {
  const history = JSON.parse((await repo.cli('history', 'job', '-o', 'json')).stdout) as { id: string; outcome: string }[];
  expect(history.filter((m) => m.outcome === 'in-flight')).toEqual([]);
  expect(history.find((m) => m.id === interrupted)).toMatchObject({ outcome: 'aborted' });
  expect(history[0]).toMatchObject({ outcome: 'done' });
}

test.each<SystemName>(['chronos', 'kubernetes'])('a move from %s killed while it waited for its handoff: resume runs it again with a fresh handoff', async (from) => {
  const to = other(from);
  const original = jobYaml('job', from, SCHEDULE);
  const repo = await startSandboxRepo({ start: START, jobs: { job: original } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    expect(await killedMove(repo, from, to, locked)).toBe('killed');
    const interrupted = begins(repo.journal())[0]!;

    // Back well after the old handoff instant: two slots ran on the source meanwhile.
    await repo.advance(10 * 60);
    const r = await repo.cli('resume', 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining(`done: finished: job runs on ${to} from `)]);
    expect(r.stdout).toContain('If nothing changed yet');
    expect(r.stderr).toContain(`[job] verified: ${from} disabled, ${to} enabled`);
    const records = expectRunAgain(repo, interrupted, r.stdout);

    expect(repo.readJob('job')).toBe(original.replace(`backend: ${from}`, `backend: ${to}`));
    expect(JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ declared: to, verdict: 'ok' }]);
    await expectHistoryTrue(repo, interrupted.id);

    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: ownerOf(from, [{ from: firstSlotOf(records), to }]) });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});

test.each<SystemName>(['chronos', 'kubernetes'])('a rollback to %s killed while it waited for its handoff: resume finishes the rollback', async (home) => {
  const away = other(home);
  const original = jobYaml('job', home, SCHEDULE);
  const repo = await startSandboxRepo({ start: START, jobs: { job: original } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    expect((await repo.cli('move', 'job', '--to', away, '--yes', '--advance-sandbox')).code).toBe(0);
    const moved = begins(repo.journal())[0]!;
    const movedRecords = repo.journal().filter((r) => r.id === moved.id);
    await repo.advance(20 * 60);

    expect(await killedMove(repo, away, home, locked, false, async () => undefined, moved.id)).toBe('killed');
    const interrupted = begins(repo.journal()).at(-1)!;
    expect(interrupted).toMatchObject({ operation: 'rollback', undoes: moved.id });
    expect(JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ verdict: 'in-flight' }]);

    await repo.advance(10 * 60);
    const r = await repo.cli('resume', 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining(`done: finished: job runs on ${home} from `)]);
    const records = expectRunAgain(repo, interrupted, r.stdout);

    // A finished rollback puts the definition back byte for byte, as `rollback` does.
    expect(repo.readJob('job')).toBe(original);
    expect(JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ declared: home, verdict: 'ok' }]);
    await expectHistoryTrue(repo, interrupted.id);

    await repo.advance(3600);
    const owner = ownerOf(home, [
      { from: firstSlotOf(movedRecords), to: away },
      { from: firstSlotOf(records), to: home },
    ]);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: owner });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});

test('resume refuses a job nobody defined, and says there is nothing to do for a known job with no unfinished move', async () => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  try {
    const unknown = await repo.cli('resume', 'nope', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job named "nope" in jobs');
    expect(unknown.stderr).toContain('Known jobs: job');
    expect(unknown.stdout).not.toContain('Nothing to resume');

    const known = await repo.cli('resume', 'job', '--yes');
    expect([known.code, known.stdout]).toEqual([0, 'Nothing to resume: the journal has no unfinished move of job.\n']);
    expect(repo.journal()).toEqual([]);
  } finally {
    await repo.close();
  }
});

test('resume --help lists its exit codes', async () => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) }, apply: false });
  try {
    const help = await repo.cli('resume', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('Exit 0 finished, or nothing to resume; 1 an error');
  } finally {
    await repo.close();
  }
});
