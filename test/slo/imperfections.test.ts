/**
 * The "done when": on the sandbox with imperfections set through its control API (late
 * starts on each system, a Pod stuck Pending, a failed run, an evicted one) and a job disabled on
 * both systems for an hour after it moved, `migrate slo` names each against the right job, system
 * and slot, and its figures agree with the run ledger and with what the sandbox says it applied.
 */
import { ChronosClient } from '../../backends/chronos/client.js';
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import { judgeLedger } from '../../src/demo/ledger-verdict.js';
import type { ImperfectionReport } from '../../src/sandbox/imperfections.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

interface SlotRef { readonly slot: string; readonly owner: string }
interface SloJob {
  readonly job: string;
  readonly slots: number;
  readonly missed: readonly SlotRef[];
  readonly doubled: readonly SlotRef[];
  readonly late: readonly (SlotRef & { readonly system: string; readonly latencySeconds: number })[];
  readonly failed: readonly (SlotRef & { readonly system: string; readonly outcome: string; readonly reason: string | null; readonly attempts: number })[];
  readonly waiting: readonly { readonly system: string; readonly pod: string; readonly pendingSeconds: number }[];
  readonly latencySeconds: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly systems: Readonly<Record<string, { readonly runs: number }>>;
}
interface SloJson {
  readonly fleet: { readonly met: boolean; readonly missed: number; readonly doubled: number; readonly late: number; readonly failed: number; readonly waiting: number };
  readonly jobs: readonly SloJob[];
}

const START = '2026-11-25T09:00:30Z';
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const minutes = (at: string) => Date.parse(at) / 60_000;
const slotsFrom = (from: string, n: number, stepMinutes: number) => Array.from({ length: n }, (_, i) => iso(new Date(Date.parse(from) + i * stepMinutes * 60_000)));

const SCHEDULES: Readonly<Record<string, { readonly backend: string; readonly schedule: string }>> = {
  'hourly-c': { backend: 'chronos', schedule: '0 * * * *' },
  'hourly-k': { backend: 'kubernetes', schedule: '5 * * * *' },
  stuck: { backend: 'kubernetes', schedule: '15 * * * *' },
  flaky: { backend: 'chronos', schedule: '*/20 * * * *' },
  evicted: { backend: 'kubernetes', schedule: '*/20 * * * *' },
  moved: { backend: 'chronos', schedule: '*/10 * * * *' },
};

let repo: SandboxRepo;
afterEach(async () => {
  await repo?.close();
});

