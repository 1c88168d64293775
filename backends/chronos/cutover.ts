/**
 * The Chronos side of a cutover. The two traps it avoids (docs/chronos.md, "Traps for a move"): a job posted or
 * re-enabled with a past start runs at once, and the schedule string is rewritten at every launch
 * (so "has it run this slot?" is read from the start, which moves past the slot at launch).
 */
import type { CutoverSide, EnableOutcome } from '../../src/core/cutover.js';
import { slotsBetween } from '../../src/core/handoff.js';
import { formatChronosSchedule } from '../../src/core/schedule/iso8601.js';
import type { ChronosClient } from './client.js';
import type { ChronosJob } from './model.js';
import { readSchedule, rewriteScheduleAtLaunch } from './schedule.js';

export function chronosCutoverSide(client: ChronosClient, name: string): CutoverSide<ChronosJob> {
  return {
    system: 'chronos',
    read: () => client.read(name),
    isEnabled: (live) => !live.disabled,
    hasTaken(live, slot) {
      if (live.schedule === undefined) return true;
      const s = readSchedule(live.schedule, live.scheduleTimeZone ?? '', slot);
      // Exhausted or never-running schedules owe nothing.
      return s.repeat === 0 || s.start.getTime() > slot.getTime();
    },
    async disable(given) {
      // Re-post the live job (its counters and rewritten schedule kept) with disabled: a task
      // already launched runs to its end. Read it again right before: a POST replaces the whole
      // job, so the copy posted should be as fresh as possible (docs/chronos.md, "Traps for a move":
      // a POST replaces the counters).
      const live = (await client.read(name)) ?? given;
      await client.post({ ...live, disabled: true });
      // A POST replaces the whole job. One that landed at or after the start it carries (a slow
      // or held call, or a copy read before the last launch) set that start back although Chronos
      // had launched it, and hasTaken would deny the launch: the target would run it again.
      // Chronos was enabled until the POST landed, so every occurrence up to then was launched.
      const landed = client.lastServerDate();
      if (live.schedule === undefined || !landed) return;
      const s = readSchedule(live.schedule, live.scheduleTimeZone ?? '', landed);
      if (s.repeat === 0 || landed.getTime() < s.start.getTime()) return;
      await client.post({ ...live, disabled: true, schedule: rewriteScheduleAtLaunch(live.schedule, live.scheduleTimeZone ?? '', landed) });
    },
    async enableFrom(desired, firstSlot, schedule): Promise<EnableOutcome> {
      if (desired.schedule === undefined) throw new Error(`Chronos job ${name} has no schedule (a dependent job cannot be moved)`);
      const now = await client.ping();
      // Slots from firstSlot that have already passed ran nowhere. A start in the past makes
      // Chronos 3.x run the job once, at once: so start at the latest passed slot, which
      // recovers it, and name the older ones as lost (no system catches up more than one).
      const passed = slotsBetween(schedule.cron, schedule.timezone, new Date(firstSlot.getTime() - 1), now);
      const start = passed.at(-1) ?? firstSlot;
      const current = readSchedule(desired.schedule, desired.scheduleTimeZone ?? '', start);
      const text = formatChronosSchedule({ ...current, repeat: -1, start });
      await client.post({ ...desired, schedule: text, disabled: false });
      // A POST that landed late (slow, held, retried) found `start` past too: Chronos runs it once,
      // at once, and skips every slot after it up to the landing, which are lost: name them.
      const landed = client.lastServerDate() ?? now;
      const skipped = slotsBetween(schedule.cron, schedule.timezone, start, landed);
      return {
        firstSlot: start,
        compensated: passed.length || skipped.length ? [start] : [],
        lost: [...passed.slice(0, -1), ...skipped],
        detail: { schedule: text, postedAt: now.toISOString() },
      };
    },
    activeRuns: () => client.activeRuns(name),
    serverClock: () => client.serverClock(),
    serverNow: () => client.ping(),
  };
}
