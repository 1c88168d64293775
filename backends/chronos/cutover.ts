/**
 * The Chronos side of a cutover. The traps it avoids (docs/chronos.md, "Traps for a move"): a job
 * posted or re-enabled with a past start runs at once, and the schedule string is rewritten at
 * every launch (so "has it run this slot?" is read from the start, which moves past the slot at
 * launch). Chronos has no preconditions: a POST replaces the whole job whenever it lands, so the
 * protocol settles every write whose answer was lost before it writes again (src/actions/move.ts).
 */
import type { CutoverSide, EnableOutcome, WriteFailure } from '../../src/core/cutover.js';
import { slotAfter, slotsBetween } from '../../src/core/handoff.js';
import { formatChronosSchedule } from './iso8601.js';
import type { ChronosClient } from './client.js';
import { ChronosUnavailableError } from './errors.js';
import type { ChronosJob } from './model.js';
import { readSchedule, rewriteScheduleAtLaunch } from './schedule.js';

export function chronosCutoverSide(client: ChronosClient, name: string): CutoverSide<ChronosJob> {
  /** Whether the job's start has moved past `slot` (launched), or it owes nothing any more. */
  const hasTaken = (live: ChronosJob, slot: Date): boolean => {
    if (live.schedule === undefined) return true;
    const s = readSchedule(live.schedule, live.scheduleTimeZone ?? '', slot);
    return s.repeat === 0 || s.start.getTime() > slot.getTime();
  };
  return {
    system: 'chronos',
    read: () => client.read(name),
    isEnabled: (live) => !live.disabled,
    pending: (live, slot) => !hasTaken(live, slot),
    taken: async (live, slots) => slots.map((slot) => hasTaken(live, slot)),
    async disable(live) {
      // Re-post the live job (its counters and rewritten schedule kept) with disabled: a task
      // already launched runs to its end. The caller read it at the handoff, with no wait since:
      // a POST replaces the whole job (docs/chronos.md, "A POST replaces the whole job").
      await client.post({ ...live, disabled: true });
      // A POST replaces the whole job. One that landed at or after the start it carries (a slow
      // or held call, or a copy read before the last launch) set that start back although Chronos
      // had launched it, and `taken` would deny the launch: the target would run it again.
      // Chronos was enabled until the POST landed, so every occurrence up to then was launched.
      const landed = client.lastServerDate();
      if (live.schedule === undefined || !landed) return undefined;
      const s = readSchedule(live.schedule, live.scheduleTimeZone ?? '', landed);
      if (s.repeat === 0 || landed.getTime() < s.start.getTime()) return undefined;
      await client.post({ ...live, disabled: true, schedule: rewriteScheduleAtLaunch(live.schedule, live.scheduleTimeZone ?? '', landed) });
      // A POST answers 204, without the job: the caller reads it back.
      return undefined;
    },
    async enableFrom(desired, firstSlot, schedule, landedBy, known): Promise<EnableOutcome> {
      if (desired.schedule === undefined) throw new Error(`Chronos job ${name} has no schedule (a dependent job cannot be moved)`);
      // The job as it is now; its answer (or the caller's read of it, with no wait since) carries the server's time.
      const current = known ? known.live : await client.read(name);
      const now = client.serverClock().now();
      const window = schedule.startingDeadlineSeconds * 1000;
      // Slots from firstSlot that have already passed ran nowhere. A start in the past makes
      // Chronos 3.x run the job once, at once: so start at the latest passed slot if it is still
      // inside the start window (that recovers it); the older ones, and one outside the window,
      // are lost (Chronos catches up one slot, not more).
      const passed = slotsBetween(schedule.cron, schedule.timezone, new Date(firstSlot.getTime() - 1), now);
      const latest = passed.at(-1);
      const recoverable = latest !== undefined && now.getTime() - latest.getTime() <= window;
      const start = recoverable ? latest : passed.length ? (slotAfter(schedule.cron, schedule.timezone, now) ?? firstSlot) : firstSlot;
      const lostBefore = recoverable ? passed.slice(0, -1) : passed;

      // Idempotent: a copy already enabled was posted by this move (a POST whose answer was lost
      // and that landed): posting again would move its start back and re-run a slot. Landed
      // after its start, it ran that start once and skipped every slot up to the landing
      // (`landedBy`: seen applied by then): those are named as lost.
      if (current && !current.disabled) {
        const skipped = landedBy ? slotsBetween(schedule.cron, schedule.timezone, firstSlot, landedBy) : [];
        return { firstSlot, compensated: [], lost: skipped, detail: { schedule: current.schedule, alreadyEnabled: true } };
      }
      const parsed = readSchedule(desired.schedule, desired.scheduleTimeZone ?? '', start);
      const text = formatChronosSchedule({ ...parsed, repeat: -1, start });
      await client.post({ ...desired, schedule: text, disabled: false });
      // A POST that landed late (slow, held, retried) found `start` past too: Chronos runs it once,
      // at once, and skips every slot after it up to the landing, which are lost: name them.
      const landed = client.lastServerDate() ?? now;
      const skipped = slotsBetween(schedule.cron, schedule.timezone, start, landed);
      return {
        firstSlot: start,
        compensated: recoverable || skipped.length ? [start] : [],
        lost: [...lostBefore, ...skipped],
        detail: { schedule: text, postedAt: now.toISOString() },
      };
    },
    async placePaused(desired) {
      // Chronos launches nothing of a disabled job, whatever its start: a later enable sets one.
      await client.post({ ...desired, disabled: true });
    },
    lateWritesHideRuns: true,
    writeFailure: (err): WriteFailure => (err instanceof ChronosUnavailableError ? 'unknown' : 'not-applied'),
    get writeBudgetMs() {
      return client.writeBudgetMs;
    },
    activeRuns: () => client.activeRuns(name),
    serverClock: () => client.serverClock(),
    serverNow: () => client.ping(),
  };
}
