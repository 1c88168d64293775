/**
 * The definition's cron, read exactly as the CronJob controller reads it: robfig/cron v3
 * `ParseStandard` and `SpecSchedule.Next`, ported line by line (see docs/schedules.md for why
 * this is not a library). Error texts match robfig's so an operator sees what the apiserver
 * would say.
 */
import { FACTORY_ZONE, Zone } from './zone.js';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A malformed schedule; `message` is robfig's (or the apiserver's) text. */
export class CronSyntaxError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

/** One field's allowed values. `star` is robfig's star bit: the field was `*`/`?` (or `*\/1`). */
export interface CronField {
  readonly values: readonly number[];
  readonly star: boolean;
  /** has[v] is true when v is allowed; indexable by the field's raw value. */
  readonly has: readonly boolean[];
}

export type CronSpec =
  | {
      readonly kind: 'fields';
      readonly expression: string;
      readonly minute: CronField;
      readonly hour: CronField;
      readonly dayOfMonth: CronField;
      readonly month: CronField;
      readonly dayOfWeek: CronField;
    }
  | {
      /** `@every <duration>`: a constant delay after the previous time, not a wall-clock grid. */
      readonly kind: 'every';
      readonly expression: string;
      /** Whole seconds, at least 1 s (robfig's `Every`). */
      readonly delayMs: number;
    };

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

function field(values: number[], star: boolean): CronField {
  const has: boolean[] = new Array<boolean>(64).fill(false);
  for (const v of values) has[v] = true;
  return { values, star, has };
}

function range(min: number, max: number, step = 1): number[] {
  const out: number[] = [];
  for (let i = min; i <= max; i += step) out.push(i);
  return out;
}

const all = (b: Bounds): CronField => field(range(b.min, b.max), true);
const one = (v: number): CronField => field([v], false);

/** The apiserver's text for a TZ anywhere in `spec.schedule` (1.29+: the zone is a separate field). */
export const SCHEDULE_TZ_MESSAGE = 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';

/** Parses a CronJob `spec.schedule`. Throws CronSyntaxError with robfig's message. */
export function parseCron(expression: string): CronSpec {
  // The apiserver rejects TZ= / CRON_TZ= prefixes on create (1.29+); the zone is a separate field.
  if (expression.includes('TZ')) throw new CronSyntaxError(SCHEDULE_TZ_MESSAGE, expression);
  return parseSpec(expression);
}

/**
 * Every error the apiserver reports for `spec.schedule` on create, in its order
 * (`validateScheduleFormat`): robfig's ParseStandard error, then the TZ rule. A schedule with a
 * `TZ=` prefix gets both when the rest is malformed too.
 */
export function scheduleErrors(schedule: string): string[] {
  const errors: string[] = [];
  try {
    parseStandard(schedule);
  } catch (error) {
    if (!(error instanceof CronSyntaxError)) throw error;
    errors.push(error.message);
  }
  if (schedule.includes('TZ')) errors.push(SCHEDULE_TZ_MESSAGE);
  return errors;
}

/**
 * robfig's ParseStandard as the apiserver calls it, without the apiserver's TZ rule: a
 * `TZ=<zone> ` / `CRON_TZ=<zone> ` prefix names a zone that must load (Go's LoadLocation).
 */
export function parseStandard(expression: string): CronSpec {
  if (expression.length === 0) throw new CronSyntaxError('empty spec string', expression);
  let rest = expression;
  const space = expression.indexOf(' ');
  if ((expression.startsWith('TZ=') || expression.startsWith('CRON_TZ=')) && space >= 0) {
    const zone = expression.slice(expression.indexOf('=') + 1, space);
    // LoadLocation takes "" as UTC and "Local" as the process's zone.
    if (zone !== '' && zone !== 'Local' && !isValidTimeZone(zone)) {
      throw new CronSyntaxError(`provided bad location ${zone}: unknown time zone ${zone}`, expression);
    }
    rest = expression.slice(space).trim();
  }
  return parseSpec(rest);
}

