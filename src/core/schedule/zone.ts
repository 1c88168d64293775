/**
 * Wall-clock arithmetic in an IANA zone, fast enough to run a cron loop a hundred thousand
 * times: offsets come from Intl once per 30-day bucket and are then looked up in a small table
 * of transitions, so a fire time costs a few array reads instead of several Intl calls.
 */

// Globals are looked up through interceptors inside vm contexts (jest): keep hot ones local.
const floor = Math.floor;

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Offsets are sampled every 12 h; two transitions closer than that have not existed since 1970. */
const SAMPLE = 12 * HOUR;
const BUCKET = 60 * SAMPLE;

/**
 * tzdata's `Zone Factory 0 - -00` ("zone unknown"): Go's LoadLocation loads it (offset 0 all year,
 * abbreviation "-00"), so the apiserver accepts it as a timeZone; Intl and luxon do not know it.
 */
export const FACTORY_ZONE = 'Factory';

/** Zones that are UTC under another name: no offset, no DST, so any arithmetic in them is UTC's. */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu', 'Universal', 'Zulu', 'Etc/UCT', 'UCT', 'Etc/GMT0', 'GMT0', 'Etc/Greenwich', 'Greenwich']);

export function isUtcZone(zone: string): boolean {
  return UTC_ZONES.has(zone);
}

/** Intl's `longOffset` time zone name at the end of a formatted date: `GMT`, `GMT+05:30`, `GMT-04:56:02`. */
const LONG_OFFSET = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

/** Calendar fields of an instant as seen on a wall clock in some zone. */
export interface WallFields {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** 1-31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 = Sunday, like Go's time.Weekday */
  readonly weekday: number;
}

interface Bucket {
  /** Offset in ms at the bucket's start, then (at, offset) pairs sorted by `at`. */
  readonly first: number;
  readonly changes: ReadonlyArray<readonly [number, number]>;
}

export class Zone {
  private readonly buckets = new Map<number, Bucket>();
  private readonly format: Intl.DateTimeFormat | undefined;

  private constructor(readonly name: string, private readonly fixedOffset?: number) {
    // The offset as text (`GMT-04:56:02`, `GMT` for zero): a quarter of the cost of reading the
    // wall-clock fields back with formatToParts, and the same offsets in every zone, 1800-2450.
    this.format = fixedOffset === undefined ? new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' }) : undefined;
  }

  private static readonly cache = new Map<string, Zone>();

  /** The zone with this IANA name; throws RangeError when the runtime does not know it. */
  static of(name: string): Zone {
    let zone = Zone.cache.get(name);
    if (!zone) {
      zone = name === 'UTC' || name === 'Etc/UTC' || name === FACTORY_ZONE ? new Zone(name, 0) : new Zone(name);
      Zone.cache.set(name, zone);
    }
    return zone;
  }

  /** A zone with one constant offset (Joda's fixed-offset zone for `...+02:00` starts). */
  static fixed(offsetMinutes: number): Zone {
    const key = `fixed:${offsetMinutes}`;
    let zone = Zone.cache.get(key);
    if (!zone) {
      zone = new Zone(key, offsetMinutes * 60_000);
      Zone.cache.set(key, zone);
    }
    return zone;
  }

  get isFixed(): boolean {
    return this.fixedOffset !== undefined;
  }

  /** The segment [segmentStart, segmentEnd) with one offset that was looked up last. */
  private segmentStart = 0;
  private segmentEnd = -1;
  private segmentOffset = 0;

