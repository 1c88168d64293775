/**
 * A definition's cron and a Chronos schedule: one fire-time sequence, two notations. A
 * translation is accepted only after a proof: the fire times of both forms are generated over a
 * year (so every DST change is in it), and over the 400-year calendar cycle when a year holds too
 * few of them to decide, and must be identical. Strings are never compared (docs/schedules.md,
 * "Translation rules").
 */
import { CronSyntaxError, cronTimes, cronTimesUntil, parseCron, type CronSpec } from '../../src/core/schedule/cron.js';
import {
  CALENDAR_CYCLE_DAYS,
  compareSchedules,
  cronFireTimes,
  describeDifference,
  localTime,
  PROOF_DAYS,
  type FireTimes,
  type ScheduleComparison,
  type ScheduleDifference,
} from '../../src/core/schedule/compare.js';
import { isUtcZone, Zone } from '../../src/core/schedule/zone.js';
import {
  ChronosScheduleError,
  chronosOccurrencesUntil,
  chronosSequence,
  formatChronosSchedule,
  formatPeriod,
  isTimeBased,
  parseChronosSchedule,
  ZERO_PERIOD,
  type ChronosSchedule,
  type IsoPeriod,
} from './iso8601.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/**
 * A mismatch over the cycle is reported by its first few dates: the scan stops there rather than
 * compute four centuries of zone offsets to count them all.
 */
const CYCLE_DIFFERENCES = 4;

export type CronToChronosResult =
  | {
      readonly ok: true;
      /** `R/<first fire time after 'after'>/<period>`, as Chronos re-prints it. */
      readonly schedule: string;
      readonly start: Date;
      /** Joda canonical period, e.g. `PT15M`, `P1D`, `P1W`. */
      readonly period: string;
      /** Set for date-based periods outside UTC, so Chronos keeps the local time across DST. */
      readonly scheduleTimeZone?: string;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /**
       * Set when one period matches every day but the daylight-saving change dates: the closest
       * Chronos schedule, and the dates it would differ on.
       */
      readonly closest?: { readonly schedule: string; readonly scheduleTimeZone?: string; readonly differences: readonly ScheduleDifference[] };
    };

export type ChronosToCronResult =
  | { readonly ok: true; readonly cron: string; readonly timezone: string }
  | { readonly ok: false; readonly reason: string };

/** The occurrences of a Chronos schedule (without the rewrites a live job goes through). */
export function chronosFireTimes(schedule: ChronosSchedule): FireTimes {
  return Object.assign((after: Date, until: Date) => chronosOccurrencesUntil(schedule, after, until), {
    sequence: (after: Date) => chronosSequence(schedule, after),
  });
}

const proofs = new Map<string, CronToChronosResult>();

/**
 * `cronToChronos`, remembered per schedule, zone and instant: the proof covers a year of fire
 * times, and status, diff and lint ask it for many jobs that share schedules and an instant.
 * The result is a pure function of its arguments, so remembering it changes nothing else.
 */
export function cronToChronosCached(cron: string, zone: string, after: Date): CronToChronosResult {
  const key = `${after.getTime()}\u0000${zone}\u0000${cron}`;
  let result = proofs.get(key);
  if (!result) {
    if (proofs.size >= 10_000) proofs.clear();
    result = cronToChronos(cron, zone, after);
    proofs.set(key, result);
  }
  return result;
}

/**
 * A CronJob schedule as a Chronos schedule starting at the first fire time after `after`,
 * possible exactly when the fire times form one constant period (proved over a year).
 */
