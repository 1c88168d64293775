/**
 * The handoff instant of a move: when the source has taken its last slot and the target has not
 * yet reached its first. Pure: the caller passes the server's "now".
 *
 *      previous slot          H                      next slot
 *   ------|-----guard-----|--------...--------|-----guard-----|------
 *
 * The guard adapts to the schedule: at most a quarter of the gap between the two slots, so a job
 * that runs every minute can still move (15 s each side), while a nightly job keeps the full
 * configured margin.
 */
import { cronTimes, cronTimesUntil, parseCron, type CronSpec } from './schedule/cron.js';

export interface Handoff {
  /** The last slot at or before H: the source runs it. Undefined when the schedule never fired. */
  readonly previousSlot?: Date;
  /** The first slot after H: the target runs it. */
  readonly nextSlot: Date;
  /** The instant to hand over at (on the server's clock). */
  readonly at: Date;
  /** The margin kept from both slots, in seconds. */
  readonly guardSeconds: number;
  /** How long until H from `now`, in seconds (0: hand over now). */
  readonly waitSeconds: number;
}

const LOOKBACKS_MS = [2 * 3600e3, 2 * 86400e3, 40 * 86400e3, 400 * 86400e3, 5 * 366 * 86400e3];

/** The latest fire time at or before `at`. */
export function previousSlot(spec: CronSpec, zone: string, at: Date): Date | undefined {
  for (const back of LOOKBACKS_MS) {
    const times = cronTimesUntil(spec, zone, new Date(at.getTime() - back), at);
    if (times.length) return times[times.length - 1];
  }
  return undefined;
}

export function planHandoff(schedule: string, zone: string, now: Date, configuredGuardSeconds: number): Handoff {
  const spec = parseCron(schedule);
  const prev = previousSlot(spec, zone, now);
  const [next, after] = cronTimes(spec, zone, now, 2);
  if (!next) throw new Error(`schedule "${schedule}" never fires again`);
  const guardBetween = (from: Date | undefined, to: Date): number => {
    const gapMs = from ? to.getTime() - from.getTime() : Number.POSITIVE_INFINITY;
    return Math.min(configuredGuardSeconds * 1000, Math.floor(gapMs / 4000) * 1000);
  };
  const guard = guardBetween(prev, next);
  // Whole seconds, as every server clock a client sees.
  const at = Math.ceil(Math.max(now.getTime(), prev ? prev.getTime() + guard : now.getTime()) / 1000) * 1000;
  if (at <= next.getTime() - guard) return handoff(prev, next, at, guard, now);
  // Too close to the next slot: let the source run it, and hand over after it.
  if (!after) throw new Error(`schedule "${schedule}" never fires after ${next.toISOString()}`);
  const guard2 = guardBetween(next, after);
  return handoff(next, after, next.getTime() + guard2, guard2, now);
}

function handoff(prev: Date | undefined, next: Date, at: number, guardMs: number, now: Date): Handoff {
  return {
    previousSlot: prev,
    nextSlot: next,
    at: new Date(at),
    guardSeconds: guardMs / 1000,
    waitSeconds: Math.max(0, Math.ceil((at - now.getTime()) / 1000)),
  };
}

/** Slots in (after, until], for compensating what nobody ran. */
export function slotsBetween(schedule: string, zone: string, after: Date, until: Date): Date[] {
  return cronTimesUntil(parseCron(schedule), zone, after, until);
}

/** The first slot strictly after `at`. */
export function slotAfter(schedule: string, zone: string, at: Date): Date | undefined {
  return cronTimes(parseCron(schedule), zone, at, 1)[0];
}

/** The last slot from `from` (inclusive) up to `until` that `taken` (asked once, for every slot) says a system has run. */
export async function lastTakenSlot(schedule: string, zone: string, from: Date, until: Date, taken: (slots: readonly Date[]) => Promise<readonly boolean[]>): Promise<Date | undefined> {
  const slots = slotsBetween(schedule, zone, new Date(from.getTime() - 1), until);
  if (slots.length === 0) return undefined;
  const flags = await taken(slots);
  return slots.filter((_, i) => flags[i]).at(-1);
}
