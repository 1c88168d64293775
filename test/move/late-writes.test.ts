/**
 * Writes whose answer is lost and that land late, writes that fail after a partial change, and
 * recovery outside the start window (issue 11; the shared repros r1-r14 are examples of these
 * classes). Each fault is deterministic: a request held until a virtual instant lands then,
 * whether or not its client (a 200 ms `--request-timeout`) is still waiting. Each test checks
 * that its scenario happened (the client gave up before the write landed), then judges the run
 * ledger: every slot once, on one system, and the job enabled where the definition says.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import { killedMove } from './kill-bench.js';

const FIVE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const MOVE_AT = '2026-11-25T10:12:30Z'; // mid-gap: the handoff is now, the next slot 10:15
const CRONJOBS = '^/apis/batch/v1/namespaces/default/cronjobs$';
const CRONJOB = '^/apis/batch/v1/namespaces/default/cronjobs/job$';
const JOBS = '^/apis/batch/v1/namespaces/default/jobs$';

let repo: SandboxRepo;
afterEach(() => repo.close());

const at = (iso: string) => new Date(iso).toISOString().replace('.000Z', 'Z');

async function setUp(from: SystemName, schedule = FIVE, moveAt = MOVE_AT): Promise<void> {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', from, schedule) } });
  await repo.advanceTo(moveAt);
}

const cli = (...argv: string[]) => repo.cli(...argv, '--yes', '--advance-sandbox', '--request-timeout', '200ms');

interface Held {
  readonly method: string;
  readonly state: string;
  readonly clientGaveUpAt?: string;
  readonly releasedAt?: string;
  readonly status?: number;
}

async function held(): Promise<Held[]> {
  const res = await fetch(new URL('/_sandbox/faults/report', repo.chronosUrl));
  return ((await res.json()) as { held: Held[] }).held;
}

/** The scenario happened: the write was held, its client gave up, and it was applied (or failed) afterwards. */
async function expectLandedAfterClientGaveUp(state: 'landed' | 'failed' = 'landed'): Promise<Held> {
  const all = await held();
  expect(all).toHaveLength(1);
  const [h] = all;
  expect(h).toMatchObject({ state, clientGaveUpAt: expect.any(String), releasedAt: expect.any(String) });
  expect(Date.parse(h!.releasedAt!)).toBeGreaterThanOrEqual(Date.parse(h!.clientGaveUpAt!));
  return h!;
}

async function enabledIn(): Promise<{ declared: string; verdict: string; chronos: { enabled: boolean }; kubernetes: { enabled: boolean } }> {
  return (JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as never[])[0]!;
}

/** After an hour more, every slot since START ran once, on the system `owner` names. */
async function expectLedgerClean(owner: (slot: Date) => SystemName, schedule = FIVE): Promise<void> {
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule, system: owner });
  expect(v.problems).toEqual([]);
}

const from1015 = (before: SystemName, after: SystemName) => (slot: Date) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') ? before : after);

test('r1: the target enable (Chronos POST) times out and lands later: the move waits for it and finishes, enabled once', async () => {
  await setUp('kubernetes');
  await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', mode: 'hold', until: '2026-11-25T10:12:50Z' });
  const r = await cli('move', 'job', '--to', 'chronos');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  await expectLandedAfterClientGaveUp();
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  await expectLedgerClean(from1015('kubernetes', 'chronos'));
});

test('r4: the CronJob create times out and lands later: settled by creating again (the name is the lock), enabled once', async () => {
  await setUp('chronos');
  await repo.fault({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'hold', until: '2026-11-25T10:13:00Z' });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  await repo.advanceTo('2026-11-25T10:13:30Z');
  const h = await expectLandedAfterClientGaveUp();
  expect(h.status).toBe(409); // the late create found the name taken: it created nothing
  expect(await enabledIn()).toMatchObject({ declared: 'kubernetes', verdict: 'ok', chronos: { enabled: false }, kubernetes: { enabled: true } });
  await expectLedgerClean(from1015('chronos', 'kubernetes'));
});

test('r2: the source disable (Chronos POST) times out and lands later: seen applied, the move goes on; never put back under it', async () => {
  await setUp('chronos');
  await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', mode: 'hold', until: '2026-11-25T10:12:44Z' });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  expect(r.stderr).toContain('chronos did not answer the disable');
  await expectLandedAfterClientGaveUp();
  expect(await enabledIn()).toMatchObject({ declared: 'kubernetes', verdict: 'ok', chronos: { enabled: false }, kubernetes: { enabled: true } });
  await expectLedgerClean(from1015('chronos', 'kubernetes'));
});