export function cronToChronos(cron: string, zone: string, after: Date): CronToChronosResult {
  let spec: CronSpec;
  try {
    spec = parseCron(cron);
  } catch (error) {
    if (error instanceof CronSyntaxError) return { ok: false, reason: `"${cron}" is not a valid schedule: ${error.message}` };
    throw error;
  }
  if (spec.kind === 'every' && spec.delayMs < MINUTE) {
    return {
      ok: false,
      reason:
        `"${cron}" fires more than once a minute, but the CronJob controller names each Job after its minute, ` +
        `so runs within one minute collapse into one; use @every 1m or longer`,
    };
  }
  let z: Zone;
  try {
    z = Zone.of(zone);
  } catch {
    return { ok: false, reason: `unknown time zone ${zone}` };
  }
  const [t1, t2, t3] = cronTimes(spec, zone, after, 3);
  if (!t1 || !t2) {
    return { ok: false, reason: `"${cron}" never fires (or fires once) within five years, so there is no period to repeat` };
  }

  // The period is read off two consecutive fire times, not across a DST change (where robfig
  // may have skipped a slot). @every is elapsed time by definition; a wall-clock grid that
  // repeats at the same local time is read in calendar units.
  const [p1, p2] = t3 && z.nextTransition(t1.getTime(), t2.getTime() - t1.getTime()) !== undefined ? [t2, t3] : [t1, t2];
  const candidate = periodBetween(z, p1.getTime(), p2.getTime(), spec.kind === 'every');
  const utc = isUtcZone(zone);
  const dateBased = candidate.years + candidate.months + candidate.weeks + candidate.days > 0;
  const schedule: ChronosSchedule = dateBased && !utc
    ? { repeat: -1, start: t1, period: candidate, zone }
    : { repeat: -1, start: t1, period: candidate, offsetMinutes: 0 };
  const text = formatChronosSchedule(schedule);
  // The zone is always written out (explicit in both systems: docs/format.md), but only where Chronos
  // then computes the same instants: a date-based period in any zone, anything in UTC. A sub-day
  // period elsewhere stays offset-only, since scheduleTimeZone would make Chronos re-read the
  // start as wall time in that zone.
  const scheduleTimeZone = schedule.zone ?? (utc ? zone : undefined);
  // Prove what Chronos will read back from the text and zone, not the object built here.
  const reread = parseChronosSchedule(text, scheduleTimeZone);
  const cronSide = cronFireTimes(spec, zone);
  const chronosSide = chronosFireTimes(reread);
  const proof = agreeEveryDay(spec, z, cronSide, chronosSide, after) ? AGREE : compareSchedules(cronSide, chronosSide, after, PROOF_DAYS, zone);
  const cycle = proof.equivalent ? calendarCycleRisk(spec, candidate, z, t1.getTime(), after.getTime()) : undefined;
  if (cycle) {
    const long = compareSchedules(cronFireTimes(spec, zone), chronosFireTimes(reread), after, cycleDays(candidate), zone, CYCLE_DIFFERENCES);
    if (!long.equivalent) {
      const p = formatPeriod(candidate);
      return { ok: false, reason: `"${cron}" in ${zone} and Chronos ${p} ${cycleMismatch(z, cycle, p, long, 'cron', 'Chronos')}` };
    }
  }
  if (!proof.equivalent) {
    const { reason, dstOnly } = explainCronMismatch(cron, zone, spec, candidate, proof, after);
    return dstOnly
      ? { ok: false, reason, closest: { schedule: text, ...(scheduleTimeZone ? { scheduleTimeZone } : {}), differences: proof.differences } }
      : { ok: false, reason };
  }
  return {
    ok: true,
    schedule: text,
    start: t1,
    period: formatPeriod(candidate),
    ...(scheduleTimeZone ? { scheduleTimeZone } : {}),
  };
}

const AGREE: ScheduleComparison = { equivalent: true, differences: [] };

/**
 * The year-long proof's answer, when one day decides it: a cron that fires on every day of every
 * month, at the same times of day, in a zone whose offset does not change over the proof's window,
 * repeats every day; so does a Chronos sequence whose constant step divides a day (an elapsed
 * period, or P1D without a DST change). Two such sequences that agree from `after` over two days
 * (a whole day after the first slot) agree over the whole window. False when that does not hold
 * or they do not agree: then the proof runs, and reports the differences.
 */
