import {
  addPeriod,
  ChronosScheduleError,
  chronosOccurrences,
  chronosOccurrencesUntil,
  formatChronosSchedule,
  formatPeriod,
  parseChronosSchedule,
  parsePeriod,
  skipForward,
} from '../../backends/chronos/iso8601.js';

const NY = 'America/New_York';
const NOW = new Date('2026-01-01T00:00:00Z');
const at = (s: string): Date => new Date(s);
const iso = (d: Date): string => d.toISOString();

describe('parseChronosSchedule', () => {
  test.each([
    // schedule, scheduleTimeZone, repeat, start (instant), period as re-printed, zone
    ['R/2014-03-08T20:00:00Z/PT2H', undefined, -1, '2014-03-08T20:00:00Z', 'PT2H', undefined],
    ['R5/2026-05-01T12:00:00.250+02:00/P1D', undefined, 5, '2026-05-01T10:00:00.250Z', 'P1D', undefined],
    ['R0/2026-05-01T12:00/PT15M', undefined, 0, '2026-05-01T12:00:00Z', 'PT15M', undefined],
    ['R12/2026-05-01/P1M', undefined, 12, '2026-05-01T00:00:00Z', 'P1M', undefined],
    ['R//PT1H', undefined, -1, '2025-12-31T23:59:59Z', 'PT1H', undefined],
    ['R/2026-05-01T12:00:00Z/P', undefined, -1, '2026-05-01T12:00:00Z', 'PT0S', undefined],
    ['R/2026-05-01T12:00:00Z/P1Y2M3W4DT5H6M7S', undefined, -1, '2026-05-01T12:00:00Z', 'P1Y2M3W4DT5H6M7S', undefined],
    // scheduleTimeZone keeps the wall clock and replaces the zone: the zone beats the -04:00.
    ['R/2026-01-10T10:00:00-04:00/P1D', 'Europe/Paris', -1, '2026-01-10T09:00:00Z', 'P1D', 'Europe/Paris'],
    ['R/2026-07-10T10:00:00Z/P1D', NY, -1, '2026-07-10T14:00:00Z', 'P1D', NY],
    ['R/2026-01-10T10:00:00Z/P1D', 'PST8PDT', -1, '2026-01-10T18:00:00Z', 'P1D', 'PST8PDT'],
    // Unknown IDs silently become GMT (java.util.TimeZone).
    ['R/2026-01-10T10:00:00+01:00/P1D', 'Mars/Olympus', -1, '2026-01-10T10:00:00Z', 'P1D', 'UTC'],
    // A wall time in the spring-forward gap moves forward by the gap.
    ['R/2026-03-08T02:30:00Z/P1D', NY, -1, '2026-03-08T07:30:00Z', 'P1D', NY],
  ])('%s (%s)', (schedule, zone, repeat, start, period, effectiveZone) => {
    const s = parseChronosSchedule(schedule, zone, NOW);
    expect(s.repeat).toBe(repeat);
    expect(iso(s.start)).toBe(iso(at(start)));
    expect(formatPeriod(s.period)).toBe(period);
    expect(s.zone).toBe(effectiveZone);
  });

  test.each([
    'R/2026-13-01T00:00:00Z/PT1H',
    'R/2026-02-30T00:00:00Z/PT1H',
    'X/2026-01-01T00:00:00Z/PT1H',
    'R/2026-01-01T00:00:00Z/1H',
    'R/2026-01-01T00:00:00Z/PT',
    'R/2026-01-01T00:00:00Z/PT1H30',
    'R/yesterday/PT1H',
    'R5',
    '0 * * * *',
    '',
  ])('%j is refused with Chronos\' text', (schedule) => {
    expect(() => parseChronosSchedule(schedule, undefined, NOW)).toThrow(ChronosScheduleError);
    expect(() => parseChronosSchedule(schedule, undefined, NOW)).toThrow(`Cannot parse schedule '${schedule}'`);
  });
});

describe('periods print in Joda canonical form', () => {
  test.each([
    ['PT90M', 'PT90M'],
    ['PT24H', 'PT24H'],
    ['P7D', 'P7D'],
    ['P1W', 'P1W'],
    ['P0D', 'PT0S'],
    ['PT0S', 'PT0S'],
    ['PT1.5S', 'PT1.500S'],
    ['P1DT0H', 'P1D'],
  ])('%s -> %s', (text, printed) => {
    expect(formatPeriod(parsePeriod(text)!)).toBe(printed);
  });
});

