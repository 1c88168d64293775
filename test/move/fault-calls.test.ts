/**
 * Every API call of a move failing, or held past the handoff margin: the job ends up on exactly
 * one system, the output says which, and the ledger shows no slot doubled (and none missed).
 */
import type { SystemName } from '../../src/sandbox/ledger.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import type { FaultRule } from '../../src/sandbox/faults.js';
import { firstSlotOf, lastMove } from './rehearsal.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const MOVE_AT = '2026-11-25T10:12:30Z'; // mid-gap: the handoff is now, the next slot 10:15
const CRONJOBS = '^/apis/batch/v1/namespaces/default/cronjobs$';
const CRONJOB = '^/apis/batch/v1/namespaces/default/cronjobs/job$';

let repo: SandboxRepo;
afterEach(() => repo.close());

async function setUp(from: SystemName): Promise<string> {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', from, SCHEDULE) } });
  await repo.advanceTo(MOVE_AT);
  return repo.readJob('job');
}

const move = (to: SystemName) => repo.cli('move', 'job', '--to', to, '--yes', '--advance-sandbox');

async function statusOf(): Promise<{ declared: string; verdict: string; chronos: { enabled?: boolean }; kubernetes: { enabled?: boolean } }> {
  return (JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as never[])[0]!;
}

async function ledgerProblems(owner: (slot: Date) => SystemName): Promise<readonly string[]> {
  await repo.advance(3600);
  return (await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: owner })).problems;
}

describe('a call that fails puts the job back where it was', () => {
  test.each<[string, SystemName, Partial<FaultRule>]>([
    ['kubernetes: creating the CronJob', 'chronos', { system: 'kubernetes', method: 'POST', path: CRONJOBS, status: 500 }],
    ['chronos: posting the target', 'kubernetes', { system: 'chronos', method: 'POST', path: '/iso8601$', status: 500 }],
  ])('%s', async (_, from, fault) => {
    const definition = await setUp(from);
    await repo.fault(fault);
    const r = await move(from === 'chronos' ? 'kubernetes' : 'chronos');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`FAILED: move of job failed: .*\\n  Put back: job runs on ${from} again from 2026-11-25T10:15:00Z; .*the definition is unchanged\\.`));
    expect(repo.readJob('job')).toBe(definition);
    expect(repo.journal().at(-1)).toMatchObject({ kind: 'aborted' });
    expect(await statusOf()).toMatchObject({ declared: from, verdict: 'ok' });
    expect(await ledgerProblems(() => from)).toEqual([]);
  });
});

describe('a source that does not disable is left as it was: nothing changed, nothing to put back', () => {
  test.each<[string, SystemName, Partial<FaultRule>]>([
    ['chronos: disabling the source', 'chronos', { system: 'chronos', method: 'POST', path: '/iso8601$', status: 500 }],
    ['kubernetes: suspending the source (every retry)', 'kubernetes', { system: 'kubernetes', method: 'PATCH', path: CRONJOB, status: 503, times: 4 }],
  ])('%s', async (_, from, fault) => {
    const definition = await setUp(from);
    await repo.fault(fault);
    const r = await move(from === 'chronos' ? 'kubernetes' : 'chronos');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`FAILED: move of job refused: ${from} did not disable the job \\(.*\\); nothing was changed\\n  Nothing changed: job still runs on ${from}\\.`));
    // No compensating write: the source got exactly the one disable (and its retries), never a put-back.
    expect(repo.journal().filter((rec) => rec.kind === 'step').map((rec) => (rec.kind === 'step' ? rec.step : ''))).toEqual(['locked', 'write']);
    expect(repo.readJob('job')).toBe(definition);
    expect(repo.journal().at(-1)).toMatchObject({ kind: 'aborted' });
    expect(await statusOf()).toMatchObject({ declared: from, verdict: 'ok' });
    expect(await ledgerProblems(() => from)).toEqual([]);
  });
});

describe('a call held past the next slot (the margin overrun) is detected and compensated', () => {
  /** Holds the first request matching `rule` while the sandbox clock moves `seconds` on. */
  async function moveWhileHeld(to: SystemName, rule: Partial<FaultRule>, seconds: number) {
    await repo.fault({ ...rule, delayMs: 300 });
    const running = move(to);
    for (;;) {
      const armed = (await (await fetch(`${repo.chronosUrl}/_sandbox/faults`)).json()) as unknown[];
      if (armed.length === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await repo.advance(seconds);
    return running;
  }

  const held = async (from: SystemName, rule: Partial<FaultRule>) => {
    await setUp(from);
    const to = from === 'chronos' ? 'kubernetes' : 'chronos';
    const r = await moveWhileHeld(to, rule, 4 * 60);
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
    const first = firstSlotOf(lastMove(repo.journal()).records);
    expect(await ledgerProblems((slot) => (slot.getTime() >= first.getTime() ? to : from))).toEqual([]);
    expect(await statusOf()).toMatchObject({ declared: to, verdict: 'ok' });
  };

  test.each<[string, SystemName, Partial<FaultRule>]>([
    ['kubernetes: the CronJob create (the passed slot is started under the controller\'s name)', 'chronos', { system: 'kubernetes', method: 'POST', path: CRONJOBS }],
    ['kubernetes: the suspend PATCH (the source ran the next slot; the target starts after it)', 'kubernetes', { system: 'kubernetes', method: 'PATCH', path: CRONJOB }],
    ['chronos: the target POST (a start in the past runs once, at once)', 'kubernetes', { system: 'chronos', method: 'POST', path: '/iso8601$' }],
  ])('%s held 4 minutes', (_, from, rule) => held(from, rule));

  // The disable re-posts the job as read before the call: landing after Chronos launched the next
  // slot, it set the start back to that slot, hiding the launch (fixed in backends/chronos/cutover.ts).
  test('chronos: the disable POST held 4 minutes (the source ran the next slot)', () => held('chronos', { system: 'chronos', method: 'POST', path: '/iso8601$' }));
});
