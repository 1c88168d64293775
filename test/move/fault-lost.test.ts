/**
 * The target's enabling call held for 25 minutes (past the 20-minute start window): slots passed
 * while the job ran nowhere. The latest one still inside the window is run; every other one is
 * lost, and each lost slot is named by the move.
 */
import type { FaultRule } from '../../src/sandbox/faults.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';

// `late`: Chronos runs a past start at once however late, so its recovered slot starts late;
// Kubernetes recovers a slot only inside its start window, so nothing runs late there.
test.each<[string, SystemName, Partial<FaultRule>, { late: boolean }]>([
  ['kubernetes: the CronJob create', 'chronos', { system: 'kubernetes', method: 'POST', path: '/cronjobs$' }, { late: false }],
  ['chronos: the target POST', 'kubernetes', { system: 'chronos', method: 'POST', path: '/iso8601$' }, { late: true }],
])('%s held 25 minutes', async (_, from, rule, expected) => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', from, SCHEDULE) } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    await repo.fault({ ...rule, delayMs: 300 });
    const running = repo.cli('move', 'job', '--to', from === 'chronos' ? 'kubernetes' : 'chronos', '--yes', '--advance-sandbox');
    while (((await (await fetch(`${repo.chronosUrl}/_sandbox/faults`)).json()) as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 5));
    await repo.advance(25 * 60);
    const r = await running;
    expect(r.code).toBe(0);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
    const named = new Set((r.stderr.match(/slot (\S+) passed while the job ran nowhere/g) ?? []).map((l) => new Date(l.split(' ')[1]!).toISOString()));
    expect({ doubled: v.doubled, unscheduled: v.unscheduled }).toEqual({ doubled: [], unscheduled: [] });
    expect(v.missed.length).toBeGreaterThan(0);
    expect([...named].sort()).toEqual(v.missed);
    // A slot run after its start window (Chronos runs a past start at once, however late) is named too.
    const startedLate = /slot (\S+) had passed and was started now/.exec(r.stderr)?.[1];
    expect(v.late).toEqual(expected.late ? [expect.stringContaining(new Date(startedLate!).toISOString())] : []);
  } finally {
    await repo.close();
  }
});
