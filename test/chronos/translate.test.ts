import { cronTimes, parseCron } from '../../src/core/schedule/cron.js';
import { compareSchedules, cronFireTimes, type FireTimes } from '../../src/core/schedule/compare.js';
import { chronosOccurrences, parseChronosSchedule } from '../../backends/chronos/iso8601.js';
import { chronosFireTimes, chronosToCron, cronToChronos } from '../../backends/chronos/translate.js';

const NY = 'America/New_York';
const AFTER = new Date('2026-11-25T00:00:00Z');
const at = (s: string): Date => new Date(s);

describe('cronToChronos: possible exactly when the fire times form one period', () => {
  test.each([
    // cron, zone, schedule, scheduleTimeZone (explicit for UTC and date-based periods; a sub-day period elsewhere is offset-only)
    ['*/15 * * * *', 'Etc/UTC', 'R/2026-11-25T00:15:00.000Z/PT15M', 'Etc/UTC'],
    ['15 */2 * * *', 'Etc/UTC', 'R/2026-11-25T00:15:00.000Z/PT2H', 'Etc/UTC'],
    ['15 1-23/2 * * *', 'Etc/UTC', 'R/2026-11-25T01:15:00.000Z/PT2H', 'Etc/UTC'],
    ['0 3 * * 1', 'Etc/UTC', 'R/2026-11-30T03:00:00.000Z/P1W', 'Etc/UTC'],
    ['0 3 * * 1', NY, 'R/2026-11-30T03:00:00.000-05:00/P1W', NY],
    ['0 4 * * *', NY, 'R/2026-11-25T04:00:00.000-05:00/P1D', NY],
    // London's changes happen at 01:00 local, so 02:00 exists exactly once every day.
    ['0 2 * * *', 'Europe/London', 'R/2026-11-25T02:00:00.000Z/P1D', 'Europe/London'],
    ['*/15 * * * *', NY, 'R/2026-11-25T00:15:00.000Z/PT15M', undefined],
    ['@daily', 'Asia/Kolkata', 'R/2026-11-26T00:00:00.000+05:30/P1D', 'Asia/Kolkata'],
    ['0 0 1 * *', 'Etc/UTC', 'R/2026-12-01T00:00:00.000Z/P1M', 'Etc/UTC'],
    ['@yearly', 'Etc/UTC', 'R/2027-01-01T00:00:00.000Z/P1Y', 'Etc/UTC'],
    ['@every 90m', 'Etc/UTC', 'R/2026-11-25T01:30:00.000Z/PT90M', 'Etc/UTC'],
    ['@hourly', NY, 'R/2026-11-25T01:00:00.000Z/PT1H', undefined],
  ])('%s (%s) -> %s', (cron, zone, schedule, scheduleTimeZone) => {
    const r = cronToChronos(cron, zone, AFTER);
    expect(r).toMatchObject({ ok: true, schedule });
    if (!r.ok) return;
    expect(r.scheduleTimeZone).toBe(scheduleTimeZone);
    // Independent check of the proof: the next 50 times agree when Chronos reads the string.
    const chronos = parseChronosSchedule(r.schedule, r.scheduleTimeZone);
    expect(chronosOccurrences(chronos, AFTER, 50)).toEqual(cronTimes(parseCron(cron), zone, AFTER, 50));
  });

  test('the period is not read across a DST change: the day before the spring gap still gives P1D', () => {
    const r = cronToChronos('30 2 * * *', NY, at('2027-03-13T00:00:00-05:00'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('Chronos P1D');
    expect(!r.ok && r.reason).toContain('2027-03-14: cron runs nothing, Chronos runs 03:30 (UTC-04:00)');
  });

  test.each([
    // cron, zone, words the reason must contain
    ['0 9 * * 1-5', 'Etc/UTC', ['uneven intervals (1 day, 3 days)', 'one Chronos job per weekday', '2026-11-28: cron runs nothing, Chronos runs 09:00 (UTC+00:00)']],
    ['0 0 31 * *', 'Etc/UTC', ['uneven intervals (31 days, 59 days, 61 days)']],
    ['0 9 1,15 * *', 'Etc/UTC', ['uneven intervals']],
    // robfig skips the spring-forward gap: 2027-03-14 02:30 does not exist in New York.
    ['30 2 * * *', NY, ['daylight-saving', '2027-03-14: cron runs nothing, Chronos runs 03:30 (UTC-04:00)']],
    ['0 2 * * *', NY, ['2027-03-14: cron runs nothing, Chronos runs 03:00 (UTC-04:00)']],
    // robfig runs the repeated 01:30 twice on the fall-back day.
    ['30 1 * * *', NY, ['2027-11-07: cron runs 01:30 (UTC-05:00), Chronos runs nothing']],
    ['0 2 * * *', 'Europe/Berlin', ['2027-03-28: cron runs nothing, Chronos runs 03:00 (UTC+02:00)']],
    // Elapsed PT2H against a wall-clock grid: an hour apart from the spring change on.
    ['15 */2 * * *', NY, ['follows the wall clock', 'elapsed time', '2027-03-14']],
    ['0 0 30 2 *', 'Etc/UTC', ['never fires']],
    // Job names are per minute (trap 11): @every 10s does not run six times a minute on Kubernetes.
    ['@every 10s', 'Etc/UTC', ['runs within one minute collapse into one']],
    ['0 0 * * 7', 'Etc/UTC', ['not a valid schedule', 'end of range (7) above maximum (6): 7']],
    ['0 0 * * *', 'Mars/Base', ['unknown time zone Mars/Base']],
  ])('%s (%s) is refused', (cron, zone, words) => {
    const r = cronToChronos(cron, zone, AFTER);
    expect(r.ok).toBe(false);
    for (const w of words) expect(!r.ok && r.reason).toContain(w);
  });
});

describe('periods longer than a year of fire times can decide', () => {
  // A year holds one Feb 29 at most, and one alignment of fire dates with the DST change dates.
  test('Feb 29 every four years: cron skips 2100 (not a leap year), Chronos P4Y runs on 2100-02-28', () => {
    const r = cronToChronos('0 0 29 2 *', 'Etc/UTC', AFTER);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('not over the 400-year calendar cycle');
    expect(!r.ok && r.reason).toContain('2100-02-28: cron runs nothing, Chronos runs 00:00 (UTC+00:00)');
  });

  test('a yearly 02:30 in New York agrees until the year its date is the spring change (2037-03-08)', () => {
    const r = cronToChronos('30 2 8 3 *', NY, AFTER);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('2037-03-08: cron runs nothing, Chronos runs 03:30 (UTC-04:00)');
  });

  test.each([
    // Lord Howe changes by 30 minutes: robfig's hour walk leaves the :00 grid for the rest of the
    // day, so 03:00 is missed though the gap is 02:00-02:30.
    ['0 3 1 * *', 'Australia/Lord_Howe', '2028-10-01: cron runs nothing, Chronos runs 03:00 (UTC+11:00)'],
    // Chatham falls back at 03:45: 03:50 is outside the repeated 02:45-03:45 but inside its hours.
    ['50 3 1 * *', 'Pacific/Chatham', '2029-04-01: cron runs 02:50 (UTC+12:45), Chronos runs 03:50 (UTC+12:45)'],
    // Havana's spring change removes midnight: robfig's correction lands an hour back, on the 8th,
    // and its walk fires again on the 9th.
    ['0 5 8 * *', 'America/Havana', '2031-03-09: cron runs 05:00 (UTC-04:00), Chronos runs nothing'],
    // The two fire times the period is read from straddle DST changes: an elapsed 365 days.
    ['45 3 1 4 *', 'Pacific/Chatham', 'PT8760H is elapsed time'],
  ])('%s in %s: a year cannot decide, the cycle does', (cron, zone, words) => {
    const r = cronToChronos(cron, zone, AFTER);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(words);
  });

  test('P1M from a leap-year January 29th: every month of that year has a 29th, February 2029 does not', () => {
    const r = chronosToCron('R/2028-01-29T00:00:00Z/P1M', undefined, AFTER);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('2029-02-28: Chronos runs 00:00 (UTC+00:00), cron runs nothing');
  });

  test.each([
    // Every month in the set has a 29th in every year.
    ['0 0 29 1,4,7,10 *', 'Etc/UTC', 'P3M'],
    // 03:00 is after New York's gap (02:00-03:00) on whatever date the change falls.
    ['0 3 8 3 *', NY, 'P1Y'],
  ])('%s (%s) is still %s over the whole cycle', (cron, zone, period) => {
    expect(cronToChronos(cron, zone, AFTER)).toMatchObject({ ok: true, period });
  });
});

describe('chronosToCron', () => {
  test.each([
    // schedule, scheduleTimeZone, cron, timezone
    ['R/2026-05-01T12:15:00.000Z/PT2H', undefined, '15 */2 * * *', 'Etc/UTC'],
    ['R/2026-05-01T13:15:00.000Z/PT2H', undefined, '15 1-23/2 * * *', 'Etc/UTC'],
    ['R/2026-05-01T12:07:00Z/PT15M', undefined, '7-59/15 * * * *', 'Etc/UTC'],
    ['R/2026-05-01T12:00:00Z/PT1M', undefined, '* * * * *', 'Etc/UTC'],
    ['R/2026-05-01T12:30:00Z/PT1H', undefined, '30 * * * *', 'Etc/UTC'],
    ['R/2026-05-01T12:00:00Z/PT24H', undefined, '0 12 * * *', 'Etc/UTC'],
    ['R/2026-05-04T09:00:00.000-04:00/P1W', NY, '0 9 * * 1', NY],
    ['R/2026-05-04T09:00:00.000-04:00/P7D', NY, '0 9 * * 1', NY],
    ['R/2026-05-01T04:00:00-04:00/P1D', NY, '0 4 * * *', NY],
    ['R/2026-05-01T12:00:00Z/PT15M', NY, '*/15 * * * *', NY],
    // A fixed offset without a zone is plain UTC arithmetic.
    ['R/2026-05-01T12:00:00+05:30/P1D', undefined, '30 6 * * *', 'Etc/UTC'],
    ['R/2026-01-15T00:00:00Z/P1M', undefined, '0 0 15 * *', 'Etc/UTC'],
    ['R/2026-02-15T06:00:00Z/P3M', undefined, '0 6 15 2-12/3 *', 'Etc/UTC'],
    ['R/2026-03-10T06:00:00Z/P1Y', undefined, '0 6 10 3 *', 'Etc/UTC'],
    // A live schedule in the past: the grid is what counts.
    ['R/2014-03-08T20:00:00Z/PT2H', undefined, '0 */2 * * *', 'Etc/UTC'],
  ])('%s (%s) -> %s in %s', (schedule, zone, cron, timezone) => {
    expect(chronosToCron(schedule, zone, AFTER)).toEqual({ ok: true, cron, timezone });
  });

  test.each([
    ['R/2026-05-01T12:00:00Z/PT90M', undefined, ['PT90M', 'more than one cron line']],
    ['R/2026-05-01T12:00:00Z/PT7M', undefined, ['PT7M does not divide an hour']],
    ['R/2026-05-01T12:00:00Z/PT5H', undefined, ['PT5H does not divide a day']],
    ['R5/2026-05-01T12:00:00Z/PT1H', undefined, ['R5 runs 5 more times and stops']],
    ['R0/2026-05-01T12:00:00Z/PT1H', undefined, ['R0 never runs again']],
    ['R/2026-05-01T02:00:00-04:00/PT24H', NY, ['PT24H is elapsed time', 'America/New_York', '2026-11-25: Chronos runs 01:00 (UTC-05:00), cron runs 02:00 (UTC-05:00)']],
    ['R/2026-05-01T02:00:00-04:00/P1D', NY, ['daylight-saving', '2027-03-14: Chronos runs 03:00 (UTC-04:00), cron runs nothing']],
    ['R/2026-05-01T12:00:00Z/PT2H', NY, ['elapsed time']],
    ['R/2026-01-31T00:00:00Z/P1M', undefined, ['2027-02-28: Chronos runs 00:00 (UTC+00:00), cron runs nothing']],
    ['R/2026-05-01T12:00:00Z/P2D', undefined, ['P2D is neither a day nor a week']],
    ['R/2026-05-01T12:00:00Z/P1DT1H', undefined, ['mixes calendar and clock units']],
    ['R/2026-05-01T12:00:00Z/PT0S', undefined, ['PT0S is zero']],
    ['R/2026-05-01T12:00:30Z/PT1H', undefined, ['not on a whole minute']],
    ['R/2026-05-01T12:00:00Z/PT30S', undefined, ['PT30S is not a whole number of minutes']],
    ['every day at noon', undefined, ["Cannot parse schedule 'every day at noon'"]],
  ])('%s (%s) is refused', (schedule, zone, words) => {
    const r = chronosToCron(schedule, zone, AFTER);
    expect(r.ok).toBe(false);
    for (const w of words) expect(!r.ok && r.reason).toContain(w);
  });
});

describe('round trips: cron -> Chronos -> cron keeps every fire time for a year', () => {
  test.each([
    ['*/15 * * * *', 'Etc/UTC'],
    ['15 */2 * * *', 'Etc/UTC'],
    ['45 1-23/2 * * *', 'Etc/UTC'],
    ['0 3 * * 1', NY],
    ['30 4 * * *', NY],
    ['0 2 * * *', 'Europe/London'],
    ['10 5 * * 0', 'Europe/Berlin'],
    ['0 0 1 */3 *', 'Etc/UTC'],
    ['*/5 * * * *', 'Australia/Sydney'],
  ])('%s in %s', (cron, zone) => {
    const there = cronToChronos(cron, zone, AFTER);
    if (!there.ok) throw new Error(there.reason);
    const back = chronosToCron(there.schedule, there.scheduleTimeZone, AFTER);
    if (!back.ok) throw new Error(back.reason);
    const proof = compareSchedules(
      cronFireTimes(parseCron(cron), zone),
      cronFireTimes(parseCron(back.cron), back.timezone),
      AFTER,
    );
    expect(proof).toEqual({ equivalent: true, differences: [] });
  });
});

describe('compareSchedules', () => {
  const fixed = (...isoTimes: string[]): FireTimes => (after, until) =>
    isoTimes.map(at).filter((t) => t > after && t <= until);

  test('reports every differing date in the zone, with the times only one side has', () => {
    const a = fixed('2026-12-01T10:00:00Z', '2026-12-02T10:00:00Z', '2026-12-03T04:00:00Z');
    const b = fixed('2026-12-01T10:00:00Z', '2026-12-02T11:00:00Z');
    const r = compareSchedules(a, b, AFTER, 366, NY);
    expect(r.equivalent).toBe(false);
    // 2026-12-03T04:00Z is still Dec 2 in New York, so both land on one date.
    expect(r.differences).toEqual([
      {
        date: '2026-12-02',
        onlyInA: [at('2026-12-02T10:00:00Z'), at('2026-12-03T04:00:00Z')],
        onlyInB: [at('2026-12-02T11:00:00Z')],
      },
    ]);
    expect(compareSchedules(a, b, AFTER, 366, 'UTC').differences.map((d) => d.date)).toEqual(['2026-12-02', '2026-12-03']);
  });

  test('looks a full year ahead: the spring change five months out is found', () => {
    const r = compareSchedules(
      cronFireTimes(parseCron('30 2 * * *'), NY),
      chronosFireTimes(parseChronosSchedule('R/2026-11-25T02:30:00-05:00/P1D', NY)),
      AFTER,
      366,
      NY,
    );
    expect(r.differences.map((d) => d.date)).toEqual(['2027-03-14']);
    expect(r.differences[0]!.onlyInA).toEqual([]);
    expect(r.differences[0]!.onlyInB).toEqual([at('2027-03-14T03:30:00-04:00')]);
  });

  test.each([
    ['30 2 * * *', 'R/2026-11-25T02:30:00-05:00/P1D', NY],
    ['15 */2 * * *', 'R/2026-11-25T00:15:00Z/PT2H', NY],
    ['0 9 * * 1-5', 'R3/2026-11-25T09:00:00Z/P1D', 'UTC'],
  ])('streamed and windowed comparisons agree: %s vs %s', (cron, schedule, zone) => {
    const a = cronFireTimes(parseCron(cron), zone);
    const b = chronosFireTimes(parseChronosSchedule(schedule, zone === 'UTC' ? undefined : zone));
    const windowed = (f: FireTimes): FireTimes => (after, until) => f(after, until);
    const streamed = compareSchedules(a, b, AFTER, 366, zone);
    expect(streamed.equivalent).toBe(false);
    expect(compareSchedules(windowed(a), windowed(b), AFTER, 366, zone)).toEqual(streamed);
  });

  test('a shorter horizon misses what lies beyond it', () => {
    const r = compareSchedules(
      cronFireTimes(parseCron('30 2 * * *'), NY),
      chronosFireTimes(parseChronosSchedule('R/2026-11-25T02:30:00-05:00/P1D', NY)),
      AFTER,
      30,
      NY,
    );
    expect(r.equivalent).toBe(true);
  });

  test('maxDifferences stops the comparison early and says so', () => {
    const a = cronFireTimes(parseCron('0 0 29 2 *'), 'UTC');
    const b = chronosFireTimes(parseChronosSchedule('R/2028-02-29T00:00:00Z/P4Y'));
    expect(compareSchedules(a, b, AFTER, 366)).toEqual({ equivalent: true, differences: [] });
    const r = compareSchedules(a, b, AFTER, 146_097, 'UTC', 2);
    expect(r.truncated).toBe(true);
    expect(r.differences.map((d) => d.date)).toEqual(['2100-02-28', '2104-02-29']);
  });

  test('a year of every-minute slots is compared in under a few seconds', () => {
    const started = performance.now();
    const r = cronToChronos('* * * * *', 'Etc/UTC', AFTER);
    expect(r).toMatchObject({ ok: true, period: 'PT1M' });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