describe('addPeriod: date parts on the wall clock, time parts as elapsed time', () => {
  test.each([
    // instant, period, zone, times, expected
    ['2026-03-07T02:00:00-05:00', 'P1D', NY, 2, '2026-03-09T02:00:00-04:00'],
    ['2026-03-07T02:00:00-05:00', 'PT24H', NY, 2, '2026-03-09T03:00:00-04:00'],
    ['2026-10-31T02:00:00-04:00', 'P1D', NY, 2, '2026-11-02T02:00:00-05:00'],
    ['2026-10-31T02:00:00-04:00', 'PT24H', NY, 2, '2026-11-02T01:00:00-05:00'],
    ['2026-03-07T02:00:00-05:00', 'P1W', NY, 1, '2026-03-14T02:00:00-04:00'],
    // Into the gap: Joda moves forward by the gap length.
    ['2026-03-07T02:30:00-05:00', 'P1D', NY, 1, '2026-03-08T03:30:00-04:00'],
    // Into the overlap: Joda takes the earlier instant.
    ['2026-10-31T01:30:00-04:00', 'P1D', NY, 1, '2026-11-01T01:30:00-04:00'],
    // Months clamp the day of month; years clamp Feb 29.
    ['2024-01-31T10:00:00Z', 'P1M', undefined, 1, '2024-02-29T10:00:00Z'],
    ['2024-01-31T10:00:00Z', 'P1M', undefined, 3, '2024-04-30T10:00:00Z'],
    ['2024-02-29T10:00:00Z', 'P1Y', undefined, 1, '2025-02-28T10:00:00Z'],
    ['2026-01-01T00:00:00Z', 'PT90M', undefined, 3, '2026-01-01T04:30:00Z'],
    ['2026-01-01T00:00:00Z', 'P1DT1H', 'Europe/Berlin', 2, '2026-01-03T02:00:00Z'],
  ])('%s + %s (%s) x%d = %s', (instant, period, zone, times, expected) => {
    expect(iso(addPeriod(at(instant), parsePeriod(period)!, zone, times))).toBe(iso(at(expected)));
  });

  test('without a zone the fixed offset is the calendar: P1M from Jan 31 23:00-05:00', () => {
    const start = at('2024-01-31T23:00:00-05:00');
    expect(iso(addPeriod(start, parsePeriod('P1M')!, undefined, 1, -300))).toBe(iso(at('2024-02-29T23:00:00-05:00')));
    expect(iso(addPeriod(start, parsePeriod('P1M')!, undefined, 1))).toBe(iso(at('2024-03-01T04:00:00Z')));
  });
});

describe('chronosOccurrences', () => {
  test.each([
    ['R/2026-01-01T00:00:00Z/PT6H', undefined, '2026-01-01T05:00:00Z', 3, ['2026-01-01T06:00:00Z', '2026-01-01T12:00:00Z', '2026-01-01T18:00:00Z']],
    // Strictly after `after`.
    ['R/2026-01-01T00:00:00Z/PT6H', undefined, '2026-01-01T06:00:00Z', 1, ['2026-01-01T12:00:00Z']],
    // A finite count: R2 means two runs in all.
    ['R2/2026-01-01T00:00:00Z/PT6H', undefined, '2025-01-01T00:00:00Z', 5, ['2026-01-01T00:00:00Z', '2026-01-01T06:00:00Z']],
    ['R0/2026-01-01T00:00:00Z/PT6H', undefined, '2025-01-01T00:00:00Z', 5, []],
    // P1D keeps 02:00 local across the spring change; the gap day runs at 03:00.
    ['R/2026-03-06T02:00:00-05:00/P1D', NY, '2026-03-06T00:00:00-05:00', 4, ['2026-03-06T02:00:00-05:00', '2026-03-07T02:00:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-09T02:00:00-04:00']],
    ['R/2024-01-31T10:00:00Z/P1M', undefined, '2024-01-31T10:00:00Z', 3, ['2024-02-29T10:00:00Z', '2024-03-31T10:00:00Z', '2024-04-30T10:00:00Z']],
    // Far past start: the jump must not skip an occurrence.
    ['R/2014-03-08T20:00:00Z/PT2H', undefined, '2024-05-01T11:30:00Z', 2, ['2024-05-01T12:00:00Z', '2024-05-01T14:00:00Z']],
    ['R/2000-01-31T10:00:00Z/P1M', undefined, '2026-02-01T00:00:00Z', 2, ['2026-02-28T10:00:00Z', '2026-03-31T10:00:00Z']],
  ])('%s (%s) after %s, %d', (schedule, zone, after, count, expected) => {
    const s = parseChronosSchedule(schedule, zone, NOW);
    expect(chronosOccurrences(s, at(after), count).map(iso)).toEqual(expected.map((e) => iso(at(e))));
  });

  test('an invalid date is refused instead of looping forever', () => {
    const s = parseChronosSchedule('R/2026-01-01T00:00:00Z/PT1H', undefined, NOW);
    expect(() => chronosOccurrences(s, new Date(Number.NaN), 1)).toThrow(RangeError);
  });

  test('chronosOccurrencesUntil is (after, until] and stops at a finite count', () => {
    const s = parseChronosSchedule('R3/2026-01-01T00:00:00Z/PT1H', undefined, NOW);
    expect(chronosOccurrencesUntil(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')).map(iso)).toEqual([
      iso(at('2026-01-01T01:00:00Z')),
      iso(at('2026-01-01T02:00:00Z')),
    ]);
  });
});

