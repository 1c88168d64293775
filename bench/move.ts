/**
 * Benchmark of `move` and `rollback` on the sandbox (run on demand, not in `npm test`):
 *   npx tsc -p tsconfig.json && node dist/bench/move.js [all|one|wave]
 * 1. One job, moved to Kubernetes and rolled back, 5 times each: wall time of the whole command
 *    (parse, load, plan, lock, cutover, verify, definition write, journal), and the API calls
 *    each one made, counted at the stand-ins. Every handoff falls mid-gap, so there is no wait
 *    for the handoff moment to exclude; the sandbox's virtual clock stands still meanwhile.
 * 2. A wave of 500 jobs moved by one `move -l tier=low --to k8s` at concurrency 16 (and 4).
 * Baselines, in the same run: a plain list of both systems through the clients, and
 * `migrate status` (the CLI's own fixed costs plus one list per system).
 * Figures are recorded in docs/performance.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChronosClient } from '../backends/chronos/client.js';
import { writeSandboxKubeconfig } from '../backends/kubernetes/kubeconfig.js';
import { KubernetesClient } from '../backends/kubernetes/client.js';
import type { CliIO } from '../src/cli/io.js';
import { run } from '../src/cli/run.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import type { SystemName } from '../src/sandbox/ledger.js';
import type { StandIn } from '../src/sandbox/stand-in.js';

/** 10:07: two minutes after a five-minute slot, so a move's handoff is immediate. */
const T0 = new Date('2026-11-25T10:07:00Z');
const PROJECT = 'defaults:\n  image: registry.example.com/batch/runner:2026.11\n  namespace: default\n';

interface Bench {
  readonly sandbox: Sandbox;
  readonly dir: string;
  readonly cli: (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  readonly calls: RequestCounter;
  readonly chronos: ChronosClient;
  readonly kubernetes: KubernetesClient;
  close(): Promise<void>;
}

/** Counts the API requests each stand-in answers (the /_sandbox control calls never reach handle). */
class RequestCounter {
  private counts = new Map<string, number>();