  /** Offset from UTC in ms at an instant (local = utc + offset). */
  offsetAt(ms: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    if (ms >= this.segmentStart && ms < this.segmentEnd) return this.segmentOffset;
    const index = floor(ms / BUCKET);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = this.computeBucket(index * BUCKET);
      this.buckets.set(index, bucket);
    }
    let offset = bucket.first;
    let start = index * BUCKET;
    let end = start + BUCKET;
    for (const [at, value] of bucket.changes) {
      if (ms < at) {
        end = at;
        break;
      }
      offset = value;
      start = at;
    }
    this.segmentStart = start;
    this.segmentEnd = end;
    this.segmentOffset = offset;
    return offset;
  }

  /** The first instant in (ms, ms + limit] whose offset differs from the offset at ms. */
  nextTransition(ms: number, limit = 400 * DAY): number | undefined {
    const base = this.offsetAt(ms);
    if (this.fixedOffset !== undefined) return undefined;
    for (let index = Math.floor(ms / BUCKET); index * BUCKET <= ms + limit; index++) {
      this.offsetAt(index * BUCKET);
      const bucket = this.buckets.get(index)!;
      const candidates: Array<readonly [number, number]> = [[index * BUCKET, bucket.first], ...bucket.changes];
      for (const [at, value] of candidates) {
        if (at > ms && at <= ms + limit && value !== base) return at;
      }
    }
    return undefined;
  }

  fields(ms: number): WallFields {
    const local = ms + this.offsetAt(ms);
    // Integer arithmetic (Hinnant's civil_from_days): Date getters are too slow for a hot loop.
    const days = floor(local / DAY);
    const inDay = local - days * DAY;
    const z = days + 719_468;
    const era = floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = floor((doe - floor(doe / 1460) + floor(doe / 36_524) - floor(doe / 146_096)) / 365);
    const doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
    const mp = floor((5 * doy + 2) / 153);
    const month = mp < 10 ? mp + 3 : mp - 9;
    return {
      year: yoe + era * 400 + (month <= 2 ? 1 : 0),
      month,
      day: doy - floor((153 * mp + 2) / 5) + 1,
      hour: floor(inDay / HOUR),
      minute: floor(inDay / 60_000) % 60,
      second: floor(inDay / SECOND) % 60,
      millisecond: inDay % SECOND,
      weekday: (((days + 4) % 7) + 7) % 7,
    };
  }

  /**
   * Go's time.Date(y, mo, d, h, mi, s, ms, loc): out-of-range fields are normalised, and a wall
   * time in a DST gap or overlap is resolved exactly like Go does (offset looked up at the wall
   * time read as UTC, then corrected once), which is what robfig's loop relies on.
   */
  goDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
    const wall = wallAsUtc(year, month, day, hour, minute, second, ms);
    return wall - this.offsetAt(wall - this.offsetAt(wall));
  }

  /**
   * Joda's DateTimeZone.convertLocalToUTC(local, false, original): keep the original instant's
   * offset if it is valid for the new wall time; otherwise a time in a gap moves forward by the
   * gap and a time in an overlap takes the earlier instant.
   */
  jodaLocalToUtc(wall: number, original?: number): number {
    if (original !== undefined) {
      const offset = this.offsetAt(original);
      if (this.offsetAt(wall - offset) === offset) return wall - offset;
    }
    const solutions: number[] = [];
    const offsets = new Set([this.offsetAt(wall - DAY), this.offsetAt(wall), this.offsetAt(wall + DAY)]);
    for (const offset of offsets) {
      if (this.offsetAt(wall - offset) === offset) solutions.push(wall - offset);
    }
    if (solutions.length > 0) return Math.min(...solutions);
    // In a gap: read the wall time with the offset in force before the transition.
    return wall - this.offsetAt(wall - DAY);
  }

  private computeBucket(start: number): Bucket {
    const first = this.intlOffset(start);
    const changes: Array<readonly [number, number]> = [];
    let previous = first;
    let previousAt = start;
    for (let at = start + SAMPLE; at <= start + BUCKET; at += SAMPLE) {
      const offset = this.intlOffset(at);
      if (offset !== previous) {
        // Transitions happen on whole seconds: bisect down to the second.
        let lo = previousAt;
        let hi = at;
        while (hi - lo > SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
          if (this.intlOffset(mid) === previous) lo = mid;
          else hi = mid;
        }
        if (hi < start + BUCKET) changes.push([hi, offset]);
        previous = offset;
      }
      previousAt = at;
    }
    return { first, changes };
  }

  private intlOffset(ms: number): number {
    const text = this.format!.format(new Date(ms));
    const m = LONG_OFFSET.exec(text);
    if (!m) throw new RangeError(`time zone ${this.name}: cannot read the offset in ${JSON.stringify(text)}`);
    if (m[1] === undefined) return 0;
    const offset = ((Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * SECOND;
    return m[1] === '-' ? -offset : offset;
  }
}

/** Milliseconds of a wall-clock reading taken as if it were UTC, with Go/Joda-style overflow. */
export function wallAsUtc(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(wallAsUtc(year, month + 1, 0)).getUTCDate();
}