function parseSpec(expression: string): CronSpec {
  if (expression.length === 0) throw new CronSyntaxError('empty spec string', expression);
  if (expression.startsWith('@')) return parseDescriptor(expression);

  const fields = expression.split(/[\t\n\v\f\r ]+/).filter((f) => f.length > 0);
  if (fields.length !== 5) {
    throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`, expression);
  }
  const parse = (text: string, bounds: Bounds): CronField => {
    try {
      return parseField(text, bounds);
    } catch (error) {
      if (error instanceof FieldError) throw new CronSyntaxError(error.message, expression);
      throw error;
    }
  };
  return {
    kind: 'fields',
    expression,
    minute: parse(fields[0]!, MINUTES),
    hour: parse(fields[1]!, HOURS),
    dayOfMonth: parse(fields[2]!, DOM),
    month: parse(fields[3]!, MONTHS),
    dayOfWeek: parse(fields[4]!, DOW),
  };
}

class FieldError extends Error {}

function parseField(text: string, bounds: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  // Go's strings.FieldsFunc: empty list items are dropped, so `1,,2` is `1,2`.
  for (const expr of text.split(',').filter((e) => e.length > 0)) {
    const r = parseRange(expr, bounds);
    r.values.forEach((v) => values.add(v));
    star ||= r.star;
  }
  return field([...values].sort((a, b) => a - b), star);
}

function parseRange(expr: string, bounds: Bounds): { values: number[]; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let step = 1;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, bounds);
    else throw new FieldError(`too many hyphens: ${expr}`);
  }
  if (rangeAndStep.length === 2) {
    step = parseUint(rangeAndStep[1]!);
    // robfig: "N/step" means "N-max/step".
    if (singleDigit) end = bounds.max;
    // A real step clears the star bit: `*/2` is a restriction for the day-matching rule.
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new FieldError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new FieldError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new FieldError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new FieldError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new FieldError(`step of range should be a positive number: ${expr}`);
  return { values: range(start, end, step), star };
}

function parseIntOrName(expr: string, bounds: Bounds): number {
  const named = bounds.names?.[expr.toLowerCase()];
  return named ?? parseUint(expr);
}

/** Go's strconv.Atoi plus robfig's non-negative check. */
function parseUint(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    throw new FieldError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${goQuote(expr)}: invalid syntax`);
  }
  const num = Number(expr);
  if (!Number.isSafeInteger(num)) {
    throw new FieldError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${goQuote(expr)}: value out of range`);
  }
  if (num < 0) throw new FieldError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function parseDescriptor(expression: string): CronSpec {
  const fields = (minute: CronField, hour: CronField, dom: CronField, month: CronField, dow: CronField): CronSpec => ({
    kind: 'fields',
    expression,
    minute,
    hour,
    dayOfMonth: dom,
    month,
    dayOfWeek: dow,
  });
  switch (expression) {
    case '@yearly':
    case '@annually':
      return fields(one(0), one(0), one(1), one(1), all(DOW));
    case '@monthly':
      return fields(one(0), one(0), one(1), all(MONTHS), all(DOW));
    case '@weekly':
      return fields(one(0), one(0), all(DOM), all(MONTHS), one(0));
    case '@daily':
    case '@midnight':
      return fields(one(0), one(0), all(DOM), all(MONTHS), all(DOW));
    case '@hourly':
      return fields(one(0), all(HOURS), all(DOM), all(MONTHS), all(DOW));
  }
  const every = '@every ';
  if (expression.startsWith(every)) {
    const text = expression.slice(every.length);
    let duration: number;
    try {
      duration = parseGoDuration(text);
    } catch (error) {
      throw new CronSyntaxError(`failed to parse duration ${expression}: ${(error as Error).message}`, expression);
    }
    // robfig's Every: at least one second, truncated to whole seconds.
    const ms = Math.max(duration, SECOND);
    return { kind: 'every', expression, delayMs: ms - (ms % SECOND) };
  }
  throw new CronSyntaxError(`unrecognized descriptor: ${expression}`, expression);
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/** Go's time.ParseDuration, in milliseconds (sub-millisecond parts are kept as fractions). */
export function parseGoDuration(text: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const number = /^([0-9]*)(\.[0-9]*)?/.exec(s)!;
    const whole = number[1]!;
    const fraction = number[2] ?? '';
    if (whole === '' && fraction.length <= 1) throw invalid();
    s = s.slice(number[0].length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}${fraction === '.' ? '' : fraction}`) * scale;
  }
  return sign * total;
}

