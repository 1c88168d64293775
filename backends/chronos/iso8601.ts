/**
 * Chronos 3.x schedules: ISO 8601 repeating intervals `R[n]/<start>/<period>` read, advanced and
 * re-printed the way Chronos (Joda-Time underneath) does it. See docs/schedules.md.
 */
import { daysInMonth, wallAsUtc, Zone } from '../../src/core/schedule/zone.js';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Chronos' own rejection text (it appends " (wtf bro)" on the wire; that is the API's business). */
export class ChronosScheduleError extends Error {
  constructor(readonly schedule: string) {
    super(`Cannot parse schedule '${schedule}'`);
    this.name = 'ChronosScheduleError';
  }
}

/** A Joda ISO period `PnYnMnWnDTnHnMnS`; fields are kept as written (PT90M stays 90 minutes). */
export interface IsoPeriod {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly millis: number;
}

export interface ChronosSchedule {
  /** Runs left: -1 is `R` (forever), 0 is `R0` (never). */
  readonly repeat: number;
  /** The next run. */
  readonly start: Date;
  readonly period: IsoPeriod;
  /** scheduleTimeZone: date-based period parts are added on this zone's wall clock. */
  readonly zone?: string;
  /** Without a zone, the start's fixed offset from the string (minutes east of UTC; default 0). */
  readonly offsetMinutes?: number;
}

const SCHEDULE = /^(R[0-9]*)\/(.*)\/(P.*)$/s;
const PERIOD =
  /^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?=[0-9])(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:[.,]([0-9]{1,3}))?S)?)?$/;
