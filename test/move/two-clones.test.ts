/**
 * Two operators, two clones of the jobs repository, one sandbox (issue 14): a move made from one
 * clone is seen, rolled back and resumed from the other, which never pulled it, through the
 * cluster's record of moves; racing the same job still makes one move. The run ledger is checked
 * after every scenario.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { secondClone } from '../helpers/second-clone.js';
import { KILL_POINTS, killedMove, type KillPoint } from './kill-bench.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let a: SandboxRepo;
let b: SandboxRepo;
afterEach(async () => {
  await b?.close();
  await a?.close();
});

async function start(backend: 'chronos' | 'kubernetes' = 'chronos'): Promise<void> {
  a = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', backend, SCHEDULE) } });
  b = secondClone(a);
}

async function chronos(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${a.chronosUrl}/v1/scheduler${path}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
}

async function everySlotOnce(): Promise<void> {
  await a.advance(3600);
  const v = await a.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
}

test("a move made in A: B's status names it, B's history lists it, B's rollback restores A's before-snapshot", async () => {
  await start();
  // Fields the definition does not carry, set on the live Chronos job by hand.
  const live = (await (await chronos('GET', '/job/job')).json()) as Record<string, unknown>;
  expect((await chronos('POST', '/iso8601', { ...live, highPriority: true, ownerName: 'Payments on-call' })).status).toBe(204);
  await a.advanceTo('2026-11-25T10:12:30Z');
  const moved = await a.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect([moved.code, moved.stderr]).toEqual([0, expect.not.stringContaining('warning')]);
  const begin = a.journal().find((r) => r.kind === 'begin')!;
  const done = a.journal().find((r) => r.kind === 'done')!;
  const operator = begin.kind === 'begin' ? begin.holder.split(' ')[0] : '';

  // B has neither the journal nor the definition change.
  expect(b.journal()).toEqual([]);
  expect(b.readJob('job')).toContain('backend: chronos');
  const status = await b.cli('status', 'job', '-o', 'json');
  expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({
    declared: 'chronos', verdict: 'drift',
    reason: `moved to kubernetes by ${operator} at ${done.at}; this clone's definition still says chronos: pull, or run \`migrate rollback job\``,
  })]);
  const history = JSON.parse((await b.cli('history', 'job', '-o', 'json')).stdout) as Record<string, unknown>[];
  expect(history).toEqual([expect.objectContaining({ id: begin.id, operation: 'move', from: 'chronos', to: 'kubernetes', outcome: 'done', by: begin.kind === 'begin' ? begin.holder : '' })]);

  // The Chronos copy is deleted: only A's before-snapshot still knows the hand-set fields.
  await a.advance(10 * 60);
  expect((await chronos('DELETE', '/job/job')).status).toBe(204);
  const back = await b.cli('rollback', 'job', '--yes', '--advance-sandbox');
  expect([back.code, back.stdout]).toEqual([0, expect.stringContaining('done: job: now on chronos')]);
  expect(await (await chronos('GET', '/job/job')).json()).toMatchObject({ disabled: false, highPriority: true, ownerName: 'Payments on-call' });
  expect(b.readJob('job')).toContain('backend: chronos');
  // Back where it was, the hand-set fields with it (which the definition does not have).
  expect(JSON.parse((await b.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ chronos: { enabled: true }, kubernetes: { enabled: false }, reason: 'differs from the definition: see `migrate diff job`' }]);
  // A, whose definition still says kubernetes, is told who rolled it back.
  const seenFromA = JSON.parse((await a.cli('status', 'job', '-o', 'json')).stdout) as { verdict: string; reason: string }[];
  expect(seenFromA).toMatchObject([{ verdict: 'drift', reason: expect.stringMatching(/^rolled back to chronos by \S+ at \S+; this clone's definition still says kubernetes: pull, or run `migrate move job --to kubernetes`$/) }]);
  // Both clones read one history: the move and its rollback, each once.
  for (const clone of [a, b]) {
    const both = JSON.parse((await clone.cli('history', 'job', '-o', 'json')).stdout) as { operation: string; outcome: string }[];
    expect(both.map((m) => `${m.operation} ${m.outcome}`)).toEqual(['rollback done', 'move done']);
  }
  await everySlotOnce();
});

// The first point another clone can see: `begin` and `locked` reach the cluster with the disable's announcement.
const announced: KillPoint = { name: "after the disable's announcement", record: 'write', when: 'after', sourceDisabled: false };
test.each([announced, ...KILL_POINTS.filter((p) => ['after source-disabled', 'after target-enabled', 'after verified'].includes(p.name))].map((p) => [p.name, p] as const))(
  'a move killed in A %s: B sees it in flight, names who began it, and resumes it',
  async (_, point) => {
    await start();
    await a.advanceTo('2026-11-25T10:12:30Z');
    expect(await killedMove(a, 'chronos', 'kubernetes', point)).toBe('killed');
    const begin = a.journal().find((r) => r.kind === 'begin')!;
    const holder = begin.kind === 'begin' ? begin.holder : '';

    expect(b.journal()).toEqual([]);
    const status = await b.cli('status', 'job', '-o', 'json');
    expect(JSON.parse(status.stdout)).toMatchObject([{ verdict: 'in-flight', reason: expect.stringContaining(`begun ${begin.at} by ${holder}`) }]);
    const history = JSON.parse((await b.cli('history', 'job', '-o', 'json')).stdout) as Record<string, unknown>[];
    expect(history).toMatchObject([{ id: begin.id, outcome: 'in-flight' }]);

    await a.advance(60);
    const r = await b.cli('resume', 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('done: finished: job runs on kubernetes')]);
    expect(b.readJob('job')).toContain('backend: kubernetes');
    // Finished under A's id once it had changed something; run again as a new move otherwise
    // (docs/journal.md, "Resumed before any change"). B's journal and the cluster say so: A sees it too.
    const finished = b.journal().at(-1)!;
    expect(finished).toMatchObject({ kind: 'done', id: point.sourceDisabled ? begin.id : expect.not.stringMatching(begin.id) });
    const seenFromA = JSON.parse((await a.cli('history', 'job', '-o', 'json')).stdout) as { id: string; outcome: string }[];
    expect(seenFromA.map((m) => `${m.id} ${m.outcome}`)).toEqual(point.sourceDisabled ? [`${begin.id} done`] : [`${finished.id} done`, `${begin.id} aborted`]);
    expect(JSON.parse((await b.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ verdict: 'ok' }]);
    await everySlotOnce();
  },
);

test('two operators racing the same job from two clones: one move, one clear refusal', async () => {
  await start();
  await a.advanceTo('2026-11-25T10:12:30Z');
  const results = await Promise.all([a, b].map((clone) => clone.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')));
  expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
  const loser = results.find((r) => r.code === 1)!;
  expect(loser.stdout).toMatch(/FAILED: job: job job is locked by "[^"]+@[^"]+ pid \d+[^"]*" until /);
  const done = [...a.journal(), ...b.journal()].filter((r) => r.kind === 'done');
  expect(done).toHaveLength(1);
  // Both clones see that one move, once.
  for (const clone of [a, b]) expect(JSON.parse((await clone.cli('history', 'job', '-o', 'json')).stdout)).toMatchObject([{ id: done[0]!.id, outcome: 'done' }]);
  await everySlotOnce();
});