async function imperfect(rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${repo.kubernetesUrl}/_sandbox/imperfections`, { method: 'POST', body: JSON.stringify(rule) });
  expect(res.status).toBe(201);
}

test('late starts, a stuck Pending Pod, a failed and an evicted run, an hour disabled on both systems: each named against its job, system and slot, as the ledger and the sandbox say', async () => {
  repo = await startSandboxRepo({
    start: START,
    chronos: { jobHistoryLimit: 200 },
    jobs: Object.fromEntries(Object.entries(SCHEDULES).map(([name, j]) => [name, jobYaml(name, j.backend, j.schedule)])),
  });
  const kube = new KubernetesClient({ kubeconfig: repo.kubeconfig, namespace: 'default', sleep: async () => {}, clock: repo.sandbox.ctx.clock });
  const chronos = new ChronosClient({ url: repo.chronosUrl, sleep: async () => {}, clock: repo.sandbox.ctx.clock });
  // The API server keeps 3 succeeded Jobs by default: keep the whole window's.
  for (const name of ['hourly-k', 'stuck', 'evicted']) await kube.mergePatch(name, { spec: { successfulJobsHistoryLimit: 50 } });

  await imperfect({ system: 'chronos', job: 'hourly-c', kind: 'late', seconds: 1500, slot: '2026-11-25T10:00:00Z' });
  await imperfect({ system: 'kubernetes', job: 'hourly-k', kind: 'late', seconds: 600, slot: '2026-11-25T10:05:00Z' });
  await imperfect({ system: 'kubernetes', job: 'hourly-k', kind: 'late', seconds: 1500, slot: '2026-11-25T11:05:00Z' });
  await imperfect({ system: 'kubernetes', job: 'stuck', kind: 'pending', slot: '2026-11-25T11:15:00Z' });
  await imperfect({ system: 'chronos', job: 'flaky', kind: 'fail', slot: '2026-11-25T09:40:00Z' });
  await imperfect({ system: 'kubernetes', job: 'evicted', kind: 'kill', seconds: 5, slot: '2026-11-25T10:20:00Z' });

  await repo.advanceTo('2026-11-25T09:33:00Z');
  expect((await repo.cli('move', 'moved', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  await kube.mergePatch('moved', { spec: { successfulJobsHistoryLimit: 50 } });
  await repo.advanceTo('2026-11-25T10:30:30Z');
  await chronos.setEnabled('moved', false);
  await kube.setEnabled('moved', false);
  await repo.advanceTo('2026-11-25T11:30:30Z');
  await kube.setEnabled('moved', true);
  await repo.advanceTo('2026-11-25T11:50:30Z');

  const since = (repo.now().getTime() - Date.parse(START)) / 1000;
  const r = await repo.cli('slo', '-o', 'json', '--since', `${since}s`);
  expect(r.code).toBe(1);
  const json = JSON.parse(r.stdout) as SloJson;
  const job = (name: string) => json.jobs.find((j) => j.job === name)!;
  expect(json.jobs.map((j) => j.job).sort()).toEqual(Object.keys(SCHEDULES).sort());

  // Each imperfection, named.
  expect(job('hourly-c').late).toEqual([{ slot: '2026-11-25T10:00:00Z', owner: 'chronos', system: 'chronos', id: expect.stringMatching(/^ct:\d+:0:hourly-c:/), latencySeconds: 1500 }]);
  expect(job('hourly-c').missed).toEqual([]);
  // Kubernetes starts 10 minutes late within the start window (on time, but the latency shows it),
  // and gives a slot up when the controller gets to it past startingDeadlineSeconds.
  expect([job('hourly-k').late, job('hourly-k').latencySeconds?.max]).toEqual([[], 600]);
  expect(job('hourly-k').missed).toEqual([{ slot: '2026-11-25T11:05:00Z', owner: 'kubernetes' }]);
  expect(job('stuck').waiting).toEqual([{ system: 'kubernetes', pod: expect.stringMatching(new RegExp(`^stuck-${minutes('2026-11-25T11:15:00Z')}-[a-z0-9]{5}$`)), pendingSeconds: 35 * 60 + 30 }]);
  expect(job('flaky').failed).toEqual([expect.objectContaining({ slot: '2026-11-25T09:40:00Z', owner: 'chronos', system: 'chronos', outcome: 'failed', reason: 'Fail', attempts: 3 })]);
  expect(job('evicted').failed).toEqual([expect.objectContaining({ slot: '2026-11-25T10:20:00Z', owner: 'kubernetes', system: 'kubernetes', outcome: 'killed', reason: 'BackoffLimitExceeded (a pod was evicted)', attempts: 1 })]);
  // Disabled on both systems from 10:30:30 to 11:30:30 after its move: Kubernetes owed those slots;
  // unsuspended, the CronJob runs 11:30, the newest slot, within its start window.
  expect(job('moved').missed).toEqual(slotsFrom('2026-11-25T10:40:00Z', 5, 10).map((slot) => ({ slot, owner: 'kubernetes' })));
  expect(job('moved').systems.chronos!.runs).toBeGreaterThan(0);
  expect(job('moved').systems.kubernetes!.runs).toBeGreaterThan(0);
  expect(json.fleet).toMatchObject({ met: false, missed: 6, doubled: 0, late: 1, failed: 2, waiting: 1 });

  // Every imperfection the sandbox applied is in the report, against its job, system and slot.
  const report = (await (await fetch(`${repo.chronosUrl}/_sandbox/imperfections`)).json()) as ImperfectionReport;
  expect(report.applied).toHaveLength(6);
  for (const a of report.applied) {
    const j = job(a.job);
    const found =
      a.kind === 'late' && a.seconds! > 1200 && a.system === 'kubernetes' ? j.missed.some((m) => m.slot === a.slot && m.owner === a.system)
      : a.kind === 'late' && a.seconds! > 1200 ? j.late.some((l) => l.slot === a.slot && l.system === a.system && l.latencySeconds === a.seconds)
      : a.kind === 'late' ? j.late.length === 0 && j.latencySeconds!.max === a.seconds
      : a.kind === 'pending' ? j.waiting.some((w) => w.system === a.system && w.pod.startsWith(`${a.job}-${minutes(a.slot!)}-`))
      : j.failed.some((f) => f.slot === a.slot && f.system === a.system && f.outcome === (a.kind === 'kill' && a.system === 'kubernetes' ? 'killed' : 'failed'));
    expect([a.kind, a.job, a.slot, found]).toEqual([a.kind, a.job, a.slot, true]);
  }

  // Slots, runs per system, missed, doubled and late slots agree with the run ledger. The ledger
  // records every Chronos launch, a retry too (it is launched for the same slot), where slo counts
  // a retry as an attempt of its run: a slot slo shows with N attempts has N entries there.
  const ledger = await repo.runs();
  const verdicts = judgeLedger(
    ledger,
    Object.entries(SCHEDULES).map(([name, j]) => ({ name, schedule: j.schedule, timezone: 'Etc/UTC', startingDeadlineSeconds: 1200 })),
    { from: new Date(START), until: repo.now() },
  );
  expect(verdicts).toHaveLength(6);
  let retried = 0;
  for (const v of verdicts) {
    const j = job(v.job);
    const retries = j.failed.filter((f) => f.attempts > 1);
    for (const f of retries) {
      expect(ledger.filter((e) => e.job === v.job && e.system === f.system && e.scheduledFor === new Date(f.slot).toISOString())).toHaveLength(f.attempts);
      retried++;
    }
    const extraAttempts = (system: string) => retries.filter((f) => f.system === system).reduce((n, f) => n + f.attempts - 1, 0);
    const ledgerDoubled = v.doubled.map(iso).filter((slot) => !retries.some((f) => f.slot === slot));
    expect([v.job, j.slots, j.systems.chronos!.runs + extraAttempts('chronos'), j.systems.kubernetes!.runs + extraAttempts('kubernetes'), j.missed.map((m) => m.slot), j.doubled.map((d) => d.slot), j.late.map((l) => l.slot)])
      .toEqual([v.job, v.slots, v.runs.chronos, v.runs.kubernetes, v.missed.map(iso), ledgerDoubled, v.late.map(iso)]);
  }
  expect(retried).toBe(1);

  const table = await repo.cli('slo', '--since', `${since}s`);
  expect(table.stdout).toContain('hourly-c: slot 2026-11-25T10:00:00Z started 25m after it on Chronos (start window 20m)');
  expect(table.stdout).toContain('hourly-k: slot 2026-11-25T11:05:00Z never ran (Kubernetes owed it)');
  expect(table.stdout).toContain('moved: slot 2026-11-25T10:40:00Z never ran (Kubernetes owed it)');
  expect(table.stdout).toMatch(/flaky: slot 2026-11-25T09:40:00Z failed after 3 attempts on Chronos \(ct:\d+:0:flaky:\d+: Fail\)/);
  expect(table.stdout).toMatch(/evicted: slot 2026-11-25T10:20:00Z was killed on Kubernetes \(evicted-\d+: BackoffLimitExceeded \(a pod was evicted\)\)/);
  expect(table.stdout).toMatch(/stuck: pod stuck-\d+-[a-z0-9]{5} Pending for 35m30s on Kubernetes/);
});