function agreeEveryDay(spec: CronSpec, z: Zone, cron: FireTimes, chronos: FireTimes, after: Date): boolean {
  if (spec.kind !== 'fields' || !cron.sequence || !chronos.sequence) return false;
  const every = (field: { readonly has: readonly boolean[] }, min: number, max: number) => {
    for (let v = min; v <= max; v++) if (!field.has[v]) return false;
    return true;
  };
  if (!every(spec.month, 1, 12) || !every(spec.dayOfMonth, 1, 31) || !every(spec.dayOfWeek, 0, 6)) return false;
  const from = after.getTime();
  if (z.nextTransition(from, (PROOF_DAYS + 2) * DAY) !== undefined) return false;
  const until = from + 2 * DAY;
  const nextCron = cron.sequence(after);
  const nextChronos = chronos.sequence(after);
  let step: number | undefined;
  let previous: number | undefined;
  for (;;) {
    const a = nextCron();
    const b = nextChronos();
    const aIn = a !== undefined && a <= until;
    const bIn = b !== undefined && b <= until;
    if (aIn !== bIn || (aIn && a !== b)) return false;
    if (!aIn) break;
    if (previous !== undefined) {
      if (step === undefined) step = a! - previous;
      else if (a! - previous !== step) return false;
    }
    previous = a;
  }
  return step !== undefined && step > 0 && DAY % step === 0;
}

type CycleRisk = { readonly kind: 'month-end'; readonly day: number } | { readonly kind: 'dst' } | { readonly kind: 'drift' };

/**
 * Why a year of agreement does not decide, if it does not. A period of at most a day lands on
 * every date alike, so each later year repeats the one proved; so does a week in a zone without
 * DST. Longer periods land on a few dates, and what those dates are changes from year to year:
 * - month-end: a month may lack the fire day (cron skips the month, Chronos runs on its last day);
 * - dst: a DST change may fall on a fire date. That matters for a wall time in the hours that hold
 *   a gap or an overlap, and for any time when a change is not a whole hour or touches midnight
 *   (robfig's walk then leaves its grid for the rest of the day, or steps into the next day);
 * - drift: an elapsed period longer than a day (read off DST-shifted fire times) moves against
 *   the calendar.
 * Later years are assumed to change offsets at the same local times as the proved one.
 */
function calendarCycleRisk(spec: CronSpec, period: IsoPeriod, z: Zone, start: number, from: number): CycleRisk | undefined {
  // @every is elapsed time on both sides.
  if (spec.kind === 'every') return undefined;
  const calendar = period.years + period.months > 0;
  const elapsed = period.hours * HOUR + period.minutes * MINUTE + period.seconds * 1000 + period.millis;
  const days = period.weeks * 7 + period.days + elapsed / DAY;
  if (!calendar && (days <= 1 || z.isFixed)) return undefined;
  if (!calendar && (elapsed > 0 || days !== 7)) return { kind: 'drift' };
  const f = z.fields(start);
  if (calendar && f.day > 28) return { kind: 'month-end', day: f.day };
  const wall = f.hour * HOUR + f.minute * MINUTE + f.second * 1000 + f.millisecond;
  const end = from + PROOF_DAYS * DAY;
  for (let t = z.nextTransition(from, end - from); t !== undefined; t = z.nextTransition(t, end - t)) {
    const before = z.offsetAt(t - 1);
    const after = z.offsetAt(t);
    // The gap or overlap, as local time of day: [first, last).
    const first = mod(t + Math.min(before, after), DAY);
    const last = first + Math.abs(after - before);
    // Lord Howe's 30 minutes leave robfig's hour walk off the :00 grid; a missing midnight
    // (Havana) is corrected by an hour back into the day before, and the walk fires a day late.
    if ((after - before) % HOUR !== 0 || first === 0 || last >= DAY) return { kind: 'dst' };
    // Otherwise the hours that hold the gap or the overlap, whole (a change at 02:45 makes
    // robfig's walk step from 02:00 to 04:00, past 03:50, which exists).
    const hoursFrom = first - mod(first, HOUR);
    const hoursUntil = last + mod(-last, HOUR);
    if (mod(wall - hoursFrom, DAY) < hoursUntil - hoursFrom) return { kind: 'dst' };
  }
  return undefined;
}