const START =
  /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(?:T([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

export const ZERO_PERIOD: IsoPeriod = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0, millis: 0 };

/** Parses a Joda ISO standard period; undefined when Joda would refuse it. */
export function parsePeriod(text: string): IsoPeriod | undefined {
  const m = PERIOD.exec(text);
  if (!m) return undefined;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const millis = m[8] === undefined ? 0 : Number(m[8].padEnd(3, '0'));
  const period = { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7), millis };
  return Object.values(period).every(Number.isSafeInteger) ? period : undefined;
}

/** Joda's ISOPeriodFormat.standard() printer: non-zero fields only, `PT0S` for zero. */
export function formatPeriod(p: IsoPeriod): string {
  let date = '';
  if (p.years) date += `${p.years}Y`;
  if (p.months) date += `${p.months}M`;
  if (p.weeks) date += `${p.weeks}W`;
  if (p.days) date += `${p.days}D`;
  let time = '';
  if (p.hours) time += `${p.hours}H`;
  if (p.minutes) time += `${p.minutes}M`;
  if (p.seconds || p.millis) {
    time += p.millis ? `${p.seconds}.${String(p.millis).padStart(3, '0')}S` : `${p.seconds}S`;
  }
  if (date === '' && time === '') return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

/** True when the period has only hours, minutes, seconds (pure elapsed time). */
export function isTimeBased(p: IsoPeriod): boolean {
  return p.years === 0 && p.months === 0 && p.weeks === 0 && p.days === 0;
}

/** Joda's toStandardSeconds: weeks 7 d, days 24 h; undefined for years/months (Joda throws). */
export function standardMillis(p: IsoPeriod): number | undefined {
  if (p.years !== 0 || p.months !== 0) return undefined;
  return p.weeks * 7 * DAY + p.days * DAY + p.hours * HOUR + p.minutes * MINUTE + p.seconds * SECOND + p.millis;
}

/**
 * Chronos' Iso8601Expressions.parse. `now` is needed only for an empty start (`R//PT1H`), which
 * Chronos reads as now - 1 s. A `scheduleTimeZone` keeps the start's wall-clock fields and
 * replaces its zone (any offset in the string is then ignored); without one the start keeps
 * the string's fixed offset (no offset: the JVM's zone, taken here as UTC).
 */
export function parseChronosSchedule(schedule: string, scheduleTimeZone?: string, now?: Date): ChronosSchedule {
  const m = SCHEDULE.exec(schedule);
  if (!m) throw new ChronosScheduleError(schedule);
  const repeat = m[1]!.length > 1 ? Number(m[1]!.slice(1)) : -1;
  const period = parsePeriod(m[3]!);
  if (!period || !Number.isSafeInteger(repeat)) throw new ChronosScheduleError(schedule);

  let start: number;
  let offsetMinutes = 0;
  if (m[2] === '') {
    if (!now) throw new Error('parseChronosSchedule: an empty start needs `now`');
    start = now.getTime() - SECOND;
  } else {
    const parsed = parseStart(m[2]!);
    if (!parsed) throw new ChronosScheduleError(schedule);
    start = parsed.instant;
    offsetMinutes = parsed.offsetMinutes;
  }

  const zone = scheduleTimeZone ? effectiveZone(scheduleTimeZone) : undefined;
  if (zone) {
    const wall = start + offsetMinutes * MINUTE;
    start = Zone.of(zone).jodaLocalToUtc(wall, start);
    return { repeat, start: new Date(start), period, zone };
  }
  return { repeat, start: new Date(start), period, offsetMinutes };
}

/** Chronos passes the ID through java.util.TimeZone: an unknown ID silently becomes GMT. */
function effectiveZone(id: string): string {
  try {
    Zone.of(id);
    return id;
  } catch {
    return 'UTC';
  }
}

function parseStart(text: string): { instant: number; offsetMinutes: number } | undefined {
  const m = START.exec(text);
  if (!m) return undefined;
  const num = (i: number, fallback: number): number => (m[i] === undefined ? fallback : Number(m[i]));
  const year = num(1, 0);
  const month = num(2, 1);
  const day = num(3, 1);
  const hour = num(4, 0);
  const minute = num(5, 0);
  const second = num(6, 0);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const offset = m[8];
  if (offset && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const wall = wallAsUtc(year, month, day, hour, minute, second, millis);
  return { instant: wall - offsetMinutes * MINUTE, offsetMinutes };
}

function zoneOf(zone: string | undefined, offsetMinutes: number): Zone {
  return zone ? Zone.of(zone) : Zone.fixed(offsetMinutes);
}

/**
 * Joda's `instant.plus(period.multipliedBy(times))`: years, months, weeks and days move the
 * zone's wall clock (P1D keeps 02:00 across DST; a gap time moves forward, an overlap takes the
 * earlier instant); hours, minutes and seconds add elapsed time (PT24H drifts by the DST hour).
 * Without a zone the fixed offset `offsetMinutes` is the wall clock.
 */
export function addPeriod(
  instant: Date,
  period: IsoPeriod,
  zone: string | undefined,
  times: number,
  offsetMinutes = 0,
): Date {
  return new Date(addPeriodMs(instant.getTime(), period, zoneOf(zone, offsetMinutes), times));
}

function addPeriodMs(start: number, p: IsoPeriod, z: Zone, times: number): number {
  let t = start;
  if (p.years || p.months) {
    for (const [amount, months] of [
      [p.years * times, 12],
      [p.months * times, 1],
    ] as const) {
      if (amount === 0) continue;
      const f = z.fields(t);
      const total = f.month - 1 + amount * months;
      const year = f.year + Math.floor(total / 12);
      const month = (((total % 12) + 12) % 12) + 1;
      const day = Math.min(f.day, daysInMonth(year, month));
      t = z.jodaLocalToUtc(wallAsUtc(year, month, day, f.hour, f.minute, f.second, f.millisecond));
    }
  }
  for (const days of [p.weeks * 7 * times, p.days * times]) {
    if (days === 0) continue;
    t = z.jodaLocalToUtc(t + z.offsetAt(t) + days * DAY);
  }
  return t + (p.hours * HOUR + p.minutes * MINUTE + p.seconds * SECOND + p.millis) * times;
}

/** A safe upper bound of one period's length, to jump close to `after` without overshooting. */
function maxPeriodMillis(p: IsoPeriod): number {
  return p.years * 366 * DAY + p.months * 31 * DAY + p.weeks * 7 * (DAY + HOUR) + p.days * (DAY + HOUR) +
    p.hours * HOUR + p.minutes * MINUTE + p.seconds * SECOND + p.millis;
}

/** Occurrences start + k·period (k from 0; only the first `repeat` when finite) after `after`. */
function* occurrences(s: ChronosSchedule, after: number): Generator<number> {
  if (!Number.isFinite(after) || !Number.isFinite(s.start.getTime())) {
    throw new RangeError('chronos: an occurrence search needs valid dates');
  }
  if (s.repeat === 0) return;
  const z = zoneOf(s.zone, s.offsetMinutes ?? 0);
  const start = s.start.getTime();
  const longest = maxPeriodMillis(s.period);
  if (longest <= 0) {
    // A zero period reruns at the same instant back to back; as fire times that is one time.
    if (start > after) yield start;
    return;
  }
  let k = start < after ? Math.max(0, Math.floor((after - start) / longest) - 1) : 0;
  for (;;) {
    if (s.repeat > 0 && k >= s.repeat) return;
    const t = addPeriodMs(start, s.period, z, k);
    if (t > after) yield t;
    k++;
  }
}

/** Occurrences after `after` as epoch ms, one per call (undefined when exhausted). */
export function chronosSequence(s: ChronosSchedule, after: Date): () => number | undefined {
  const it = occurrences(s, after.getTime());
  return () => {
    const r = it.next();
    return r.done ? undefined : r.value;
  };
}

/** The next `count` Chronos occurrences strictly after `after`. */
export function chronosOccurrences(s: ChronosSchedule, after: Date, count: number): Date[] {
  const out: Date[] = [];
  if (count <= 0) return out;
  for (const t of occurrences(s, after.getTime())) {
    out.push(new Date(t));
    if (out.length >= count) break;
  }
  return out;
}

/** Every Chronos occurrence in (after, until]. */
export function chronosOccurrencesUntil(s: ChronosSchedule, after: Date, until: Date): Date[] {
  const out: Date[] = [];
  const end = until.getTime();
  for (const t of occurrences(s, after.getTime())) {
    if (t > end) break;
    out.push(new Date(t));
  }
  return out;
}

/**
 * Chronos' rewrite at launch (JobUtils.skipForward): the start moves to the first occurrence
 * after `now` (k = floor((now - start) / period) + 1 when the start is past, else 0), a finite
 * count drops by exactly 1 however many occurrences were missed, and R0 becomes R (forever):
 * the quirk Chronos pins in JobUtilsSpec.
 */
export function skipForward(s: ChronosSchedule, now: Date): ChronosSchedule {
  const z = zoneOf(s.zone, s.offsetMinutes ?? 0);
  const start = s.start.getTime();
  const nowMs = now.getTime();
  let k = 0;
  const standard = standardMillis(s.period);
  if (standard === undefined) {
    // Month and year periods have no fixed length: Chronos adds the period until it passes now.
    for (let t = start; t < nowMs; t = addPeriodMs(t, s.period, z, 1)) k++;
  } else if (start < nowMs && standard >= SECOND) {
    k = Math.floor(Math.floor((nowMs - start) / SECOND) / Math.floor(standard / SECOND)) + 1;
  }
  const repeat = s.repeat === -1 ? -1 : s.repeat - 1;
  return { ...s, repeat, start: new Date(addPeriodMs(start, s.period, z, k)) };
}

/** The schedule string exactly as Chronos re-prints it after a rewrite. */
export function formatChronosSchedule(s: ChronosSchedule): string {
  const z = zoneOf(s.zone, s.offsetMinutes ?? 0);
  const r = s.repeat === -1 ? 'R' : `R${s.repeat}`;
  return `${r}/${formatJodaDateTime(s.start.getTime(), z)}/${formatPeriod(s.period)}`;
}

/** ISODateTimeFormat.dateTime(): yyyy-MM-dd'T'HH:mm:ss.SSS±HH:MM, `Z` for a zero offset. */
function formatJodaDateTime(ms: number, z: Zone): string {
  const offset = z.offsetAt(ms);
  const f = z.fields(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const minutes = Math.round(Math.abs(offset) / MINUTE);
  const zoneText = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${p2(Math.floor(minutes / 60))}:${p2(minutes % 60)}`;
  return (
    `${String(f.year).padStart(4, '0')}-${p2(f.month)}-${p2(f.day)}T${p2(f.hour)}:${p2(f.minute)}:${p2(f.second)}` +
    `.${String(f.millisecond).padStart(3, '0')}${zoneText}`
  );
}
