import { judgeLedger, renderLedgerVerdict } from '../../src/demo/ledger-verdict.js';
import type { LedgerEntry, SystemName } from '../../src/sandbox/ledger.js';

const job = { name: 'tick', schedule: '*/5 * * * *', timezone: 'Etc/UTC', startingDeadlineSeconds: 120 };
const window = { from: new Date('2026-11-25T10:02:00Z'), until: new Date('2026-11-25T10:20:00Z') };

function entry(system: SystemName, slot: string | null, startedLateSeconds = 0, name = 'tick'): LedgerEntry {
  const started = slot === null ? '2026-11-25T10:07:00.000Z' : new Date(Date.parse(slot) + startedLateSeconds * 1000).toISOString();
  return { system, job: name, scheduledFor: slot === null ? null : new Date(slot).toISOString(), startedAt: started };
}

// The window owes 10:05, 10:10, 10:15 and 10:20 (slots in (from, until]).
const once = [
  entry('chronos', '2026-11-25T10:05:00Z'),
  entry('chronos', '2026-11-25T10:10:00Z'),
  entry('kubernetes', '2026-11-25T10:15:00Z'),
  entry('kubernetes', '2026-11-25T10:20:00Z'),
];

describe('judgeLedger', () => {
  test.each([
    { case: 'every slot once, across a move', runs: once, missed: [], doubled: [], late: [], unexpected: 0, chronos: 2, kubernetes: 2 },
    { case: 'a slot nobody ran', runs: once.filter((_, i) => i !== 2), missed: ['2026-11-25T10:15:00.000Z'], doubled: [], late: [], unexpected: 0, chronos: 2, kubernetes: 1 },
    { case: 'a slot run on both systems', runs: [...once, entry('chronos', '2026-11-25T10:15:00Z')], missed: [], doubled: ['2026-11-25T10:15:00.000Z'], late: [], unexpected: 0, chronos: 3, kubernetes: 2 },
    { case: 'a slot run twice on one system', runs: [...once, entry('kubernetes', '2026-11-25T10:20:00Z', 30)], missed: [], doubled: ['2026-11-25T10:20:00.000Z'], late: [], unexpected: 0, chronos: 2, kubernetes: 3 },
    { case: 'a compensated slot started within the window', runs: [...once.slice(0, 2), entry('kubernetes', '2026-11-25T10:15:00Z', 119), once[3]!], missed: [], doubled: [], late: [], unexpected: 0, chronos: 2, kubernetes: 2 },
    { case: 'a slot started after its start window', runs: [...once.slice(0, 2), entry('kubernetes', '2026-11-25T10:15:00Z', 121), once[3]!], missed: [], doubled: [], late: ['2026-11-25T10:15:00.000Z'], unexpected: 0, chronos: 2, kubernetes: 2 },
    { case: 'a run of no slot (a manual start)', runs: [...once, entry('chronos', null)], missed: [], doubled: [], late: [], unexpected: 1, chronos: 2, kubernetes: 2 },
    { case: 'a run for an instant that is not a slot', runs: [...once, entry('kubernetes', '2026-11-25T10:12:00Z')], missed: [], doubled: [], late: [], unexpected: 1, chronos: 2, kubernetes: 2 },
    { case: 'a run before the window belongs to an earlier story', runs: [entry('chronos', '2026-11-25T10:00:00Z'), ...once], missed: [], doubled: [], late: [], unexpected: 0, chronos: 2, kubernetes: 2 },
    { case: "another job's runs do not count", runs: [...once.slice(0, 3), entry('kubernetes', '2026-11-25T10:20:00Z', 0, 'other')], missed: ['2026-11-25T10:20:00.000Z'], doubled: [], late: [], unexpected: 0, chronos: 2, kubernetes: 1 },
  ])('$case', ({ runs, missed, doubled, late, unexpected, chronos, kubernetes }) => {
    const [v] = judgeLedger(runs, [job], window);
    expect(v!.slots).toBe(4);
    expect(v!.runs).toEqual({ chronos, kubernetes });
    expect(v!.missed.map((d) => d.toISOString())).toEqual(missed);
    expect(v!.doubled.map((d) => d.toISOString())).toEqual(doubled);
    expect(v!.late.map((d) => d.toISOString())).toEqual(late);
    expect(v!.unexpected).toHaveLength(unexpected);
    expect(v!.ok).toBe(missed.length + doubled.length + late.length + unexpected === 0);
  });

  test('slots follow the zone: a Berlin 02:30 job owes nothing on the spring-forward night', () => {
    const berlin = { name: 'tick', schedule: '30 2 * * *', timezone: 'Europe/Berlin', startingDeadlineSeconds: 1200 };
    const [v] = judgeLedger([], [berlin], { from: new Date('2026-03-28T12:00:00Z'), until: new Date('2026-03-30T12:00:00Z') });
    // 2026-03-29 02:30 does not exist in Berlin; only 2026-03-30 02:30 (+02:00) is owed.
    expect(v!.missed.map((d) => d.toISOString())).toEqual(['2026-03-30T00:30:00.000Z']);
  });
});

describe('renderLedgerVerdict', () => {
  test('names every broken slot and ends with the verdict', () => {
    const verdicts = judgeLedger([...once.filter((_, i) => i !== 1), entry('chronos', '2026-11-25T10:20:00Z')], [job], window);
    const text = renderLedgerVerdict(verdicts);
    expect(text).toMatch(/^JOB\s+SLOTS\s+CHRONOS\s+KUBERNETES\s+MISSED\s+DOUBLED\s+LATE\s+VERDICT$/m);
    expect(text).toMatch(/^tick\s+4\s+2\s+2\s+1\s+1\s+0\s+BROKEN$/m);
    expect(text).toContain('tick: slot 2026-11-25T10:10:00Z never ran');
    expect(text).toContain('tick: slot 2026-11-25T10:20:00Z ran more than once');
    expect(text).toContain('Verdict: 1 of 1 jobs broke the promise');
  });

  test('a clean ledger says so', () => {
    expect(renderLedgerVerdict(judgeLedger(once, [job], window))).toContain('Verdict: 4 slots across 1 jobs, every one run exactly once');
  });
});