/** The proof over the cycle: a full cycle and one period more (see docs/schedules.md). */
function cycleDays(period: IsoPeriod): number {
  const elapsed = period.hours * HOUR + period.minutes * MINUTE + period.seconds * 1000 + period.millis;
  return CALENDAR_CYCLE_DAYS + period.years * 366 + period.months * 31 + period.weeks * 7 + period.days + Math.ceil(elapsed / DAY);
}

/** The reason for a mismatch that only the full calendar cycle showed. */
function cycleMismatch(z: Zone, risk: CycleRisk, period: string, proof: ScheduleComparison, a: string, b: string): string {
  const shown = proof.differences.slice(0, 4).map((d) => describeDifference(z, d, a, b)).join('; ');
  const more = proof.differences.length > 4 || proof.truncated ? '; and later dates' : '';
  const why =
    risk.kind === 'month-end'
      ? `cron skips a month without a ${ordinal(risk.day)}, while Chronos runs on the month's last day (pick a day up to the 28th)`
      : risk.kind === 'dst'
        ? `in the years a daylight-saving change falls on a fire date, the CronJob controller skips or repeats ` +
          `times around it, and Chronos does not (pick a time outside the local DST change window, or UTC)`
        : `${period} is elapsed time, which the calendar's leap years and daylight-saving changes move against the wall clock`;
  return `agree for a year but not over the 400-year calendar cycle: ${why}: ${shown}${more}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** The period that takes t1 to t2: calendar units when the wall-clock time repeats, else elapsed time. */
function periodBetween(z: Zone, t1: number, t2: number, elapsedOnly: boolean): IsoPeriod {
  const a = z.fields(t1);
  const b = z.fields(t2);
  const sameTime = !elapsedOnly && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
  const zero = ZERO_PERIOD;
  if (sameTime) {
    const months = (b.year - a.year) * 12 + (b.month - a.month);
    if (a.day === b.day && months > 0) {
      return months % 12 === 0 ? { ...zero, years: months / 12 } : { ...zero, months };
    }
    const wallDays = Math.round((t2 + z.offsetAt(t2) - (t1 + z.offsetAt(t1))) / DAY);
    if (wallDays > 0) return wallDays % 7 === 0 ? { ...zero, weeks: wallDays / 7 } : { ...zero, days: wallDays };
  }
  const elapsed = t2 - t1;
  if (elapsed % HOUR === 0) return { ...zero, hours: elapsed / HOUR };
  if (elapsed % MINUTE === 0) return { ...zero, minutes: elapsed / MINUTE };
  return { ...zero, seconds: Math.floor(elapsed / 1000), millis: elapsed % 1000 };
}

function explainCronMismatch(
  cron: string,
  zone: string,
  spec: CronSpec,
  period: IsoPeriod,
  proof: ScheduleComparison,
  after: Date,
): { reason: string; dstOnly: boolean } {
  const z = Zone.of(zone);
  const end = after.getTime() + PROOF_DAYS * DAY;
  const transitions: number[] = [];
  for (let t = z.nextTransition(after.getTime(), end - after.getTime()); t !== undefined; t = z.nextTransition(t, end - t)) {
    transitions.push(t);
  }
  const times = cronTimesUntil(spec, zone, after, new Date(end)).map((d) => d.getTime());
  // Gaps not explained by a DST change next to them show that the schedule itself is irregular.
  const gaps: string[] = [];
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1]!;
    const b = times[i]!;
    if (transitions.some((tr) => tr > a - DAY && tr <= b + DAY)) continue;
    const text = formatDuration(b - a);
    if (!gaps.includes(text)) gaps.push(text);
  }
  const shown = proof.differences.slice(0, 4).map((d) => describeDifference(z, d, 'cron', 'Chronos')).join('; ');
  const more = proof.differences.length > 4 ? `; and ${proof.differences.length - 4} more dates` : '';
  const p = formatPeriod(period);
  if (gaps.length <= 1 && transitions.length > 0) {
    if (isTimeBased(period)) {
      return {
        dstOnly: true,
        reason:
          `"${cron}" follows the wall clock in ${zone}, but a Chronos ${p} period is elapsed time, so the two drift ` +
          `an hour apart at each daylight-saving change: ${shown}${more}. Run this job in UTC to move it`,
      };
    }
    return {
      dstOnly: true,
      reason:
        `"${cron}" in ${zone} differs from Chronos ${p} on the daylight-saving change dates (the CronJob controller ` +
        `skips times in the spring-forward gap and runs the repeated hour twice; Chronos does neither): ${shown}${more}. ` +
        `Pick a time outside the local DST change window (01:00-03:00 in most zones), or UTC`,
    };
  }
  const weekdays = spec.kind === 'fields' && spec.dayOfMonth.star && !spec.dayOfWeek.star;
  return {
    dstOnly: false,
    reason:
      `"${cron}" fires at uneven intervals (${gaps.slice(0, 4).join(', ')}), while a Chronos schedule repeats one ` +
      `fixed period${weekdays ? ' (one Chronos job per weekday, each P1W, would cover it)' : ''}: ${shown}${more}`,
  };
}

function formatDuration(ms: number): string {
  if (ms % DAY === 0) return ms === DAY ? '1 day' : `${ms / DAY} days`;
  if (ms % HOUR === 0) return ms === HOUR ? '1 hour' : `${ms / HOUR} hours`;
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / 1000} s`;
}