test('a Chronos disable that lands after the next slot, carrying the start it was read with: the slot Chronos ran meanwhile is not run again', async () => {
  const MINUTE = '* * * * *';
  await setUp('chronos', MINUTE, '2026-11-25T10:12:40Z'); // the handoff is now, the next slot 10:13
  await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', mode: 'hold', until: '2026-11-25T10:13:05Z' });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  await expectLandedAfterClientGaveUp();
  expect(await enabledIn()).toMatchObject({ declared: 'kubernetes', verdict: 'ok', chronos: { enabled: false }, kubernetes: { enabled: true } });
  await expectLedgerClean((slot) => (slot.getTime() <= Date.parse('2026-11-25T10:13:00Z') ? 'chronos' : 'kubernetes'), MINUTE);
});

test('r9: every attempt of the suspend PATCH times out; the first lands later: seen applied, the later ones fail on its resourceVersion', async () => {
  await setUp('kubernetes');
  await repo.fault({ system: 'kubernetes', method: 'PATCH', path: CRONJOB, mode: 'hold', until: '2026-11-25T10:12:50Z', times: 3 });
  const r = await cli('move', 'job', '--to', 'chronos');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  const landed = await held();
  expect(landed.map((h) => [h.state, h.status, h.clientGaveUpAt !== undefined])).toEqual([['landed', 200, true], ['landed', 409, true], ['landed', 409, true]]);
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  await expectLedgerClean(from1015('kubernetes', 'chronos'));
});

test('a suspend that lands after the bound is fenced: the move changed nothing, and the late PATCH cannot suspend the job', async () => {
  await setUp('kubernetes');
  await repo.fault({ system: 'kubernetes', method: 'PATCH', path: CRONJOB, mode: 'hold', until: '2026-11-25T10:20:00Z', times: 3 });
  const r = await cli('move', 'job', '--to', 'chronos');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Nothing changed: job still runs on kubernetes.');
  await repo.advanceTo('2026-11-25T10:20:30Z');
  expect((await held()).map((h) => h.status)).toEqual([409, 409, 409]);
  expect(await enabledIn()).toMatchObject({ declared: 'kubernetes', verdict: 'ok', chronos: { enabled: false }, kubernetes: { enabled: true } });
  await expectLedgerClean(() => 'kubernetes');
});

test('a CronJob create that lands after the bound is fenced by a suspended copy: it creates nothing, the job is put back once', async () => {
  await setUp('chronos');
  await repo.fault({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'hold', until: '2026-11-25T10:30:00Z', times: 2 });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Put back: job runs on chronos again from 2026-11-25T10:15:00Z');
  await repo.advanceTo('2026-11-25T10:30:30Z');
  expect((await held()).map((h) => h.status)).toEqual([409, 409]);
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  await expectLedgerClean(() => 'chronos');
});

test('r14: the source disable never applies (held, then 504): nothing changed, nothing put back, no slot run twice', async () => {
  await setUp('chronos');
  await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', mode: 'hold', until: '2026-11-25T10:12:42Z', status: 504 });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/FAILED: move of job refused: chronos did not disable the job .*nothing was changed\n {2}Nothing changed: job still runs on chronos\./);
  await expectLandedAfterClientGaveUp('failed');
  // One POST only: the disable; no put-back was posted over a job that never stopped.
  const posts = (await (await fetch(new URL('/_sandbox/requests', repo.chronosUrl))).json()) as { requests: { method: string; system: string; at: string }[] };
  expect(posts.requests.filter((q) => q.system === 'chronos' && q.method === 'POST' && q.at >= MOVE_AT)).toHaveLength(1);
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true } });
  await expectLedgerClean(() => 'chronos');
});

test('r3: the put-back POST times out and lands later: the move waits for it; no later write can be undone by it', async () => {
  await setUp('chronos');
  await repo.fault({ system: 'kubernetes', method: 'POST', path: CRONJOBS, status: 500 });
  // The disable passes; the put-back (the second POST) is held past its client's timeout.
  await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', mode: 'hold', until: '2026-11-25T10:13:00Z', skip: 1 });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Put back: job runs on chronos again from 2026-11-25T10:15:00Z');
  await expectLandedAfterClientGaveUp();
  expect(repo.journal().at(-1)).toMatchObject({ kind: 'aborted', putBack: { kind: 'restored', firstSlot: '2026-11-25T10:15:00Z' } });
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true } });
  await expectLedgerClean(() => 'chronos');
});

