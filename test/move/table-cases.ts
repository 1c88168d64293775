/** The handoff table (issue 6, Tests): one rehearsal per schedule shape x handoff moment, for one direction. */
import { cronTimes, parseCron } from '../../src/core/schedule/cron.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';
import { firstSlotOf, lastMove, MOMENTS, momentAt, other, ownerOf, SHAPES, type Moment, type Shape } from './rehearsal.js';

/** Runs the table for one direction, over the shapes whose index is in `shapes` (split across files to keep each short). */
export function handoffTable(from: SystemName, shapes: readonly number[]): void {
  const to = other(from);
  const cases = shapes.flatMap((i) => MOMENTS.map((m): [string, Moment, Shape] => [SHAPES[i]!.name, m, SHAPES[i]!]));
  test.each(cases)(`${from} -> ${to}: %s, move %s`, async (_, moment, shape) => {
    const repo = await startSandboxRepo({ start: shape.start, jobs: { job: jobYaml('job', from, shape.schedule, { timezone: shape.timezone }) } });
    try {
      const at = await repo.advanceTo(momentAt(shape, moment));
      const moved = await repo.cli('move', 'job', '--to', to, '--yes', '--advance-sandbox');
      expect({ code: moved.code, out: moved.stdout.split('\n').filter((l) => /^(done|FAILED)/.test(l)) }).toEqual({ code: 0, out: [expect.stringMatching(/^done: job: now on/)] });
      expect(moved.stderr).not.toMatch(/warning/);

      // Too close to a slot (inside the guard), the source runs that slot and the target the one after.
      const first = firstSlotOf(lastMove(repo.journal()).records);
      const [next, afterNext] = cronTimes(parseCron(shape.schedule), shape.timezone, at, 2);
      expect(first).toEqual(moment === 'just before a slot' ? afterNext : next);
      // The handoff took no longer than to that first slot.
      expect(repo.now().getTime()).toBeLessThan(first.getTime());

      await repo.advance(shape.settleSeconds);
      const v = await repo.verdict('job', { after: new Date(shape.start), schedule: shape.schedule, timezone: shape.timezone, system: ownerOf(from, [{ from: first, to }]) });
      expect(v.problems).toEqual([]);
      expect(v.runs.filter((r) => r.system === from).length).toBeGreaterThanOrEqual(1);
      expect(v.runs.filter((r) => r.system === to).length).toBeGreaterThanOrEqual(3);

      const status = await repo.cli('status', 'job', '-o', 'json');
      expect(JSON.parse(status.stdout)).toMatchObject([{ declared: to, [from]: { enabled: false }, [to]: { enabled: true }, verdict: 'ok' }]);
    } finally {
      await repo.close();
    }
  });
}