describe('skipForward + formatChronosSchedule: the rewrite at launch, printed as Chronos does', () => {
  test.each([
    // the example of docs/chronos.md, "Scheduling"
    ['R/2014-03-08T20:00:00Z/PT2H', undefined, '2024-05-01T11:30:00Z', 'R/2024-05-01T12:00:00.000Z/PT2H'],
    // On the grid exactly: k = floor(elapsed/period) + 1, so the next one.
    ['R/2026-01-01T00:00:00Z/PT1H', undefined, '2026-01-01T05:00:00Z', 'R/2026-01-01T06:00:00.000Z/PT1H'],
    // A finite count drops by exactly 1 however many were missed.
    ['R5/2026-01-01T00:00:00Z/PT1H', undefined, '2026-01-01T05:30:00Z', 'R4/2026-01-01T06:00:00.000Z/PT1H'],
    // Future start (manual run): start unchanged, count still drops.
    ['R5/2030-01-01T00:00:00Z/PT1H', undefined, '2026-01-01T00:00:00Z', 'R4/2030-01-01T00:00:00.000Z/PT1H'],
    // The R0 quirk pinned by JobUtilsSpec: R0 becomes R (forever).
    ['R0/2030-01-01T00:00:00Z/PT1H', undefined, '2026-01-01T00:00:00Z', 'R/2030-01-01T00:00:00.000Z/PT1H'],
    // The zone's current offset is printed; P1D keeps 02:00 local.
    ['R/2026-03-01T02:00:00-05:00/P1D', NY, '2026-03-20T12:00:00Z', 'R/2026-03-21T02:00:00.000-04:00/P1D'],
    ['R/2026-01-10T10:00:00+01:00/PT12H', undefined, '2026-01-10T10:00:00Z', 'R/2026-01-10T22:00:00.000+01:00/PT12H'],
    ['R/2026-01-10T10:00:00+05:30/P1D', undefined, '2026-01-10T10:00:00Z', 'R/2026-01-11T10:00:00.000+05:30/P1D'],
    // London in winter is offset 0: Joda prints Z.
    ['R/2026-01-10T10:00:00Z/P1D', 'Europe/London', '2026-01-10T12:00:00Z', 'R/2026-01-11T10:00:00.000Z/P1D'],
    // Month periods are added until they pass now.
    ['R/2026-01-31T10:00:00Z/P1M', undefined, '2026-03-05T00:00:00Z', 'R/2026-03-31T10:00:00.000Z/P1M'],
    // A zero period never advances.
    ['R/2026-01-01T00:00:00Z/PT0S', undefined, '2026-02-01T00:00:00Z', 'R/2026-01-01T00:00:00.000Z/PT0S'],
    ['R/2026-01-01T00:00:00Z/PT90M', undefined, '2026-01-01T02:00:00Z', 'R/2026-01-01T03:00:00.000Z/PT90M'],
  ])('%s (%s) at %s -> %s', (schedule, zone, now, expected) => {
    const rewritten = skipForward(parseChronosSchedule(schedule, zone, NOW), at(now));
    expect(formatChronosSchedule(rewritten)).toBe(expected);
    // Re-parsing the printed form with the same zone gives the same schedule back.
    const again = parseChronosSchedule(expected, zone, NOW);
    expect(iso(again.start)).toBe(iso(rewritten.start));
    expect(again.repeat).toBe(rewritten.repeat);
  });
});
