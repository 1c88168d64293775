import {
  CronSyntaxError,
  cronNext,
  cronTimes,
  cronTimesUntil,
  isValidTimeZone,
  mostRecentSlot,
  parseCron,
  scheduleErrors,
} from '../../src/core/schedule/cron.js';

const NY = 'America/New_York';
const iso = (d: Date | undefined): string | undefined => d?.toISOString();
const at = (s: string): Date => new Date(s);

// robfig/cron v3 spec_test.go TestNext, with the seconds field (always 0 in these rows)
// dropped to get ParseStandard's 5 fields. Go's test runs them in time.Local; UTC here.
describe('cronNext: robfig TestNext conformance', () => {
  test.each([
    ['2012-07-09T14:45:00Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T14:59:00Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T14:59:59Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T15:45:00Z', '20-35/15 * * * *', '2012-07-09T16:20:00Z'],
    ['2012-07-09T23:46:00Z', '*/15 * * * *', '2012-07-10T00:00:00Z'],
    ['2012-07-09T23:45:00Z', '20-35/15 * * * *', '2012-07-10T00:20:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 9 Apr-Oct ?', '2012-08-09T00:00:00Z'],
    // */5 is not a star: day-of-month OR day-of-week, so Aug 1 (a Wednesday) fires.
    ['2012-07-09T23:35:00Z', '0 0 */5 Apr,Aug,Oct Mon', '2012-08-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 */5 Oct Mon', '2012-10-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 * Feb Mon', '2013-02-04T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 * Feb Mon/2', '2013-02-01T00:00:00Z'],
    ['2012-12-31T23:59:45Z', '* * * * *', '2013-01-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 29 Feb ?', '2016-02-29T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 30 Feb ?', undefined],
    ['2012-07-09T23:35:00Z', '0 0 31 Apr ?', undefined],
  ])('after %s, %s -> %s', (after, expr, expected) => {
    expect(iso(cronNext(parseCron(expr), 'UTC', at(after)))).toBe(expected && at(expected).toISOString());
  });
});

