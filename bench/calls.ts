/**
 * API calls of one move and of one rollback (issue 12), as the sandbox counts them: its request
 * log (GET /_sandbox/requests, docs/sandbox.md), emptied before each command. Run on demand:
 *   npx tsc -p tsconfig.json && node dist/bench/calls.js
 * One job (`*\/5 * * * *`, concurrency forbid) on Chronos is moved to Kubernetes and rolled back
 * five times, five virtual minutes apart (every handoff immediate), in a sandbox that holds only
 * it and in one that also holds 500 other jobs (250 on each system). Each row prints the median
 * calls of one command, by system and method, beside `migrate status` of the job in the same
 * sandbox, and its goal: at most 10 calls, whatever the number of jobs. Exit 1 when a row misses.
 * The sandbox's control calls (`--advance-sandbox` moving its virtual clock) are not API calls and
 * are not in the log. Figures are recorded in docs/performance.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChronosJob } from '../backends/chronos/model.js';
import { renderChronosJob } from '../backends/chronos/render.js';
import type { ChronosStandIn } from '../backends/chronos/stand-in.js';
import { RESOURCES } from '../backends/kubernetes/api-server/resources.js';
import type { KubernetesStandIn } from '../backends/kubernetes/api-server/server.js';
import { writeSandboxKubeconfig } from '../backends/kubernetes/kubeconfig.js';
import { renderCronJob } from '../backends/kubernetes/render.js';
import type { CliIO } from '../src/cli/io.js';
import { run } from '../src/cli/run.js';
import { readDefinition } from '../src/core/definition.js';
import { BACKEND_NAMES } from '../backends/names.js';
import { emptyProject } from '../src/core/project.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';

/** 10:07: two minutes after a five-minute slot, so a move's handoff is immediate. */
const T0 = new Date('2026-11-25T10:07:00Z');
const PROJECT = 'defaults:\n  image: registry.example.com/batch/runner:2026.11\n  namespace: default\n';
const JOB = 'cache-warmer';
const ROUNDS = 5;
const GOAL = 10;
const CRONJOBS = RESOURCES.find((r) => r.plural === 'cronjobs')!;

interface LoggedRequest {
  readonly system: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
}

/** `--paths` lists every request of the median command, in order (to see which calls a change removed). */
const SHOW_PATHS = process.argv.includes('--paths');

function definition(name: string, backend: string, schedule: string): string {
  return `name: ${name}\nbackend: ${backend}\nschedule: "${schedule}"\ncommand: [ruby, /app/script/task.rb]\nenv: {RAILS_ENV: production}\nconcurrency: forbid\n`;
}

/** `others` jobs placed straight into the stand-ins (half on each system), none of them the one moved. */
function seed(sandbox: Sandbox, others: number): void {
  const chronos = sandbox.standIns.chronos as ChronosStandIn;
  const kube = sandbox.standIns.kubernetes as KubernetesStandIn;
  for (let i = 0; i < others; i++) {
    const name = `other-${String(i).padStart(3, '0')}`;
    const backend = i % 2 === 0 ? 'chronos' : 'kubernetes';
    const job = readDefinition(`jobs/${name}.yaml`, `${definition(name, backend, `${(i * 7) % 60} ${i % 24} * * *`)}image: busybox\n`, emptyProject(BACKEND_NAMES)).definition!.job;
    if (backend === 'chronos') chronos.scheduler.put(readChronosJob(renderChronosJob(job, T0).manifest, { now: T0 }));
    else kube.store.create(CRONJOBS, 'default', renderCronJob(job).manifest, { manager: 'migrate' });
  }
}

/** The request log of the sandbox: emptied, or read (every API request since it was emptied). */
async function requestLog(sandbox: Sandbox, method: 'DELETE' | 'GET'): Promise<readonly LoggedRequest[]> {
  const res = await fetch(`${sandbox.urls.chronos}/_sandbox/requests`, { method });
  if (method === 'DELETE') return [];
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

function describe(requests: readonly LoggedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(`${r.system} ${r.method}`, (counts.get(`${r.system} ${r.method}`) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
}

let missed = 0;

async function calls(others: number): Promise<void> {
  const sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  const dir = mkdtempSync(join(tmpdir(), 'migrate-bench-calls-'));
  try {
    seed(sandbox, others);
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'migrate.yaml'), PROJECT);
    writeFileSync(join(dir, 'jobs', `${JOB}.yaml`), definition(JOB, 'chronos', '*/5 * * * *'));
    const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
    const io: CliIO = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      isTTY: false,
      env: { MIGRATE_CHRONOS_URL: sandbox.urls.chronos!, KUBECONFIG: kubeconfig },
      cwd: dir,
      clock: sandbox.ctx.clock,
    };
    /** The API requests of one command. */
    const counted = async (...argv: string[]): Promise<readonly LoggedRequest[]> => {
      await requestLog(sandbox, 'DELETE');
      const code = await run(argv, io);
      if (code !== 0) throw new Error(`migrate ${argv.join(' ')} exited ${code}`);
      return requestLog(sandbox, 'GET');
    };
    await counted('apply', JOB, '--yes');
    const status = await counted('status', JOB);
    const moves: (readonly LoggedRequest[])[] = [];
    const rollbacks: (readonly LoggedRequest[])[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Five minutes between commands keeps every handoff two minutes after a slot: immediate.
      sandbox.ctx.clock.advance(300);
      moves.push(await counted('move', JOB, '--to', 'k8s', '--yes', '--advance-sandbox'));
      sandbox.ctx.clock.advance(300);
      rollbacks.push(await counted('rollback', JOB, '--yes', '--advance-sandbox'));
    }
    const where = `${others + 1} job${others ? 's' : ''} in the sandbox`;
    for (const [label, runs] of [[`move ${JOB} --to k8s`, moves], [`rollback ${JOB}`, rollbacks]] as const) {
      const byCount = [...runs].sort((a, b) => a.length - b.length);
      const mid = byCount[byCount.length >> 1]!;
      const met = mid.length <= GOAL;
      if (!met) missed++;
      console.log(
        `${label} (${where}): ${mid.length} API calls (${describe(mid)}; ${byCount[0]!.length} to ${byCount.at(-1)!.length} over ${ROUNDS}) vs status ${status.length}; goal <= ${GOAL}: ${met ? 'ok' : 'MISSED'}`,
      );
      if (SHOW_PATHS) for (const r of mid) console.log(`  ${r.system} ${r.method} ${r.path} ${r.status ?? '-'}`);
    }
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`API calls per command, by the sandbox's request log, median of ${ROUNDS} (Node ${process.version})`);
await calls(0);
await calls(500);
if (missed) {
  console.log(`${missed} row(s) missed their goal`);
  process.exitCode = 1;
}
