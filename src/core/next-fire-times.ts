/**
 * The data behind `migrate next`: a job's next fire times as Kubernetes computes them, the same
 * schedule as Chronos would run it, and the verdict of the year-long proof.
 */
import type { JobDefinition } from './job.js';
import { cronTimes, parseCron } from './schedule/cron.js';
import { chronosOccurrences, parseChronosSchedule } from './schedule/iso8601.js';
import { cronToChronosCached, PROOF_DAYS, type ScheduleDifference } from './schedule/translate.js';

export type EquivalenceVerdict =
  | { readonly kind: 'equivalent' }
  | { readonly kind: 'not-expressible'; readonly reason: string }
  | { readonly kind: 'differs'; readonly reason: string; readonly differences: readonly ScheduleDifference[] };

export interface NextFireTimes {
  readonly job: string;
  readonly timezone: string;
  readonly cron: string;
  readonly cronTimes: readonly Date[];
  readonly chronos?: { readonly schedule: string; readonly scheduleTimeZone?: string; readonly times: readonly Date[] };
  readonly verdict: EquivalenceVerdict;
  readonly horizonDays: number;
}

export function planNextFireTimes(job: JobDefinition, now: Date, count: number): NextFireTimes {
  const spec = parseCron(job.schedule);
  const times = cronTimes(spec, job.timezone, now, count);
  const base = { job: job.name, timezone: job.timezone, cron: job.schedule, cronTimes: times, horizonDays: PROOF_DAYS };
  const translated = cronToChronosCached(job.schedule, job.timezone, now);
  if (!translated.ok && translated.closest) {
    // One period fits every day but the DST change dates: show it, and the dates it differs on.
    const closest = parseChronosSchedule(translated.closest.schedule, translated.closest.scheduleTimeZone);
    return {
      ...base,
      chronos: { schedule: translated.closest.schedule, scheduleTimeZone: translated.closest.scheduleTimeZone, times: chronosOccurrences(closest, now, count) },
      verdict: { kind: 'differs', reason: translated.reason, differences: translated.closest.differences },
    };
  }
  if (!translated.ok) return { ...base, verdict: { kind: 'not-expressible', reason: translated.reason } };
  const chronos = parseChronosSchedule(translated.schedule, translated.scheduleTimeZone);
  // The first occurrence is the start itself, which lies after `now`.
  const chronosTimes = chronosOccurrences(chronos, new Date(now.getTime()), count);
  return {
    ...base,
    chronos: { schedule: translated.schedule, scheduleTimeZone: translated.scheduleTimeZone, times: chronosTimes },
    verdict: { kind: 'equivalent' },
  };
}
