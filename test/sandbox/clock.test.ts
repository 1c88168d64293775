import { SandboxClock, type TimedParticipant } from '../../src/sandbox/clock.js';
import { FaultInjector } from '../../src/sandbox/faults.js';

/** A participant that is due every `periodS` seconds from `start`, recording when it fired. */
function periodic(start: Date, periodS: number): TimedParticipant & { fired: string[] } {
  let next = start.getTime();
  const fired: string[] = [];
  return {
    fired,
    nextDueAt: () => new Date(next),
    fireDue(now) {
      while (next <= now.getTime()) {
        fired.push(`${new Date(next).toISOString()}@${now.toISOString()}`);
        next += periodS * 1000;
      }
    },
  };
}

describe('SandboxClock (virtual)', () => {
  const t0 = new Date('2026-11-01T10:00:00Z');

  test('advance fires every due instant in order, each at its own time', () => {
    const clock = new SandboxClock('virtual', t0);
    const p = periodic(new Date('2026-11-01T10:05:00Z'), 300);
    clock.register(p);
    expect(clock.advance(16 * 60).toISOString()).toBe('2026-11-01T10:16:00.000Z');
    expect(p.fired).toEqual([
      '2026-11-01T10:05:00.000Z@2026-11-01T10:05:00.000Z',
      '2026-11-01T10:10:00.000Z@2026-11-01T10:10:00.000Z',
      '2026-11-01T10:15:00.000Z@2026-11-01T10:15:00.000Z',
    ]);
  });

  test('time stands still until advanced, and starts on a whole second', () => {
    const clock = new SandboxClock('virtual', new Date('2026-11-01T10:00:00.750Z'));
    expect(clock.now().toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-11-01T10:00:00.000Z');
  });

  test('a real clock refuses to be advanced', () => {
    expect(() => new SandboxClock('real').advance(1)).toThrow(/virtual/);
  });
});

describe('FaultInjector', () => {
  test('matches by system, method and path, and is used up after `times`', () => {
    const faults = new FaultInjector();
    faults.add({ system: 'chronos', method: 'POST', path: '/iso8601$', status: 500, times: 2 });
    expect(faults.take('kubernetes', 'POST', '/v1/scheduler/iso8601')).toBeUndefined();
    expect(faults.take('chronos', 'GET', '/v1/scheduler/iso8601')).toBeUndefined();
    expect(faults.take('chronos', 'POST', '/v1/scheduler/iso8601')).toEqual({ id: 'f1', kind: 'fail', status: 500, delayMs: 0 });
    expect(faults.take('chronos', 'POST', '/v1/scheduler/iso8601')).toEqual({ id: 'f1', kind: 'fail', status: 500, delayMs: 0 });
    expect(faults.take('chronos', 'POST', '/v1/scheduler/iso8601')).toBeUndefined();
  });

  test.each([
    [{ status: 700 }, /HTTP status/],
    [{ path: '(' }, /Invalid regular expression/],
    [{ system: 'mesos', status: 500 }, /system/],
    [{ times: 1 }, /status, a delayMs/],
  ])('rejects %j', (rule, message) => {
    expect(() => new FaultInjector().add(rule)).toThrow(message);
  });
});
