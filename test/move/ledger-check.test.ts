/** The ledger checker the move tests rely on: it must see every kind of broken promise. */
import type { LedgerEntry } from '../../src/sandbox/ledger.js';
import { checkLedger, jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const run = (system: LedgerEntry['system'], slot: string | null, startedAt = slot ?? '2026-11-25T10:00:00Z'): LedgerEntry => ({
  system,
  job: 'tick',
  scheduledFor: slot === null ? null : new Date(slot).toISOString(),
  startedAt: new Date(startedAt).toISOString(),
});
const check = {
  after: new Date('2026-11-25T10:00:00Z'),
  until: new Date('2026-11-25T10:20:00Z'),
  schedule: '*/5 * * * *',
  system: (slot: Date) => (slot.getTime() < Date.parse('2026-11-25T10:12:00Z') ? 'chronos' : 'kubernetes') as LedgerEntry['system'],
};
const clean = [run('chronos', '2026-11-25T10:05:00Z'), run('chronos', '2026-11-25T10:10:00Z'), run('kubernetes', '2026-11-25T10:15:00Z'), run('kubernetes', '2026-11-25T10:20:00Z')];

test.each<[string, LedgerEntry[], string[]]>([
  ['a clean handoff', clean, []],
  ['a missed slot', clean.filter((r) => !r.scheduledFor?.includes('10:15')), ['missed 2026-11-25T10:15:00.000Z']],
  ['a doubled slot', [...clean, run('chronos', '2026-11-25T10:15:00Z')], ['doubled 2026-11-25T10:15:00.000Z (kubernetes at 2026-11-25T10:15:00.000Z, chronos at 2026-11-25T10:15:00.000Z)', '2026-11-25T10:15:00.000Z ran on chronos, expected kubernetes']],
  ['a late start', [...clean.slice(0, 3), run('kubernetes', '2026-11-25T10:20:00Z', '2026-11-25T10:41:00Z')], ['2026-11-25T10:20:00.000Z started 1260 s late on kubernetes']],
  ['a manual run', [...clean, run('kubernetes', null, '2026-11-25T10:16:00Z')], ['kubernetes ran tick at 2026-11-25T10:16:00.000Z for no slot']],
  ['a run for no slot of the schedule', [...clean, run('kubernetes', '2026-11-25T10:17:00Z')], ['kubernetes ran tick at 2026-11-25T10:17:00.000Z for 2026-11-25T10:17:00.000Z']],
  ['runs outside the window are not counted', [run('chronos', '2026-11-25T10:00:00Z'), ...clean, run('kubernetes', '2026-11-25T10:25:00Z')], []],
])('%s', (_, entries, problems) => {
  const v = checkLedger(entries, 'tick', check);
  expect(v.slots).toHaveLength(4);
  expect(v.problems).toEqual(problems);
});

test('the bench places a job with apply and the ledger shows its runs on the sandbox clock', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/5 * * * *') } });
  try {
    expect(await repo.advance(30 * 60)).toEqual(new Date('2026-11-25T10:37:00Z'));
    const v = await repo.verdict('tick', { after: new Date('2026-11-25T10:07:00Z'), schedule: '*/5 * * * *', system: () => 'chronos' });
    expect(v.slots).toHaveLength(6);
    expect(v.problems).toEqual([]);
    const status = await repo.cli('status', 'tick', '-o', 'json');
    expect(JSON.parse(status.stdout)).toMatchObject([{ name: 'tick', verdict: 'ok' }]);
  } finally {
    await repo.close();
  }
});