test('r11: an Orphan DELETE of the old copy times out and lands after the fresh CronJob exists: its preconditions spare it', async () => {
  await setUp('kubernetes');
  expect((await cli('move', 'job', '--to', 'chronos')).code).toBe(0); // the CronJob stays, suspended
  await repo.advanceTo('2026-11-25T10:22:30Z');
  await repo.fault({ system: 'kubernetes', method: 'DELETE', path: CRONJOB, mode: 'hold', until: '2026-11-25T10:24:00Z' });
  const back = await cli('move', 'job', '--to', 'k8s');
  expect([back.code, back.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  await repo.advanceTo('2026-11-25T10:24:30Z');
  const h = await expectLandedAfterClientGaveUp();
  expect(h.status).toBe(409);
  expect(await enabledIn()).toMatchObject({ declared: 'kubernetes', verdict: 'ok', kubernetes: { enabled: true } });
  await expectLedgerClean((slot) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') ? 'kubernetes' : slot.getTime() < Date.parse('2026-11-25T10:25:00Z') ? 'chronos' : 'kubernetes'));
});

test('r6: the CronJob comes up after a slot but that slot\'s Job is refused: the target is read as enabled and put back, never left on both', async () => {
  const MINUTE = '* * * * *';
  await setUp('chronos', MINUTE, '2026-11-25T10:12:40Z'); // the handoff is now, the next slot 10:13
  // Both creates (the first, and the one that settles it) are held past the 10:13 slot.
  await repo.fault({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'hold', until: '2026-11-25T10:13:05Z', times: 2 });
  await repo.fault({ system: 'kubernetes', method: 'POST', path: JOBS, status: 503, times: 2 });
  const r = await cli('move', 'job', '--to', 'k8s');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Put back: job runs on chronos again from 2026-11-25T10:13:00Z; kubernetes is disabled');
  // The scenario happened: both creates were held past their client and landed after the slot.
  expect((await held()).map((h) => [h.state, h.clientGaveUpAt !== undefined])).toEqual([['landed', true], ['landed', true]]);
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  await expectLedgerClean(() => 'chronos', MINUTE);
});

test('r12: recovery onto Chronos after the start window closed does not run the old slot; it is named lost', async () => {
  await setUp('kubernetes', '15 * * * *', '2026-11-25T10:10:00Z');
  expect(await killedMove(repo, 'kubernetes', 'chronos', { name: 'after source-disabled', record: 'source-disabled', when: 'after', sourceDisabled: true })).toBe('killed');
  await repo.advanceTo('2026-11-25T10:45:00Z');
  const r = await cli('resume', 'job');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining(`Lost while the job ran nowhere: ${at('2026-11-25T10:15:00Z')}`)]);
  await repo.advance(3 * 3600);
  const runs = await repo.runs('job');
  expect(runs.filter((e) => e.scheduledFor === '2026-11-25T10:15:00.000Z')).toEqual([]);
  expect(runs.filter((e) => e.system === 'chronos').map((e) => e.scheduledFor)).toEqual(['2026-11-25T11:15:00.000Z', '2026-11-25T12:15:00.000Z', '2026-11-25T13:15:00.000Z']);
});

test('an interrupted rollback, rolled back again, is continued: the job does not move forward again', async () => {
  await setUp('chronos');
  expect((await cli('move', 'job', '--to', 'k8s')).code).toBe(0);
  await repo.advanceTo('2026-11-25T10:22:30Z');
  const moveId = repo.journal().find((rec) => rec.kind === 'begin')!.id;
  expect(await killedMove(repo, 'kubernetes', 'chronos', { name: 'after source-disabled', record: 'source-disabled', when: 'after', sourceDisabled: true }, false, undefined, moveId)).toBe('killed');
  const r = await cli('rollback', 'job');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`Resume the unfinished move`);
  expect(await enabledIn()).toMatchObject({ declared: 'chronos', verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  await expectLedgerClean((slot) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') || slot.getTime() >= Date.parse('2026-11-25T10:25:00Z') ? 'chronos' : 'kubernetes'));
});