/** A Chronos schedule as a CronJob schedule and zone, if its occurrences land on a cron grid. */
export function chronosToCron(schedule: string, scheduleTimeZone: string | undefined, now: Date): ChronosToCronResult {
  let s: ChronosSchedule;
  try {
    s = parseChronosSchedule(schedule, scheduleTimeZone || undefined, now);
  } catch (error) {
    if (error instanceof ChronosScheduleError) return { ok: false, reason: error.message };
    throw error;
  }
  if (s.repeat >= 0) {
    return {
      ok: false,
      reason:
        s.repeat === 0
          ? `R0 never runs again, and a CronJob cannot be created in that state (suspend it instead)`
          : `R${s.repeat} runs ${s.repeat} more time${s.repeat === 1 ? '' : 's'} and stops; a CronJob repeats forever (keep it on Chronos, or move it and delete the CronJob after the last run)`,
    };
  }
  const timezone = s.zone ?? 'Etc/UTC';
  const z = Zone.of(s.zone ?? 'UTC');
  const p = s.period;
  const periodText = formatPeriod(p);
  const f = z.fields(s.start.getTime());
  if (f.second !== 0 || f.millisecond !== 0) {
    return { ok: false, reason: `the start ${localTime(z, s.start.getTime())} is not on a whole minute; cron fires only at second 0` };
  }

  const cron = cronFor(p, f);
  if (typeof cron !== 'string') return { ok: false, reason: `${periodText} ${cron.reason}` };

  const spec = parseCron(cron);
  const from = s.start.getTime() < now.getTime() ? now : new Date(s.start.getTime() - 1);
  const proof = compareSchedules(chronosFireTimes(s), cronFireTimes(spec, timezone), from, PROOF_DAYS, s.zone ?? 'UTC');
  const cycle = proof.equivalent ? calendarCycleRisk(spec, p, z, s.start.getTime(), from.getTime()) : undefined;
  if (cycle) {
    const long = compareSchedules(chronosFireTimes(s), cronFireTimes(spec, timezone), from, cycleDays(p), s.zone ?? 'UTC', CYCLE_DIFFERENCES);
    if (!long.equivalent) {
      return { ok: false, reason: `${periodText} from ${localTime(z, s.start.getTime())} and "${cron}" in ${timezone} ${cycleMismatch(z, cycle, periodText, long, 'Chronos', 'cron')}` };
    }
  }
  if (!proof.equivalent) {
    const shown = proof.differences.slice(0, 4).map((d) => describeDifference(z, d, 'Chronos', 'cron')).join('; ');
    const more = proof.differences.length > 4 ? `; and ${proof.differences.length - 4} more dates` : '';
    const why = isTimeBased(p)
      ? `${periodText} is elapsed time, so in ${timezone} its local times shift by an hour at each daylight-saving change, while "${cron}" stays on the wall clock`
      : z.nextTransition(from.getTime(), PROOF_DAYS * DAY) !== undefined
        ? `${periodText} from ${localTime(z, s.start.getTime())} and "${cron}" in ${timezone} disagree around the daylight-saving changes (the CronJob controller skips times in the spring-forward gap and runs the repeated hour twice; Chronos does neither)`
        : `${periodText} from ${localTime(z, s.start.getTime())} and "${cron}" disagree`;
    return { ok: false, reason: `${why}: ${shown}${more}` };
  }
  return { ok: true, cron, timezone };
}

