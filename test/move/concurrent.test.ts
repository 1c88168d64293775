/** Two moves of one job at once: the Lease lets exactly one through; the other is refused naming the holder. */
import { MoveAbortedError, StalePlanError } from '../../src/actions/move.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { killedMove, type KillPoint } from './kill-bench.js';

const SCHEDULE = '*/5 * * * *';
let repo: SandboxRepo;
beforeEach(async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
});
afterEach(() => repo.close());

async function expectOneMoveAndCleanLedger(): Promise<void> {
  expect(repo.journal().filter((r) => r.kind === 'done')).toHaveLength(1);
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date('2026-11-25T10:07:00Z'), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
}

test('two move commands at once: one moves the job, the other fails naming the lock holder', async () => {
  const results = await Promise.all([1, 2].map(() => repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')));
  const codes = results.map((r) => r.code).sort();
  expect(codes).toEqual([0, 1]);
  const loser = results.find((r) => r.code === 1)!;
  expect(loser.stdout).toMatch(/FAILED: job: job job is locked by "[^"]+@[^"]+ pid \d+[^"]*" until /);
  await expectOneMoveAndCleanLedger();
});

test('the same job named twice on one command line is moved once', async () => {
  const r = await repo.cli('move', 'job', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed or refused.')]);
  await expectOneMoveAndCleanLedger();
});

test('a lock held from another machine refuses the move, naming the holder and expiry; once expired it is taken over', async () => {
  const now = repo.now().toISOString().replace('.000Z', '.000000Z');
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'migrate-lock-job' },
    spec: { holderIdentity: 'alice@ops-laptop-7 pid 4242', leaseDurationSeconds: 300, acquireTime: now, renewTime: now },
  };
  const created = await fetch(`${repo.kubernetesUrl}/apis/coordination.k8s.io/v1/namespaces/default/leases`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(lease) });
  expect(created.status).toBe(201);

  const refused = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain('FAILED: job: job job is locked by "alice@ops-laptop-7 pid 4242" until 2026-11-25T10:12:00Z');
  expect(repo.journal()).toEqual([]);
  const status = await repo.cli('status', 'job', '-o', 'json');
  expect(JSON.parse(status.stdout)).toMatchObject([{ declared: 'chronos', chronos: { enabled: true }, kubernetes: { present: false }, verdict: 'ok' }]);

  await repo.advance(301);
  const moved = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(moved.code).toBe(0);
  await expectOneMoveAndCleanLedger();
});

test('another move that finishes between the plan check and the lock: the late one is refused under the lock', async () => {
  await repo.close();
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'kubernetes', SCHEDULE) } });
  await repo.advanceTo('2026-11-25T10:12:30Z');
  const never: KillPoint = { name: 'never', record: 'never', when: 'after', sourceDisabled: false };
  const late = await killedMove(repo, 'kubernetes', 'chronos', never, false, async () => {
    const other = await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox');
    expect(other.code).toBe(0);
    await repo.advance(9 * 60); // the other operator's Chronos runs 10:15 and 10:20
  });
  expect(late).toBeInstanceOf(MoveAbortedError);
  expect((late as MoveAbortedError).reason).toBe('move of job refused: it is no longer enabled in kubernetes (changed since the plan)');
  await expectOneMoveAndCleanLedger();
});

test('with --yes, the plan read a moment ago serves under the lock; another move recorded since refuses it at its first shared write', async () => {
  await repo.close();
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'kubernetes', SCHEDULE) } });
  await repo.advanceTo('2026-11-25T10:12:30Z');
  const never: KillPoint = { name: 'never', record: 'never', when: 'after', sourceDisabled: false };
  repo.sandbox.ctx.requests.clear();
  const late = await killedMove(repo, 'kubernetes', 'chronos', never, false, async () => {
    const other = await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox');
    expect(other.code).toBe(0);
    repo.sandbox.ctx.requests.clear();
  }, undefined, true);
  expect(late).toBeInstanceOf(StalePlanError);
  // Nothing was read again under the lock, and nothing was written to either system.
  const calls = repo.sandbox.ctx.requests.all().map((r) => `${r.method} ${r.path}`);
  expect(calls.filter((c) => /cronjobs|scheduler\/job/.test(c) && c.startsWith('GET'))).toEqual([]);
  expect(calls.filter((c) => /cronjobs|iso8601/.test(c) && !c.startsWith('GET'))).toEqual([]);
  // The late move's records say it stopped before any change; the other move's stand.
  const records = repo.journal().filter((r) => r.kind === 'aborted' || r.kind === 'done');
  expect(records.map((r) => r.kind)).toEqual(['done', 'aborted']);
  expect(records[1]).toMatchObject({ reason: expect.stringContaining('was recorded since the plan'), state: 'nothing changed: job still runs on kubernetes' });
  await expectOneMoveAndCleanLedger();
});