// robfig/cron v3 spec_test.go TestNext, the TZ=America/New_York and America/Sao_Paulo rows.
describe('cronNext: DST conformance (robfig spec_test.go)', () => {
  test.each([
    // Spring forward 2012-03-11: 02:00 EST -> 03:00 EDT
    ['2012-03-11T00:00:00-05:00', '30 2 11 Mar ?', '2013-03-11T02:30:00-04:00', NY],
    ['2012-03-11T00:00:00-05:00', '0 * * * ?', '2012-03-11T01:00:00-05:00', NY],
    ['2012-03-11T01:00:00-05:00', '0 * * * ?', '2012-03-11T03:00:00-04:00', NY],
    ['2012-03-11T03:00:00-04:00', '0 * * * ?', '2012-03-11T04:00:00-04:00', NY],
    ['2012-03-11T04:00:00-04:00', '0 * * * ?', '2012-03-11T05:00:00-04:00', NY],
    ['2012-03-11T00:00:00-05:00', '0 1 * * ?', '2012-03-11T01:00:00-05:00', NY],
    ['2012-03-11T01:00:00-05:00', '0 1 * * ?', '2012-03-12T01:00:00-04:00', NY],
    // 2am nightly job: skipped on the spring-forward day
    ['2012-03-11T00:00:00-05:00', '0 2 * * ?', '2012-03-12T02:00:00-04:00', NY],
    // Fall back 2012-11-04: 02:00 EDT -> 01:00 EST
    ['2012-11-04T00:00:00-04:00', '30 2 04 Nov ?', '2012-11-04T02:30:00-05:00', NY],
    ['2012-11-04T01:45:00-04:00', '30 1 04 Nov ?', '2012-11-04T01:30:00-05:00', NY],
    ['2012-11-04T00:00:00-04:00', '0 * * * ?', '2012-11-04T01:00:00-04:00', NY],
    ['2012-11-04T01:00:00-04:00', '0 * * * ?', '2012-11-04T01:00:00-05:00', NY],
    ['2012-11-04T01:00:00-05:00', '0 * * * ?', '2012-11-04T02:00:00-05:00', NY],
    // 1am nightly job: runs twice on the fall-back day
    ['2012-11-04T00:00:00-04:00', '0 1 * * ?', '2012-11-04T01:00:00-04:00', NY],
    ['2012-11-04T01:00:00-04:00', '0 1 * * ?', '2012-11-04T01:00:00-05:00', NY],
    ['2012-11-04T01:00:00-05:00', '0 1 * * ?', '2012-11-05T01:00:00-05:00', NY],
    ['2012-11-04T00:00:00-04:00', '0 2 * * ?', '2012-11-04T02:00:00-05:00', NY],
    ['2012-11-04T02:00:00-05:00', '0 2 * * ?', '2012-11-05T02:00:00-05:00', NY],
    ['2012-11-04T00:00:00-04:00', '0 3 * * ?', '2012-11-04T03:00:00-05:00', NY],
    ['2012-11-04T03:00:00-05:00', '0 3 * * ?', '2012-11-05T03:00:00-05:00', NY],
    ['2012-11-04T00:00:00-04:00', '0 3 3 * ?', '2012-12-03T03:00:00-05:00', NY],
    // Midnight does not exist on DST days in Sao Paulo (robfig issue #157)
    ['2018-10-17T05:00:00-04:00', '0 9 10 * ?', '2018-11-10T06:00:00-05:00', 'America/Sao_Paulo'],
    ['2018-02-14T05:00:00-05:00', '0 9 22 * ?', '2018-02-22T07:00:00-05:00', 'America/Sao_Paulo'],
    // TestNextWithTz
    ['2016-01-03T13:09:03+05:30', '14 14 * * *', '2016-01-03T14:14:00+05:30', 'Asia/Kolkata'],
    ['2016-01-03T04:09:03+05:30', '14 14 * * ?', '2016-01-03T14:14:00+05:30', 'Asia/Kolkata'],
    ['2016-01-03T14:09:03+05:30', '14 14 * * *', '2016-01-03T14:14:00+05:30', 'Asia/Kolkata'],
  ])('after %s, %s -> %s (%s)', (after, expr, expected, zone) => {
    expect(iso(cronNext(parseCron(expr), zone, at(after)))).toBe(at(expected).toISOString());
  });
});

// robfig spec_test.go TestActivation: does `expr` fire exactly at `time`?
describe('day-of-month / day-of-week rule (robfig TestActivation)', () => {
  test.each([
    ['2012-07-15T15:00:00Z', '0/15 * * Jul *', true],
    ['2012-07-15T15:00:00Z', '0/15 * * Jun *', false],
    ['2012-07-15T08:30:00Z', '30 08 ? Jul Sun', true],
    ['2012-07-15T08:30:00Z', '30 08 15 Jul ?', true],
    ['2012-07-16T08:30:00Z', '30 08 ? Jul Sun', false],
    ['2012-07-16T08:30:00Z', '30 08 15 Jul ?', false],
    ['2012-07-09T15:00:00Z', '@hourly', true],
    ['2012-07-09T15:04:00Z', '@hourly', false],
    ['2012-07-09T15:00:00Z', '@daily', false],
    ['2012-07-09T00:00:00Z', '@daily', true],
    ['2012-07-09T00:00:00Z', '@weekly', false],
    ['2012-07-08T00:00:00Z', '@weekly', true],
    ['2012-07-08T01:00:00Z', '@weekly', false],
    ['2012-07-08T00:00:00Z', '@monthly', false],
    ['2012-07-01T00:00:00Z', '@monthly', true],
    ['2012-01-01T00:00:00Z', '@yearly', true],
    ['2012-01-01T00:00:00Z', '@annually', true],
    ['2012-07-09T00:00:00Z', '@midnight', true],
    // Both day fields restricted: either one matching is enough.
    ['2012-07-15T00:00:00Z', '* * 1,15 * Sun', true],
    ['2012-06-15T00:00:00Z', '* * 1,15 * Sun', true],
    ['2012-08-01T00:00:00Z', '* * 1,15 * Sun', true],
    // One day field is a star: both must match.
    ['2012-07-15T00:00:00Z', '* * * * Mon', false],
    ['2012-07-09T00:00:00Z', '* * 1,15 * *', false],
    ['2012-07-15T00:00:00Z', '* * 1,15 * *', true],
    ['2012-07-15T00:00:00Z', '* * */2 * Sun', true],
    // `*/10` is not a star (Vixie cron would say false here: it treats */n as *).
    ['2012-07-15T00:00:00Z', '* * */10 * Sun', true],
    ['2012-07-16T00:00:00Z', '* * */10 * Sun', false],
    // `*/1` keeps the star bit: AND again.
    ['2012-07-16T00:00:00Z', '* * */1 * Sun', false],
  ])('%s %s fires: %s', (time, expr, fires) => {
    const t = at(time);
    const next = cronNext(parseCron(expr), 'UTC', new Date(t.getTime() - 1000));
    expect(next?.getTime() === t.getTime()).toBe(fires);
  });
});

