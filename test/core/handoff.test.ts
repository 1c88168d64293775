import { planHandoff } from '../../src/core/handoff.js';

const iso = (d?: Date) => d?.toISOString().replace('.000Z', 'Z');

describe('planHandoff', () => {
  test.each([
    // schedule, zone, now, guard -> previous slot, handoff, next slot, guard used
    ['*/5 * * * *', 'Etc/UTC', '2026-11-25T10:07:12Z', 30, '2026-11-25T10:05:00Z', '2026-11-25T10:07:12Z', '2026-11-25T10:10:00Z', 30],
    ['*/5 * * * *', 'Etc/UTC', '2026-11-25T10:05:10Z', 30, '2026-11-25T10:05:00Z', '2026-11-25T10:05:30Z', '2026-11-25T10:10:00Z', 30],
    ['*/5 * * * *', 'Etc/UTC', '2026-11-25T10:09:45Z', 30, '2026-11-25T10:10:00Z', '2026-11-25T10:10:30Z', '2026-11-25T10:15:00Z', 30],
    // every minute: the guard shrinks to a quarter of the gap
    ['* * * * *', 'Etc/UTC', '2026-11-25T10:07:40Z', 30, '2026-11-25T10:07:00Z', '2026-11-25T10:07:40Z', '2026-11-25T10:08:00Z', 15],
    ['* * * * *', 'Etc/UTC', '2026-11-25T10:07:50Z', 30, '2026-11-25T10:08:00Z', '2026-11-25T10:08:15Z', '2026-11-25T10:09:00Z', 15],
    ['15 */2 * * *', 'Etc/UTC', '2026-11-25T11:00:00Z', 30, '2026-11-25T10:15:00Z', '2026-11-25T11:00:00Z', '2026-11-25T12:15:00Z', 30],
    ['30 3 * * *', 'Europe/Berlin', '2026-11-25T02:29:50Z', 30, '2026-11-25T02:30:00Z', '2026-11-25T02:30:30Z', '2026-11-26T02:30:00Z', 30],
    // milliseconds on the server clock are rounded up to the next whole second
    ['*/5 * * * *', 'Etc/UTC', '2026-11-25T10:07:12.250Z', 30, '2026-11-25T10:05:00Z', '2026-11-25T10:07:13Z', '2026-11-25T10:10:00Z', 30],
  ])('%s (%s) at %s', (schedule, zone, now, guard, prev, at, next, guardUsed) => {
    const h = planHandoff(schedule, zone, new Date(now), guard);
    expect([iso(h.previousSlot), iso(h.at), iso(h.nextSlot), h.guardSeconds]).toEqual([prev, at, next, guardUsed]);
    expect(h.at.getTime()).toBeGreaterThanOrEqual(new Date(now).getTime());
    expect(h.nextSlot.getTime() - h.at.getTime()).toBeGreaterThanOrEqual(h.guardSeconds * 1000);
  });
});
