/**
 * Two fire-time sequences compared over a horizon: the proof that two notations of one schedule
 * agree, and the dates they disagree on. Strings are never compared (docs/schedules.md,
 * "Translation rules"). Which notations are compared is each backend's business.
 */
import { cronSequence, cronTimesUntil, type CronSpec } from './cron.js';
import { Zone } from './zone.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The proof's horizon: a year and a day covers both DST changes and a leap day's neighbours. */
export const PROOF_DAYS = 366;
/**
 * The Gregorian cycle: 400 years are 146 097 days, a whole number of weeks, after which leap
 * years, weekdays and so the dates of rule-based DST changes all repeat.
 */
export const CALENDAR_CYCLE_DAYS = 146_097;
const WINDOW = 7 * DAY;

/**
 * Every fire time in (after, until], oldest first. `sequence`, when present, streams the same
 * times as epoch ms, which lets a year of every-minute slots be compared without allocating.
 */
export type FireTimes = ((after: Date, until: Date) => Date[]) & {
  readonly sequence?: (after: Date) => () => number | undefined;
};

export interface ScheduleDifference {
  /** YYYY-MM-DD in the comparison's zone. */
  readonly date: string;
  readonly onlyInA: readonly Date[];
  readonly onlyInB: readonly Date[];
}

export interface ScheduleComparison {
  readonly equivalent: boolean;
  /** Every date in the horizon where the two disagree, in order (the first ones, when `truncated`). */
  readonly differences: readonly ScheduleDifference[];
  /** The comparison stopped at `maxDifferences` differing times, before the end of the horizon. */
  readonly truncated?: boolean;
}

/** The fire times of a cron schedule in a zone, as the CronJob controller computes them. */
export function cronFireTimes(spec: CronSpec, zone: string): FireTimes {
  return Object.assign((after: Date, until: Date) => cronTimesUntil(spec, zone, after, until), {
    sequence: (after: Date) => cronSequence(spec, zone, after),
  });
}

/**
 * Compares two fire-time sequences over (from, from + days] and reports every date (in `zone`)
 * where one fires and the other does not; with `maxDifferences`, it stops after that many
 * differing times.
 */
export function compareSchedules(
  a: FireTimes,
  b: FireTimes,
  from: Date,
  days = PROOF_DAYS,
  zone = 'UTC',
  maxDifferences = Infinity,
): ScheduleComparison {
  const end = from.getTime() + days * DAY;
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  const full = (): boolean => onlyA.length + onlyB.length >= maxDifferences;
  const merge = (left: readonly number[] | (() => number | undefined), right: typeof left): void => {
    const next = (src: typeof left): (() => number | undefined) => {
      if (typeof src === 'function') return () => {
        const t = src();
        return t !== undefined && t <= end ? t : undefined;
      };
      let i = 0;
      return () => src[i++];
    };
    const na = next(left);
    const nb = next(right);
    let x = na();
    let y = nb();
    while ((x !== undefined || y !== undefined) && !full()) {
      if (x !== undefined && x === y) {
        x = na();
        y = nb();
      } else if (y === undefined || (x !== undefined && x < y)) {
        onlyA.push(x!);
        x = na();
      } else {
        onlyB.push(y);
        y = nb();
      }
    }
  };
  if (a.sequence && b.sequence) {
    merge(a.sequence(from), b.sequence(from));
  } else {
    // A week at a time: a year of every-minute slots is half a million Dates per side, which
    // costs more in garbage collection than in computing them.
    for (let start = from.getTime(); start < end && !full(); start += WINDOW) {
      const windowFrom = new Date(start);
      const windowUntil = new Date(Math.min(start + WINDOW, end));
      merge(
        a(windowFrom, windowUntil).map((d) => d.getTime()).sort((p, q) => p - q),
        b(windowFrom, windowUntil).map((d) => d.getTime()).sort((p, q) => p - q),
      );
    }
  }
  const z = Zone.of(zone);
  const byDate = new Map<string, { onlyInA: Date[]; onlyInB: Date[] }>();
  const entry = (t: number): { onlyInA: Date[]; onlyInB: Date[] } => {
    const key = localDate(z, t);
    let e = byDate.get(key);
    if (!e) {
      e = { onlyInA: [], onlyInB: [] };
      byDate.set(key, e);
    }
    return e;
  };
  onlyA.forEach((t) => entry(t).onlyInA.push(new Date(t)));
  onlyB.forEach((t) => entry(t).onlyInB.push(new Date(t)));
  const differences = [...byDate.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([date, e]) => ({ date, ...e }));
  return { equivalent: differences.length === 0, differences, ...(full() ? { truncated: true } : {}) };
}

/** One date's disagreement, in the zone's local times: `2027-03-14: cron runs nothing, B runs 03:00 (UTC-04:00)`. */
export function describeDifference(z: Zone, d: ScheduleDifference, a: string, b: string): string {
  const list = (times: readonly Date[]): string => {
    if (times.length === 0) return 'nothing';
    const shown = times.slice(0, 3).map((t) => localTime(z, t.getTime())).join(', ');
    return times.length > 3 ? `${shown} and ${times.length - 3} more` : shown;
  };
  return `${d.date}: ${a} runs ${list(d.onlyInA)}, ${b} runs ${list(d.onlyInB)}`;
}

function localDate(z: Zone, t: number): string {
  const f = z.fields(t);
  return `${String(f.year).padStart(4, '0')}-${pad(f.month)}-${pad(f.day)}`;
}

/**
 * `03:30 (UTC-04:00)`: a wall time with its offset, so doubled hours are told apart; the offset
 * is spelled out, as `03:30-04:00` reads as a range of times.
 */
export function localTime(z: Zone, t: number): string {
  const f = z.fields(t);
  const offset = z.offsetAt(t) / MINUTE;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(f.hour)}:${pad(f.minute)} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