function dayMatches(spec: Extract<CronSpec, { kind: 'fields' }>, day: number, weekday: number): boolean {
  const domMatch = spec.dayOfMonth.has[day] === true;
  const dowMatch = spec.dayOfWeek.has[weekday] === true;
  // robfig: if either day field is a star, both must match; otherwise either is enough.
  if (spec.dayOfMonth.star || spec.dayOfWeek.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

/**
 * robfig's Next: the first fire time strictly after `after`, searching from the next whole
 * second on the zone's wall clock; undefined when nothing fires within five years.
 */
export function cronNext(spec: CronSpec, zone: string, after: Date): Date | undefined {
  const ms = nextMs(spec, Zone.of(zone), after.getTime());
  return ms === undefined ? undefined : new Date(ms);
}

function nextMs(spec: CronSpec, z: Zone, afterMs: number): number | undefined {
  // An Invalid Date would never match a field and never reach the year limit.
  if (!Number.isFinite(afterMs)) throw new RangeError('cron: the time to search from is an invalid date');
  if (spec.kind === 'every') return afterMs - mod(afterMs, SECOND) + spec.delayMs;

  let t = afterMs - mod(afterMs, SECOND) + SECOND;
  let added = false;
  let f = z.fields(t);
  const yearLimit = f.year + 5;

  wrap: for (;;) {
    if (f.year > yearLimit) return undefined;

    while (!spec.month.has[f.month]) {
      if (!added) {
        added = true;
        t = z.goDate(f.year, f.month, 1);
        f = z.fields(t);
      }
      t = z.goDate(f.year, f.month + 1, f.day, f.hour, f.minute, f.second, f.millisecond);
      f = z.fields(t);
      if (f.month === 1) continue wrap;
    }

    while (!dayMatches(spec, f.day, f.weekday)) {
      if (!added) {
        added = true;
        t = z.goDate(f.year, f.month, f.day);
        f = z.fields(t);
      }
      t = z.goDate(f.year, f.month, f.day + 1, f.hour, f.minute, f.second, f.millisecond);
      f = z.fields(t);
      // Midnight may not exist (e.g. Sao Paulo's DST): pull the time back to a day boundary.
      if (f.hour !== 0) {
        t += f.hour > 12 ? (24 - f.hour) * HOUR : -f.hour * HOUR;
        f = z.fields(t);
      }
      if (f.day === 1) continue wrap;
    }

    while (!spec.hour.has[f.hour]) {
      if (!added) {
        added = true;
        t = z.goDate(f.year, f.month, f.day, f.hour);
        f = z.fields(t);
      }
      // Absolute hours: a DST gap hour is stepped over, a repeated hour is visited twice.
      t += HOUR;
      f = z.fields(t);
      if (f.hour === 0) continue wrap;
    }

    while (!spec.minute.has[f.minute]) {
      if (!added) {
        added = true;
        t -= mod(t, MINUTE);
      }
      // robfig adds one minute at a time until the minute matches or wraps to 0. Without an
      // offset change in between that walk lands on the next allowed minute, so jump there.
      let target = f.minute + 1;
      while (target < 60 && !spec.minute.has[target]) target++;
      const jump = t + (target - f.minute) * MINUTE;
      t = z.offsetAt(jump) === z.offsetAt(t) ? jump : t + MINUTE;
      f = z.fields(t);
      if (f.minute === 0) continue wrap;
    }

    // ParseStandard fixes the seconds field to 0. robfig steps one second at a time until the
    // wall second reads 0 and then wraps; jumping straight to that second is the same walk.
    if (f.second !== 0) {
      if (!added) {
        added = true;
        t -= mod(t, SECOND);
      }
      t += (60 - f.second) * SECOND;
      f = z.fields(t);
      continue wrap;
    }

    // The hour loop truncates on the wall clock, which after a change at :45 (Chatham, 03:45 back
    // to 02:45) lands before `after`: robfig then returns `after` itself, or earlier. The
    // controller reads that as two slots less than a second apart (InvalidSchedule), or walks the
    // same slot forever; either way nothing fires again, and a caller iterating must not loop.
    return t > afterMs ? t : undefined;
  }
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Fire times after `after` as epoch ms, one per call (undefined when it stops): no allocation. */
export function cronSequence(spec: CronSpec, zone: string, after: Date): () => number | undefined {
  const z = Zone.of(zone);
  let t: number | undefined = after.getTime();
  return () => (t === undefined ? undefined : (t = nextMs(spec, z, t)));
}

/** The next `count` fire times after `after` (fewer if the schedule stops firing). */
export function cronTimes(spec: CronSpec, zone: string, after: Date, count: number): Date[] {
  const z = Zone.of(zone);
  const out: Date[] = [];
  let t: number | undefined = after.getTime();
  while (out.length < count) {
    t = nextMs(spec, z, t);
    if (t === undefined) break;
    out.push(new Date(t));
  }
  return out;
}

/** Every fire time in (after, until]. */
export function cronTimesUntil(spec: CronSpec, zone: string, after: Date, until: Date): Date[] {
  const z = Zone.of(zone);
  const end = until.getTime();
  const out: Date[] = [];
  let t: number | undefined = after.getTime();
  for (;;) {
    t = nextMs(spec, z, t);
    if (t === undefined || t > end) break;
    out.push(new Date(t));
  }
  return out;
}

export interface MostRecentSlot {
  /** The slot the controller would run now, if any. */
  readonly slot?: Date;
  /**
   * The controller's estimate of slots due in (earliest, now]: 0 none, 1 exactly `slot`, more
   * means older slots were missed and will never run (over 100: event TooManyMissedTimes).
   */
  readonly missedCount: number;
  /** Set when the controller refuses the schedule (InvalidSchedule), e.g. `0 0 30 2 *`. */
  readonly invalid?: string;
}

/**
 * The controller's mostRecentScheduleTime: `earliest` is lastScheduleTime, or
 * creationTimestamp (already raised to now - startingDeadlineSeconds if that applies).
 * Ported with its estimate-then-walk, which is what decides the slot in a real cluster.
 */
export function mostRecentSlot(spec: CronSpec, zone: string, earliest: Date, now: Date): MostRecentSlot {
  const z = Zone.of(zone);
  const nowMs = now.getTime();
  const t1 = nextMs(spec, z, earliest.getTime());
  const t2 = t1 === undefined ? undefined : nextMs(spec, z, t1);
  const invalid = { missedCount: 0, invalid: 'time difference between two schedules is less than 1 second' };
  // Go's Next returns the zero time when it gives up; now is never before it.
  if (t1 === undefined) return invalid;
  if (nowMs < t1) return { missedCount: 0 };
  if (t2 === undefined) return invalid;
  if (nowMs < t2) return { slot: new Date(t1), missedCount: 1 };
  const between = Math.round((t2 - t1) / SECOND);
  if (between < 1) return invalid;
  const elapsed = Math.trunc((nowMs - t1) / SECOND);
  const missed = Math.trunc(elapsed / between) + 1;
  let recent: number | undefined;
  const potentialEarliest = t1 + (missed - 2) * between * SECOND;
  for (let t = nextMs(spec, z, potentialEarliest); t !== undefined && t <= nowMs; t = nextMs(spec, z, t)) {
    recent = t;
  }
  return recent === undefined ? { missedCount: missed } : { slot: new Date(recent), missedCount: missed };
}

const ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** The apiserver's validateTimeZone plus Go's LoadLocation, approximated with Intl. */
const zoneValidity = new Map<string, boolean>();

/** Memoised: an Intl.DateTimeFormat costs ~0.1 ms, and the API server checks every CronJob written. */
export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = checkTimeZone(zone);
    if (zoneValidity.size >= 1_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** The zone as Intl and luxon name it, for the same offsets: Go's Factory is read as UTC. */
export function intlZone(zone: string): string {
  return zone === FACTORY_ZONE ? 'UTC' : zone;
}

function checkTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'Local') return false;
  for (const part of zone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !ZONE_PART.test(part)) return false;
  }
  // Go's LoadLocation loads Factory; Intl does not know it.
  if (zone === FACTORY_ZONE) return true;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // Intl ignores case, Go's tzdata lookup does not: `america/new_york` fails to load in Go.
  return resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone || isCaseAlias(zone);
}

/** Zone IDs whose canonical Intl spelling differs only in case from a valid tzdata name. */
function isCaseAlias(zone: string): boolean {
  return zone === 'UTC' || zone === 'GMT' || /^Etc\/(UTC|GMT|UCT|Zulu|Universal|Greenwich)$/.test(zone);
}
