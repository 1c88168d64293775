/** matchRuns on runs without a slot of their own (Chronos tasks), where the history kept is cut short. */
import type { ObservedRun } from '../../src/core/runs.js';
import { judgeJob, matchRuns, type OwnerSpan, type SloJob } from '../../src/core/slo.js';

const job: SloJob = { name: 'tick', schedule: '*/5 * * * *', timezone: 'Etc/UTC', startingDeadlineSeconds: 1200, backend: 'chronos' };
// Chronos owned the job until a move, and took it back at 11:10 (a rollback).
const spans: OwnerSpan[] = [{ from: new Date(0), system: 'chronos' }, { from: new Date('2026-11-25T10:05:00Z'), system: 'kubernetes' }, { from: new Date('2026-11-25T11:10:00Z'), system: 'chronos' }];
const task = (requested: string): ObservedRun => ({ id: `ct:${Date.parse(requested)}:0:tick:1`, requestedAt: new Date(requested), startedAt: new Date(requested), outcome: 'succeeded' });
const slotsOf = (runs: readonly ObservedRun[]) => [...matchRuns(job, 'chronos', runs, spans).bySlot.keys()].map((t) => new Date(t).toISOString());

test('a task due at a slot\'s instant is that slot\'s, though the tasks before it are no longer kept', () => {
  // The history keeps the newest five: 11:45 on. They are not the first slots after the takeover.
  const kept = ['11:45', '11:50', '11:55', '12:00', '12:05'].map((hm) => task(`2026-11-25T${hm}:00Z`));
  expect(slotsOf(kept)).toEqual(['11:45', '11:50', '11:55', '12:00', '12:05'].map((hm) => `2026-11-25T${hm}:00.000Z`));
});

test('a task due between slots is the oldest slot owed: after the takeover, the first; after a run, the next', () => {
  const late = [task('2026-11-25T11:31:10Z'), task('2026-11-25T11:35:00Z'), task('2026-11-25T11:47:30Z')];
  expect(slotsOf(late)).toEqual(['2026-11-25T11:10:00.000Z', '2026-11-25T11:35:00.000Z', '2026-11-25T11:40:00.000Z']);
});

test('a late task that happens to start at a slot\'s instant is still the oldest slot owed after the run before it', () => {
  // 7-minute runs one after the other: the run at 11:40:00 is the overdue 11:35's, not 11:40's.
  const chained = ['11:26:00', '11:33:00', '11:40:00'].map((t) => task(`2026-11-25T${t}Z`));
  expect(slotsOf(chained)).toEqual(['11:10', '11:30', '11:35'].map((hm) => `2026-11-25T${hm}:00.000Z`));
});

test('a paused job owes no slot: an hour without runs is nothing missed, where the same job not paused misses every slot', () => {
  const window = { from: new Date('2026-11-25T10:00:00Z'), until: new Date('2026-11-25T11:00:00Z') };
  const now = new Date('2026-11-25T12:00:00Z');
  const noRuns = { chronos: { ok: true as const, present: true, runs: [], source: 'task history', notes: [] } };
  const running = judgeJob(job, window, now, noRuns, [{ from: new Date(0), system: 'chronos' }]);
  expect([running.slots, running.missed.length]).toEqual([12, 12]);
  const paused = judgeJob({ ...job, paused: true }, window, now, noRuns, [{ from: new Date(0), system: 'chronos' }]);
  expect([paused.slots, paused.missed.length, paused.judged]).toEqual([0, 0, 0]);
});