  wrap(system: SystemName, standIn: StandIn): void {
    const handle = standIn.handle.bind(standIn);
    standIn.handle = (req, res) => {
      const key = `${system} ${req.method}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      return handle(req, res);
    };
  }

  reset(): void {
    this.counts = new Map();
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  describe(per = 1): string {
    const parts = [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${fmt(n / per)}`);
    return `${fmt(this.total() / per)} (${parts.join(', ')})`;
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** When the running command wrote its first progress line (execution began), if it did. */
let firstProgress: number | undefined;

async function setUp(jobs: Readonly<Record<string, string>>): Promise<Bench> {
  const sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  const calls = new RequestCounter();
  for (const [system, standIn] of Object.entries(sandbox.standIns)) calls.wrap(system as SystemName, standIn!);
  const dir = mkdtempSync(join(tmpdir(), 'migrate-bench-move-'));
  mkdirSync(join(dir, 'jobs'));
  writeFileSync(join(dir, 'migrate.yaml'), PROJECT);
  for (const [name, text] of Object.entries(jobs)) writeFileSync(join(dir, 'jobs', `${name}.yaml`), text);
  const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
  const env = { MIGRATE_CHRONOS_URL: sandbox.urls.chronos!, KUBECONFIG: kubeconfig };
  const cli = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    firstProgress = undefined;
    const io: CliIO = {
      stdout: { write: (t) => void (stdout += t) },
      stderr: {
        write: (t) => {
          // Progress lines start once every plan is printed and confirmed: the end of planning.
          firstProgress ??= performance.now();
          stderr += t;
        },
      },
      isTTY: false,
      env,
      cwd: dir,
      clock: sandbox.ctx.clock,
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  };
  return {
    sandbox,
    dir,
    cli,
    calls,
    chronos: new ChronosClient({ url: sandbox.urls.chronos!, clock: sandbox.ctx.clock }),
    kubernetes: new KubernetesClient({ kubeconfig, namespace: 'default', env: {}, clock: sandbox.ctx.clock }),
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function must(b: Bench, ...argv: string[]): Promise<void> {
  const r = await b.cli(...argv);
  if (r.code !== 0) throw new Error(`migrate ${argv.join(' ')} exited ${r.code}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Median wall time and the API calls of one run of `fn`, over `n` runs (calls are per run). */
async function measure(b: Bench, n: number, fn: (i: number) => Promise<unknown>): Promise<{ ms: number; calls: string; callCount: number }> {
  const times: number[] = [];
  b.calls.reset();
  for (let i = 0; i < n; i++) times.push(await timed(() => fn(i)));
  return { ms: median(times), calls: b.calls.describe(n), callCount: b.calls.total() / n };
}

function job(name: string, backend: string, schedule: string, tier = 'low'): string {
  return [
    `name: ${name}`,
    `backend: ${backend}`,
    `schedule: "${schedule}"`,
    'command: [ruby, /app/script/task.rb]',
    'env: {RAILS_ENV: production}',
    'resources: {requests: {cpu: 0.1, memory: 128M}, limits: {memory: 1024M}}',
    'concurrency: forbid',
    `tier: ${tier}`,
    '',
  ].join('\n');
}

async function oneJob(): Promise<void> {
  const b = await setUp({ 'cache-warmer': job('cache-warmer', 'chronos', '*/5 * * * *') });
  try {
    await must(b, 'apply', '--yes');
    // Warm-up: the first command pays for loading modules and opening connections.
    await must(b, 'status');
    const list = await measure(b, 5, () => Promise.all([b.chronos.list(), b.kubernetes.listCronJobs()]));
    const status = await measure(b, 5, () => must(b, 'status'));
    const moves: number[] = [];
    const rollbacks: number[] = [];
    let moveCalls = '';
    let rollbackCalls = '';
    let moveCallCount = 0;
    for (let i = 0; i < 5; i++) {
      // Five minutes between operations keeps every handoff two minutes after a slot: immediate.
      b.sandbox.ctx.clock.advance(300);
      b.calls.reset();
      moves.push(await timed(() => must(b, 'move', 'cache-warmer', '--to', 'k8s', '--yes', '--advance-sandbox')));
      moveCalls = b.calls.describe();
      moveCallCount = b.calls.total();
      b.sandbox.ctx.clock.advance(300);
      b.calls.reset();
      rollbacks.push(await timed(() => must(b, 'rollback', 'cache-warmer', '--yes', '--advance-sandbox')));
      rollbackCalls = b.calls.describe();
    }
    const move = median(moves);
    const rollback = median(rollbacks);
    console.log('One job (*/5, Chronos <-> Kubernetes), median of 5, handoff immediate (no wait):');
    console.log(`  baseline: list both systems        ${list.ms.toFixed(1)} ms, API calls ${list.calls}`);
    console.log(`  baseline: migrate status            ${status.ms.toFixed(0)} ms, API calls ${status.calls}`);
    console.log(`  migrate move --to k8s               ${move.toFixed(0)} ms (${(move / status.ms).toFixed(1)}x status, ${(move / list.ms).toFixed(0)}x list), API calls ${moveCalls}`);
    console.log(`  migrate rollback                    ${rollback.toFixed(0)} ms (${(rollback / status.ms).toFixed(1)}x status, ${(rollback / list.ms).toFixed(0)}x list), API calls ${rollbackCalls}`);
    console.log(`  API calls per move vs the baseline list: ${(moveCallCount / list.callCount).toFixed(1)}x`);
  } finally {
    await b.close();
  }
}

/** Issue 12's row: a wave of 500 moves in at most 15 s, at most 10 API calls per job. */
const WAVE_GOAL = { seconds: 15, callsPerJob: 10 };

async function wave(size: number, concurrency: number): Promise<{ seconds: number; callsPerJob: number }> {
  const jobs: Record<string, string> = {};
  for (let i = 0; i < size; i++) {
    // Daily jobs spread over the day, none due within minutes of the start: every handoff is immediate.
    const minute = (i * 7) % 60;
    const hour = 12 + (i % 10);
    jobs[`job-${String(i).padStart(3, '0')}`] = job(`job-${String(i).padStart(3, '0')}`, 'chronos', `${minute} ${hour} * * *`);
  }
  const b = await setUp(jobs);
  try {
    b.calls.reset();
    const apply = await timed(() => must(b, 'apply', '--yes'));
    const applyCalls = b.calls.describe();
    await must(b, 'status');
    const list = await measure(b, 3, () => Promise.all([b.chronos.list(), b.kubernetes.listCronJobs()]));
    const status = await measure(b, 3, () => must(b, 'status'));
    b.calls.reset();
    const started = performance.now();
    const move = await timed(() => must(b, 'move', '-l', 'tier=low', '--to', 'k8s', '--yes', '--advance-sandbox', '--concurrency', String(concurrency)));
    const planning = (firstProgress ?? started) - started;
    const moveCalls = b.calls.describe(size);
    const callsPerJob = b.calls.total() / size;
    console.log(`A wave of ${size} daily jobs, Chronos -> Kubernetes, move -l tier=low --concurrency ${concurrency}:`);
    console.log(`  apply (create all ${size} in Chronos)   ${(apply / 1000).toFixed(1)} s, API calls ${applyCalls}`);
    console.log(`  baseline: list both systems        ${list.ms.toFixed(0)} ms`);
    console.log(`  baseline: migrate status            ${(status.ms / 1000).toFixed(2)} s`);
    console.log(`  the wave                            ${(move / 1000).toFixed(1)} s (${(move / size).toFixed(0)} ms per job; ${(move / status.ms).toFixed(1)}x status), API calls per job ${moveCalls}`);
    console.log(`    of which planning (load, lint, read and plan all ${size}) ${(planning / 1000).toFixed(1)} s, cutovers ${((move - planning) / 1000).toFixed(1)} s`);
    return { seconds: move / 1000, callsPerJob };
  } finally {
    await b.close();
  }
}

const part = process.argv[2] ?? 'all';
if (part === 'all' || part === 'one') await oneJob();
if (part === 'all' || part === 'wave') {
  await wave(500, 16);
  // The row: the default concurrency, median of 5 waves.
  const rounds: { seconds: number; callsPerJob: number }[] = [];
  for (let i = 0; i < 5; i++) rounds.push(await wave(500, 4));
  const seconds = median(rounds.map((r) => r.seconds));
  const calls = median(rounds.map((r) => r.callsPerJob));
  const met = seconds <= WAVE_GOAL.seconds && calls <= WAVE_GOAL.callsPerJob;
  console.log(
    `a wave of 500 moves (--concurrency 4, median of 5): ${seconds.toFixed(1)} s (${rounds.map((r) => r.seconds.toFixed(1)).join(', ')}), ${calls.toFixed(1)} API calls per job; goal <= ${WAVE_GOAL.seconds} s and <= ${WAVE_GOAL.callsPerJob} calls per job: ${met ? 'ok' : 'MISSED'}`,
  );
  if (!met) process.exitCode = 1;
}
