/** The process killed after each step of a move, then `status`, and `resume` or `rollback`: checked against the ledger. */
import { cronTimesUntil, parseCron } from '../../src/core/schedule/cron.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';
import { KILL_POINTS, killedMove, type KillPoint } from './kill-bench.js';
import { other } from './rehearsal.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';

/** Slots named in a command's output (RFC 3339). */
const named = (text: string) => new Set((text.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g) ?? []).map((t) => new Date(t).toISOString()));

export function killTable(finish: 'resume' | 'rollback', from: SystemName, points: readonly KillPoint[] = KILL_POINTS, comeBackSeconds = 60): void {
  const to = other(from);
  test.each(points.map((p) => [p.name, p] as const))(`${from} -> ${to}, killed %s, back after ${comeBackSeconds} s: ${finish}`, async (_, point) => {
    const original = jobYaml('job', from, SCHEDULE);
    const repo = await startSandboxRepo({ start: START, jobs: { job: original } });
    try {
      await repo.advanceTo('2026-11-25T10:12:30Z');
      expect(await killedMove(repo, from, to, point)).toBe('killed');

      const status = await repo.cli('status', 'job', '-o', 'json');
      expect(JSON.parse(status.stdout)).toMatchObject([{ verdict: 'in-flight', reason: expect.stringContaining('migrate resume job') }]);

      await repo.advance(comeBackSeconds);
      const r = await repo.cli(finish, 'job', '--yes', '--advance-sandbox');
      // Resume carries the move forward from any step (one that had changed nothing runs again with a fresh handoff).
      const forward = finish === 'resume';
      expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(forward ? new RegExp(`done: finished: job runs on ${to}`) : new RegExp(`done: rolled back: job runs on ${from}`))]);
      if (forward) expect(repo.readJob('job')).toBe(original.replace(`backend: ${from}`, `backend: ${to}`));
      else expect(repo.readJob('job')).toBe(original);
      const after = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { declared: string; verdict: string }[];
      expect(after).toMatchObject([{ declared: forward ? to : from, verdict: 'ok' }]);

      await repo.advance(3600);
      const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
      expect({ doubled: v.doubled, unscheduled: v.unscheduled, late: v.late }).toEqual({ doubled: [], unscheduled: [], late: [] });
      // A slot lost while the job ran nowhere is named by the command that finished the move.
      const said = named(r.stdout);
      expect(v.missed.filter((s) => !said.has(s))).toEqual([]);
      // Back within the gap, nothing passed. Back after three slots, every passed slot still inside
      // the start window (20 minutes) is recovered where the job ends: each one on Kubernetes (its
      // Job under the controller's name), the latest only on Chronos (it catches up one slot).
      const killedAt = Date.parse('2026-11-25T10:12:30Z');
      const backAt = killedAt + comeBackSeconds * 1000;
      const passed = cronTimesUntil(parseCron(SCHEDULE), 'Etc/UTC', new Date(killedAt), new Date(backAt));
      const inWindow = (d: Date) => backAt - d.getTime() <= 1200_000;
      const lost = (forward ? to : from) === 'kubernetes' ? passed.filter((d) => !inWindow(d)) : passed.filter((d, i) => i < passed.length - 1 || !inWindow(d));
      expect(v.missed).toEqual(lost.map((d) => d.toISOString()));
    } finally {
      await repo.close();
    }
  });
}
