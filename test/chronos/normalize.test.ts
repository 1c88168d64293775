/** Normalisation: an untouched job never differs; a real change always does. */
import { readChronosJob, type ChronosJob } from '../../backends/chronos/model.js';
import { normalizeChronosJob } from '../../backends/chronos/normalize.js';
import { canonicalSchedule } from '../../backends/chronos/schedule.js';
import { postJson, startChronos } from './helpers.js';

const now = new Date('2026-05-01T10:00:00Z');
const read = (o: Record<string, unknown>): ChronosJob => readChronosJob(o, { now });

describe('canonicalSchedule: period, zone and phase, not text', () => {
  test.each([
    ['R3/2026-05-01T10:15:00Z/PT2H', '', 'R/2026-05-03T08:15:00.000Z/PT2H'],
    ['R/2026-05-01T12:15:00+02:00/PT2H', '', 'R/2026-05-01T10:15:00.000Z/PT2H'],
    ['R/2026-05-01T09:00:00/P1D', 'Europe/Paris', 'R/2026-12-24T09:00:00.000+01:00/P1D'],
    ['R/2026-05-04T09:00:00Z/P1W', '', 'R/2027-01-04T09:00:00Z/P1W'],
    ['R/2026-05-15T06:00:00Z/P1M', '', 'R/2026-08-15T06:00:00.000Z/P1M'],
  ])('%s (zone %j) is the same grid as %s', (a, zone, b) => {
    expect(canonicalSchedule(a, zone)).toBe(canonicalSchedule(b, zone));
  });

  test.each([
    ['R/2026-05-01T10:15:00Z/PT2H', 'R/2026-05-01T11:15:00Z/PT2H'],
    ['R/2026-05-01T10:15:00Z/PT2H', 'R/2026-05-01T10:15:00Z/PT3H'],
    ['R/2026-05-01T09:00:00Z/P1D', 'R/2026-05-01T09:00:00Z/PT24H'],
    ['R/2026-05-04T09:00:00Z/P1W', 'R/2026-05-05T09:00:00Z/P1W'],
  ])('%s and %s differ', (a, b) => {
    expect(canonicalSchedule(a, 'Europe/Paris')).not.toBe(canonicalSchedule(b, 'Europe/Paris'));
  });

  test('an unparseable schedule is kept as is', () => {
    expect(canonicalSchedule('R/whenever/P1D', '')).toBe('R/whenever/P1D');
  });
});

describe('normalizeChronosJob', () => {
  test('defaults, counters, uris/fetch mirroring, parents order and port strings are canonical', () => {
    const sparse = read({ name: 'a', schedule: 'R5/2026-05-01T10:15:00Z/PT2H', uris: ['http://x/a.tgz'] });
    const live = read({
      name: 'a', schedule: 'R2/2026-05-07T12:15:00.000Z/PT2H', successCount: 3, errorCount: 1, lastSuccess: '2026-05-07T10:15:30.000Z',
      lastError: '2026-05-03T10:15:30.000Z', errorsSinceLastSuccess: 0, cpus: 0.1, mem: 128, disk: 256, uris: ['http://x/a.tgz'],
      fetch: [{ uri: 'http://x/a.tgz', extract: true }],
    });
    expect(normalizeChronosJob(live)).toEqual(normalizeChronosJob(sparse));
    const p1 = read({ name: 'c', parents: ['b', 'a'], container: { image: 'x', networkInfos: [{ name: 'n', portMappings: [{ hostPort: 80, containerPort: '8080' }] }] } });
    const p2 = read({ name: 'c', parents: ['a', 'b'], container: { image: 'x', networkInfos: [{ name: 'n', portMappings: [{ hostPort: '80', containerPort: 8080 }] }] } });
    expect(normalizeChronosJob(p1)).toEqual(normalizeChronosJob(p2));
  });

  test.each([
    ['command', { command: 'echo other' }],
    ['disabled', { disabled: true }],
    ['mem', { mem: 256 }],
    ['period', { schedule: 'R/2026-05-01T10:15:00Z/PT1H' }],
    ['zone', { scheduleTimeZone: 'Europe/Paris' }],
    ['env', { environmentVariables: [{ name: 'A', value: '2' }] }],
  ])('a change of %s still differs', (_what, change) => {
    const base = { name: 'a', command: 'echo', schedule: 'R/2026-05-01T10:15:00Z/PT2H', environmentVariables: [{ name: 'A', value: '1' }] };
    expect(normalizeChronosJob(read({ ...base, ...change }))).not.toEqual(normalizeChronosJob(read(base)));
  });

  test.each(['Etc/UTC', 'UTC', 'Zulu', 'Etc/Zulu'])('scheduleTimeZone %p is UTC like no zone at all: no drift for jobs posted before zones were explicit', (zone) => {
    const base = { name: 'a', command: 'echo', schedule: 'R/2026-05-01T10:15:00Z/P1D' };
    expect(normalizeChronosJob(read({ ...base, scheduleTimeZone: zone }))).toEqual(normalizeChronosJob(read(base)));
    expect(normalizeChronosJob(read({ ...base, scheduleTimeZone: zone }))).not.toEqual(normalizeChronosJob(read({ ...base, scheduleTimeZone: 'Europe/London' })));
  });

  test('a job that ran for a day on the stand-in equals what was posted', async () => {
    const chronos = await startChronos();
    try {
      const posted = { name: 'ran', command: 'x', schedule: 'R/2026-05-01T10:05:00Z/PT15M', scheduleTimeZone: 'America/New_York', fetch: [{ uri: 'http://x/f' }] };
      expect((await postJson(chronos, '/v1/scheduler/iso8601', posted)).status).toBe(204);
      chronos.ctx.clock.advance(86400);
      const live = (await chronos.client().list()).find((j) => j.name === 'ran')!;
      // The zone keeps the wall-clock 10:05 (14:05Z): every 15 minutes from there to 10:00Z next day.
      expect(live.successCount).toBe(80);
      expect(live.schedule).not.toBe(posted.schedule);
      expect(normalizeChronosJob(live)).toEqual(normalizeChronosJob(read(posted)));
    } finally {
      await chronos.close();
    }
  });
});
