/** Rollback during an incident with one API down: say what cannot be guaranteed, and go ahead only with --force. */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let repo: SandboxRepo;
afterEach(() => repo.close());

async function movedToKubernetes(): Promise<void> {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.advance(20 * 60);
}

test('Kubernetes down: refused without --force, nothing changed', async () => {
  await movedToKubernetes();
  await repo.fault({ system: 'kubernetes', status: 503, times: 1000 });
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: kubernetes is unreachable: /m);
  expect(r.stderr).toContain('Re-run with --force to go ahead anyway.');
  await repo.clearFaults();
  expect(repo.readJob('job')).toContain('backend: kubernetes');
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

test('Kubernetes down, --force: Chronos takes over at the next slot, and the doubles are announced', async () => {
  await movedToKubernetes();
  await repo.fault({ system: 'kubernetes', status: 503, times: 1000 });
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('done: job: now on chronos')]);
  expect(r.stderr).toContain('warning: kubernetes is unreachable; going ahead because of --force');
  // No Lease could be taken: it says so, and never claims one.
  expect(r.stderr).toContain('Kubernetes does not answer, so the job cannot be locked there');
  expect(r.stderr).not.toContain('locked (Lease held');
  expect(r.stderr).not.toContain("Kubernetes API server's");
  expect(r.stderr).toMatch(/kubernetes is unreachable and was NOT disabled: if it is still running the job, slots from (\S+) may run twice until it is disabled by hand/);
  const from = /slots from (\S+) may run twice/.exec(r.stderr)![1]!;
  await repo.advance(30 * 60);
  await repo.clearFaults();
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  // The Kubernetes API was down, not its controller: exactly the announced slots ran twice, none was missed.
  expect(v.missed).toEqual([]);
  expect(v.doubled.length).toBeGreaterThan(0);
  expect(v.doubled.every((s) => Date.parse(s) >= Date.parse(from))).toBe(true);
});

test('Chronos down: a rollback to it is refused; the job keeps running on Kubernetes', async () => {
  await movedToKubernetes();
  await repo.fault({ system: 'chronos', status: 503, times: 1000 });
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: chronos is unreachable, so job cannot be put back there: /);
  expect(r.stderr).toContain('It keeps running on kubernetes. Retry when chronos answers.');
  await repo.clearFaults();
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

test('Kubernetes answers 403: not "down", so even --force is refused and nothing changes', async () => {
  await movedToKubernetes();
  await repo.fault({ system: 'kubernetes', status: 403, times: 1000 });
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: kubernetes answered but cannot be used: the credentials of context "[^"]+" lack "get" on batch\/cronjobs/m);
  expect(r.stderr).toContain('--force is only for a system that is down');
  await repo.clearFaults();
  expect(repo.readJob('job')).toContain('backend: kubernetes');
  const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { verdict: string }[];
  expect(status[0]!.verdict).toBe('ok');
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

test('a rollback run again does not undo itself: nothing to roll back, exit 0, the job stays put', async () => {
  await movedToKubernetes();
  expect((await repo.cli('rollback', 'job', '--yes', '--advance-sandbox')).code).toBe(0);
  expect(repo.readJob('job')).toContain('backend: chronos');
  const again = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^Nothing to roll back: the last move of job \(\S+, chronos -> kubernetes\) was already rolled back by \S+ at \S+; it runs on chronos\. To move it again: migrate move job --to kubernetes\n$/);
  expect(repo.readJob('job')).toContain('backend: chronos');
  expect(repo.journal().filter((x) => x.kind === 'begin').length).toBe(2);
  // A new move can be rolled back again.
  expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  expect((await repo.cli('rollback', 'job', '--yes', '--advance-sandbox')).code).toBe(0);
  expect(repo.readJob('job')).toContain('backend: chronos');
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

test('Chronos answers 401 when it is the system being left: refused even with --force, as for Kubernetes', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'kubernetes', SCHEDULE) } });
  expect((await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.fault({ system: 'chronos', status: 401, times: 1000 });
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: chronos answered but cannot be used: Chronos at \S+ refused the credentials \(HTTP 401\)/);
  expect(r.stderr).toContain('--force is only for a system that is down');
  await repo.clearFaults();
  expect(repo.readJob('job')).toContain('backend: chronos');
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});