describe('parseCron errors (robfig and apiserver texts)', () => {
  test.each([
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['0 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['0 0 * 13 *', 'end of range (13) above maximum (12): 13'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['0 0 * * 1-7', 'end of range (7) above maximum (6): 1-7'],
    ['0 0 * * 5-2', 'beginning of range (5) beyond end of range (2): 5-2'],
    ['15/0 * * * *', 'step of range should be a positive number: 15/0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['0 0 * * XYZ', 'failed to parse int from XYZ: strconv.Atoi: parsing "XYZ": invalid syntax'],
    ['xyz', 'expected exactly 5 fields, found 1: [xyz]'],
    ['L * * * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 1W * *', 'failed to parse int from 1W: strconv.Atoi: parsing "1W": invalid syntax'],
    ['0 0 * * 1#2', 'failed to parse int from 1#2: strconv.Atoi: parsing "1#2": invalid syntax'],
    ['@reboot', 'unrecognized descriptor: @reboot'],
    ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ['@every', 'unrecognized descriptor: @every'],
    ['', 'empty spec string'],
    ['TZ=UTC 0 * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ['CRON_TZ=Europe/Paris 0 * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ])('%j: %s', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronSyntaxError);
    expect(() => parseCron(expr)).toThrow(message);
  });

  // validateScheduleFormat: robfig's ParseStandard reads a TZ= prefix, then the apiserver's TZ rule.
  test.each([
    ['0 * * * *', []],
    ['TZ=America/New_York 15/0 * * * *', ['step of range should be a positive number: 15/0', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['TZ=Mars/Base 0 * * * *', ['provided bad location Mars/Base: unknown time zone Mars/Base', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['CRON_TZ=Europe/Paris @daily', ['cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['0 0 * * TZ', ['failed to parse int from TZ: strconv.Atoi: parsing "TZ": invalid syntax', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
  ])('scheduleErrors(%j)', (expr, errors) => {
    expect(scheduleErrors(expr)).toEqual(errors);
  });

  test.each([
    ['0 0 * * SUN', [0]],
    ['0 0 * * mon-FRI', [1, 2, 3, 4, 5]],
    ['0 0 * * 1,,3', [1, 3]],
    ['0 0 * * 5/1', [5, 6]],
  ])('day-of-week %s', (expr, values) => {
    const spec = parseCron(expr);
    expect(spec.kind === 'fields' && spec.dayOfWeek.values).toEqual(values);
  });

  test.each([
    ['0 0 1 jan-MAR/2 *', [1, 3]],
    ['0 0 1 */4 *', [1, 5, 9]],
    ['0 0 1 10/1 *', [10, 11, 12]],
  ])('month %s', (expr, values) => {
    const spec = parseCron(expr);
    expect(spec.kind === 'fields' && spec.month.values).toEqual(values);
  });
});

describe('@every', () => {
  test.each([
    ['@every 1h30m', '2026-01-01T10:00:00.250Z', '2026-01-01T11:30:00.000Z'],
    ['@every 90s', '2026-01-01T10:00:00Z', '2026-01-01T10:01:30.000Z'],
    // Rounded to whole seconds, at least one second (robfig's Every).
    ['@every 1500ms', '2026-01-01T10:00:00Z', '2026-01-01T10:00:01.000Z'],
    ['@every 10ms', '2026-01-01T10:00:00Z', '2026-01-01T10:00:01.000Z'],
    ['@every 1.5m', '2026-01-01T10:00:00Z', '2026-01-01T10:01:30.000Z'],
  ])('%s after %s -> %s', (expr, after, expected) => {
    expect(iso(cronNext(parseCron(expr), NY, at(after)))).toBe(expected);
  });
});

describe('cronTimes / cronTimesUntil', () => {
  test('fall-back hour fires twice, spring gap once skipped (30 1 * * * and 30 2 * * *)', () => {
    const fall = cronTimes(parseCron('30 1 * * *'), NY, at('2026-11-01T00:00:00-04:00'), 3).map(iso);
    expect(fall).toEqual([
      at('2026-11-01T01:30:00-04:00').toISOString(),
      at('2026-11-01T01:30:00-05:00').toISOString(),
      at('2026-11-02T01:30:00-05:00').toISOString(),
    ]);
    const spring = cronTimes(parseCron('30 2 * * *'), NY, at('2026-03-07T12:00:00-05:00'), 2).map(iso);
    expect(spring).toEqual([
      at('2026-03-09T02:30:00-04:00').toISOString(),
      at('2026-03-10T02:30:00-04:00').toISOString(),
    ]);
  });

  // East of UTC Go's time.Date resolves gap times forward, west of it backward; robfig's walk
  // must skip and double the same way either side.
  test.each([
    ['30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00+01:00', ['2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00']],
    ['30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00+02:00', ['2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00']],
    ['0 * * * *', 'Europe/Berlin', '2026-03-29T01:00:00+01:00', ['2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00']],
    // Lord Howe springs forward by 30 minutes (02:00 -> 02:30): 02:15 is skipped, 02:45 is not.
    ['15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T12:00:00+10:30', ['2026-10-05T02:15:00+11:00', '2026-10-06T02:15:00+11:00']],
    ['45 2 * * *', 'Australia/Lord_Howe', '2026-10-03T12:00:00+10:30', ['2026-10-04T02:45:00+11:00', '2026-10-05T02:45:00+11:00']],
  ])('%s in %s after %s', (expr, zone, after, expected) => {
    expect(cronTimes(parseCron(expr), zone, at(after), 2).map(iso)).toEqual(expected.map((e) => at(e).toISOString()));
  });

  test('an invalid date is refused instead of looping forever', () => {
    expect(() => cronNext(parseCron('0 * * * *'), 'UTC', new Date(Number.NaN))).toThrow(RangeError);
  });

  test('cronTimesUntil is (after, until] and agrees with cronTimes', () => {
    const spec = parseCron('*/15 * * * *');
    const after = at('2026-06-01T00:00:00Z');
    const until = at('2026-06-01T01:00:00Z');
    const times = cronTimesUntil(spec, 'UTC', after, until).map(iso);
    expect(times).toEqual(cronTimes(spec, 'UTC', after, 4).map(iso));
    expect(times.at(-1)).toBe(until.toISOString());
  });

  test('a year of */5 in America/New_York: 105120 slots, evenly 5 minutes apart, in well under a second', () => {
    const started = performance.now();
    const times = cronTimesUntil(parseCron('*/5 * * * *'), NY, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'));
    const elapsed = performance.now() - started;
    expect(times).toHaveLength(105_120);
    expect(times.every((t, i) => i === 0 || t.getTime() - times[i - 1]!.getTime() === 300_000)).toBe(true);
    expect(elapsed).toBeLessThan(2000);
  });
});

// The controller's mostRecentScheduleTime ([K] pkg/controller/cronjob/utils.go).
describe('mostRecentSlot', () => {
  test.each([
    // earliest, now, expected slot, missedCount
    ['0 * * * *', '2026-05-01T10:00:00Z', '2026-05-01T10:59:59Z', undefined, 0],
    ['0 * * * *', '2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z', '2026-05-01T11:00:00Z', 1],
    ['0 * * * *', '2026-05-01T10:00:00Z', '2026-05-01T11:30:00Z', '2026-05-01T11:00:00Z', 1],
    ['0 * * * *', '2026-05-01T10:00:00Z', '2026-05-01T13:30:00Z', '2026-05-01T13:00:00Z', 3],
    // A slot equal to the baseline is not due: Next starts at the following second.
    ['0 10 * * *', '2026-05-01T10:00:00Z', '2026-05-01T12:00:00Z', undefined, 0],
    ['0 10 * * *', '2026-05-01T09:59:59Z', '2026-05-01T12:00:00Z', '2026-05-01T10:00:00Z', 1],
    // Suspended for ten days: only the latest daily slot runs.
    ['0 10 * * *', '2026-05-01T10:00:00Z', '2026-05-11T11:00:00Z', '2026-05-11T10:00:00Z', 10],
    // More than 100 missed (TooManyMissedTimes): v2 still picks the latest slot.
    ['*/5 * * * *', '2026-05-01T00:00:00Z', '2026-05-02T00:02:00Z', '2026-05-02T00:00:00Z', 288],
  ])('%s since %s at %s -> %s (%d)', (expr, earliest, now, slot, missed) => {
    const r = mostRecentSlot(parseCron(expr), 'UTC', at(earliest), at(now));
    expect(iso(r.slot)).toBe(slot && at(slot).toISOString());
    expect(r.missedCount).toBe(missed);
    expect(r.invalid).toBeUndefined();
  });

  test('an impossible date is refused like the controller does (InvalidSchedule)', () => {
    const r = mostRecentSlot(parseCron('0 0 30 2 *'), 'UTC', at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'));
    expect(r.slot).toBeUndefined();
    expect(r.invalid).toBe('time difference between two schedules is less than 1 second');
  });

  test('in the fall-back hour the second 01:30 is its own slot', () => {
    const r = mostRecentSlot(parseCron('30 1 * * *'), NY, at('2026-11-01T01:30:00-04:00'), at('2026-11-01T01:45:00-05:00'));
    expect(iso(r.slot)).toBe(at('2026-11-01T01:30:00-05:00').toISOString());
  });
});

describe('a walk that does not advance ends the schedule', () => {
  // Chatham falls back from 03:45 to 02:45. robfig truncates to the hour on the wall clock, which
  // lands before the start, and its walk returns the start itself (02:50+12:45, hour 2): the
  // controller reads that as two slots less than a second apart.
  const spec = parseCron('50 3 4 * *');
  const chatham = 'Pacific/Chatham';
  test('no fire time after 2027-04-04T02:50+12:45, where a caller used to loop forever', () => {
    expect(cronNext(spec, chatham, at('2027-04-03T14:05:00Z'))).toBeUndefined();
    expect(cronTimesUntil(spec, chatham, at('2027-03-01T00:00:00Z'), at('2027-06-01T00:00:00Z')).map(iso)).toEqual(['2027-03-03T14:05:00.000Z', '2027-04-03T14:05:00.000Z']);
    expect(mostRecentSlot(spec, chatham, at('2027-03-03T14:05:00Z'), at('2027-04-10T00:00:00Z'))).toEqual({
      missedCount: 0,
      invalid: 'time difference between two schedules is less than 1 second',
    });
  });
});

describe('isValidTimeZone (apiserver validateTimeZone)', () => {
  test.each([
    ['America/New_York', true],
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['US/Eastern', true],
    ['America/Argentina/Buenos_Aires', true],
    // In Go's tz database (offset 0, "-00") though not in Intl's; Go's lookup is case-sensitive.
    ['Factory', true],
    ['factory', false],
    ['', false],
    ['Local', false],
    ['Mars/Olympus_Mons', false],
    ['america/new_york', false],
    ['../etc/passwd', false],
    ['-Foo/Bar', false],
    ['+05:00', false],
    ['America/Very_Long_City_Name', false],
  ])('%j -> %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});
