/** Move, roll back, move again: across all three handoffs every slot runs exactly once, on the system that owed it. */
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';
import { firstSlotOf, lastMove, other, ownerOf, SHAPES } from './rehearsal.js';

const cases: [string, SystemName, number, number][] = [
  ['every minute', 'chronos', 0, 7 * 60],
  ['every five minutes', 'kubernetes', 1, 47 * 60],
  ['daily in Europe/Berlin', 'chronos', 3, 86400 + 3600],
];

test.each(cases)('%s from %s: move, rollback, move', async (_, from, shapeIndex, gapSeconds) => {
  const shape = SHAPES[shapeIndex]!;
  const to = other(from);
  const original = jobYaml('job', from, shape.schedule, { timezone: shape.timezone });
  const repo = await startSandboxRepo({ start: shape.start, jobs: { job: original } });
  try {
    const handovers: { from: Date; to: SystemName }[] = [];
    const step = async (argv: string[], now: SystemName) => {
      await repo.advance(gapSeconds);
      const r = await repo.cli(...argv, '--yes', '--advance-sandbox');
      expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/warning|FAILED/)]);
      handovers.push({ from: firstSlotOf(lastMove(repo.journal()).records), to: now });
    };
    await step(['move', 'job', '--to', to], to);
    await step(['rollback', 'job'], from);
    expect(repo.readJob('job')).toBe(original);
    await step(['move', 'job', '--to', to], to);
    await repo.advance(gapSeconds);

    const v = await repo.verdict('job', { after: new Date(shape.start), schedule: shape.schedule, timezone: shape.timezone, system: ownerOf(from, handovers) });
    expect(v.problems).toEqual([]);
    // Each system ran slots in each of its turns.
    for (const [i, h] of handovers.entries()) {
      const end = handovers[i + 1]?.from.getTime() ?? Infinity;
      expect(v.runs.filter((r) => r.system === h.to && Date.parse(r.scheduledFor!) >= h.from.getTime() && Date.parse(r.scheduledFor!) < end).length).toBeGreaterThan(0);
    }
    const history = repo.journal().filter((r) => r.kind === 'begin').map((r) => (r.kind === 'begin' ? `${r.operation} ${r.from}->${r.to}` : ''));
    expect(history).toEqual([`move ${from}->${to}`, `rollback ${to}->${from}`, `move ${from}->${to}`]);
  } finally {
    await repo.close();
  }
});
