/** `move --watch` reports the target's first run; `--auto-rollback` moves back when it does not come. */
import { slotsBetween } from '../../src/core/handoff.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const FIRST_SLOT = '2026-11-25T10:10:00Z';
let repo: SandboxRepo;
afterEach(() => repo.close());

test('--watch waits for the first run on the target and reports it', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox', '--watch');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`done: job: now on kubernetes; first run there ${FIRST_SLOT}; it started by`);
  expect(repo.now().getTime()).toBeGreaterThanOrEqual(Date.parse(FIRST_SLOT));
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: (slot) => (slot.getTime() < Date.parse(FIRST_SLOT) ? 'chronos' : 'kubernetes') });
  expect(v.problems).toEqual([]);
});

test('--auto-rollback: a first run that never comes puts the job back on the source', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  // A Job that is not the CronJob's holds the first slot's name: the controller skips that slot
  // quietly and stalls, as a real one does (docs/kubernetes.md, "Traps for a cutover": the Job name is the lock).
  const name = `job-${Math.floor(Date.parse(FIRST_SLOT) / 60_000)}`;
  const res = await fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox' }] } } } }),
  });
  expect(res.status).toBe(201);

  const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox', '--auto-rollback');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('but its first run did not start within the start window: rolled back to chronos');
  expect(r.stderr).toContain('the first run did not come: rolling back (--auto-rollback)');
  expect(repo.readJob('job')).toContain('backend: chronos');
  const status = await repo.cli('status', 'job', '-o', 'json');
  expect(JSON.parse(status.stdout)[0]).toMatchObject({ verdict: 'ok', chronos: { enabled: true }, kubernetes: { enabled: false } });
  const history = JSON.parse((await repo.cli('history', 'job', '-o', 'json')).stdout) as { operation: string; outcome: string }[];
  expect(history.map((h) => `${h.operation}:${h.outcome}`)).toEqual(['rollback:done', 'move:done']);
  expect((await repo.cli('history', 'job')).stdout).toMatch(/\n\n1 move and 1 rollback\.\n$/);
  // The stalled CronJob ran nothing: Chronos took the last untaken slot over when it came back,
  // and nothing ran twice. The slots before it were lost on Kubernetes, which is why one rolls back.
  expect(r.stderr).toMatch(/kubernetes did not launch its (\S+) slot: chronos takes that slot over, late/);
  await repo.advance(30 * 60);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.doubled).toEqual([]);
  const takenOver = /did not launch its (\S+) slot/.exec(r.stderr)![1]!;
  // Exactly the slots from the first one Kubernetes owed up to the one Chronos took over.
  expect(v.missed).toEqual(slotsBetween(SCHEDULE, 'Etc/UTC', new Date(Date.parse(FIRST_SLOT) - 1), new Date(Date.parse(takenOver) - 1)).map((d) => d.toISOString()));
  expect(v.missed.length).toBeGreaterThan(0);
  expect(v.runs.filter((e) => e.scheduledFor !== null && Date.parse(e.scheduledFor) === Date.parse(takenOver)).map((e) => e.system)).toEqual(['chronos']);
});