/** The cron expression whose grid holds start + k·period, or why there is none. */
function cronFor(
  p: IsoPeriod,
  f: { minute: number; hour: number; day: number; month: number; weekday: number },
): string | { reason: string } {
  const stepField = (start: number, step: number, max: number): string =>
    step === 1 ? '*' : start === 0 ? `*/${step}` : `${start}-${max}/${step}`;
  if (isTimeBased(p)) {
    const ms = p.hours * HOUR + p.minutes * MINUTE + p.seconds * 1000 + p.millis;
    if (ms === 0) return { reason: 'is zero: Chronos reruns the job back to back, which no cron schedule does' };
    if (ms % MINUTE !== 0) return { reason: 'is not a whole number of minutes; cron fires only at whole minutes' };
    const minutes = ms / MINUTE;
    if (minutes < 60) {
      if (60 % minutes !== 0) return { reason: `does not divide an hour, so its minutes change from hour to hour and no cron minute list repeats` };
      return `${stepField(f.minute % minutes, minutes, 59)} * * * *`;
    }
    if (minutes % 60 !== 0) return { reason: `is not on a cron grid: its times move across the hour (e.g. :00 then :${String(minutes % 60).padStart(2, '0')}), which needs more than one cron line` };
    const hours = minutes / 60;
    if (hours < 24) {
      if (24 % hours !== 0) return { reason: `does not divide a day, so its hours change from day to day and no cron hour list repeats` };
      return `${f.minute} ${stepField(f.hour % hours, hours, 23)} * * *`;
    }
    if (hours === 24) return `${f.minute} ${f.hour} * * *`;
    if (hours === 168) return `${f.minute} ${f.hour} * * ${f.weekday}`;
    return { reason: 'is neither a day nor a week; cron day steps restart every month, so the days would not stay evenly spaced' };
  }
  if (p.hours || p.minutes || p.seconds || p.millis) {
    return { reason: 'mixes calendar and clock units, which drift against any cron grid' };
  }
  const days = p.weeks * 7 + p.days;
  if (p.years === 0 && p.months === 0) {
    if (days === 1) return `${f.minute} ${f.hour} * * *`;
    if (days === 7) return `${f.minute} ${f.hour} * * ${f.weekday}`;
    return { reason: 'is neither a day nor a week; cron day steps restart every month, so the days would not stay evenly spaced' };
  }
  if (days !== 0) return { reason: 'mixes months and days, which no cron grid follows' };
  const months = p.years * 12 + p.months;
  if (months === 12) return `${f.minute} ${f.hour} ${f.day} ${f.month} *`;
  if (12 % months !== 0) return { reason: 'does not divide a year, so its months change from year to year' };
  return `${f.minute} ${f.hour} ${f.day} ${stepField(((f.month - 1) % months) + 1, months, 12)} *`;
}

