/**
 * What the Chronos backend needs of the schedule math in `iso8601.ts`: a job's
 * schedule with its `scheduleTimeZone`, the rewrite at launch, and a canonical form for diffing.
 * Pure.
 */
import type { JobDefinition } from '../../src/core/job.js';
import {
  addPeriod,
  chronosOccurrences,
  formatChronosSchedule,
  isTimeBased,
  parseChronosSchedule,
  skipForward,
  standardMillis,
  type ChronosSchedule,
  type IsoPeriod,
} from './iso8601.js';
import { cronToChronosCached } from './translate.js';
import type { EquivalenceVerdict, ScheduleView } from '../../src/core/schedule/view.js';

export { ChronosScheduleError, type ChronosSchedule } from './iso8601.js';

/** Parses a job's schedule as the server does; throws ChronosScheduleError. `now` serves an empty start. */
export function readSchedule(schedule: string, scheduleTimeZone: string, now: Date): ChronosSchedule {
  return parseChronosSchedule(schedule, scheduleTimeZone || undefined, now);
}

/** The string the server persists when it launches the job at `now`. */
export function rewriteScheduleAtLaunch(schedule: string, scheduleTimeZone: string, now: Date): string {
  return formatChronosSchedule(skipForward(readSchedule(schedule, scheduleTimeZone, now), now));
}

/** Where canonical schedules are anchored: the first grid point at or after this instant. */
const ANCHOR_MS = Date.UTC(2001, 0, 1);

/**
 * The schedule reduced to what a person set: period, zone and phase. The count (which the server
 * counts down) becomes `R`, and the start (which it moves at every launch) becomes the first
 * occurrence of the same grid at or after 2001-01-01, so `R3/2026-05-01T10:15:00Z/PT2H` and
 * `R/2026-05-03T08:15:00.000Z/PT2H` both read `R/2001-01-01T00:15:00.000Z/PT2H`.
 * An unparseable schedule is returned as is (the difference is then real).
 */
export function canonicalSchedule(schedule: string, scheduleTimeZone: string): string {
  let s: ChronosSchedule;
  try {
    s = readSchedule(schedule, scheduleTimeZone, new Date(ANCHOR_MS));
  } catch {
    return schedule;
  }
  // A fixed offset only shifts how the start is printed; compare fixed-offset grids in UTC.
  const zone = s.zone;
  const offset = zone ? undefined : 0;
  const start = s.start.getTime();
  const standard = standardMillis(s.period);
  let anchored: number;
  if (standard !== undefined && standard <= 0) {
    anchored = start;
  } else if (standard !== undefined && (isTimeBased(s.period) || !zone)) {
    anchored = ANCHOR_MS + mod(start - ANCHOR_MS, standard);
  } else {
    anchored = anchorCalendar(start, s.period, zone, offset ?? 0);
  }
  return formatChronosSchedule({ repeat: -1, start: new Date(anchored), period: s.period, zone, offsetMinutes: offset });
}

/** Steps a calendar grid (days, weeks, months, years on a zone's wall clock) back to the anchor. */
function anchorCalendar(start: number, period: IsoPeriod, zone: string | undefined, offsetMinutes: number): number {
  const approx =
    period.years * 365.2425 * 86_400_000 + period.months * 30.436875 * 86_400_000 + (standardMillis({ ...period, years: 0, months: 0 }) ?? 0);
  const at = (k: number) => addPeriod(new Date(start), period, zone, -k, offsetMinutes).getTime();
  let k = Math.floor((start - ANCHOR_MS) / approx);
  for (let guard = 0; at(k) < ANCHOR_MS && guard < 1000; guard++) k--;
  for (let guard = 0; at(k + 1) >= ANCHOR_MS && guard < 1000; guard++) k++;
  return at(k);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * The definition's cron as Chronos would run it from `now` (docs/schedules.md): the schedule
 * proved equivalent; or, when one period fits every day but the daylight-saving change dates,
 * that closest schedule and the dates it differs on; or why no schedule fits.
 */
export function chronosScheduleView(job: JobDefinition, now: Date, count: number): ScheduleView {
  const notation = { notation: 'ISO 8601', native: false } as const;
  const written = (w: { readonly schedule: string; readonly scheduleTimeZone?: string }, verdict: EquivalenceVerdict): ScheduleView => ({
    ...notation,
    fields: { schedule: w.schedule, scheduleTimeZone: w.scheduleTimeZone ?? null },
    // The first occurrence is the start itself, which lies after `now`.
    times: chronosOccurrences(parseChronosSchedule(w.schedule, w.scheduleTimeZone), now, count),
    verdict,
  });
  const translated = cronToChronosCached(job.schedule, job.timezone, now);
  if (translated.ok) return written(translated, { kind: 'equivalent' });
  const { reason, closest } = translated;
  if (!closest) return { ...notation, times: [], verdict: { kind: 'not-expressible', reason } };
  return written(closest, { kind: 'differs', reason, differences: closest.differences });
}
