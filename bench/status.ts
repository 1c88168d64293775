/**
 * Whole-process benchmark of `migrate status` (issue 12), run on demand, not in `npm test`:
 *   npx tsc -p tsconfig.json && node dist/bench/status.js [runs] [--jobs N]   (default 7 runs, 500 jobs)
 *   node dist/bench/status.js --serve [--jobs N]    seeds the same sandbox and keeps it up (to profile by hand)
 * N job definitions (half declared on Chronos, half on Kubernetes, each live where declared) in a
 * folder, served by the sandbox on 127.0.0.1 (started in this process, seeded through its stand-ins).
 *
 * Row: `status -o json` and the table (`status`), each a whole `migrate` process (the file
 * package.json's "bin" names), against what an operator would run by hand: `kubectl get cronjobs
 * -o json` and one `curl` of the Chronos job list, as whole processes, the two at once. Each is
 * run under one `bash -c '...; times'`, which prints the CPU time (user + system) of the processes
 * it ran as the operating system counts them. Command and baseline in turn (A B A B ..., after one
 * warm-up of each, which also fills kubectl's discovery cache), one line per command with the
 * medians, the median of the pairwise ratios, the goal (<= 1.2x), ok or MISSED; the bench exits 1
 * when one misses. The goal is judged on CPU time: on a shared machine wall time also measures the
 * neighbours (it is printed beside). The API calls of one status, from the sandbox's request log,
 * are printed too, and, not as rows, against the same baseline: status without the cache of parsed
 * definitions, another build's status (--before), and the floor while status reads through the
 * client libraries (importing them alone). Figures are recorded in docs/performance.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readChronosJob } from '../backends/chronos/model.js';
import { renderChronosJob } from '../backends/chronos/render.js';
import type { ChronosStandIn } from '../backends/chronos/stand-in.js';
import type { KubernetesStandIn } from '../backends/kubernetes/api-server/server.js';
import { RESOURCES } from '../backends/kubernetes/api-server/resources.js';
import { writeSandboxKubeconfig } from '../backends/kubernetes/kubeconfig.js';
import { renderCronJob } from '../backends/kubernetes/render.js';
import { BACKEND_NAMES } from '../backends/names.js';
import { readDefinition } from '../src/core/definition.js';
import { emptyProject } from '../src/core/project.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BIN = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { migrate: string } }).bin.migrate);
const START = new Date('2026-11-25T10:07:00Z');
const KUBECTL = '/usr/bin/kubectl';
const CURL = '/usr/bin/curl';
const CRONJOBS = RESOURCES.find((r) => r.plural === 'cronjobs')!;
const GOAL = 1.2;

interface Command {
  readonly label: string;
  /** A bash script; its stdout is thrown away, its exit status must be 0. */
  readonly script: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function definitionText(i: number): { name: string; text: string } {
  const name = `job-${String(i).padStart(5, '0')}`;
  const backend = i % 2 === 0 ? 'chronos' : 'kubernetes';
  const schedule = [`${i % 60} */2 * * *`, `${i % 60} ${i % 24} * * *`, `*/15 * * * *`, `${i % 60} * * * *`][i % 4];
  return {
    name,
    text: `name: ${name}\nbackend: ${backend}\nschedule: "${schedule}"\ncommand: [/usr/local/bin/task, --id, "${i}"]\nimage: registry.example.com/task:1.${i % 7}\nenv: {RAILS_ENV: production, API_TOKEN: t-${i}}\nresources:\n  requests: {cpu: 0.25, memory: 256Mi}\nowner: team-${i % 13}@example.com\n`,
  };
}

/** A folder of `n` definitions, each job placed where it is declared. */
function seed(sandbox: Sandbox, dir: string, n: number): void {
  mkdirSync(join(dir, 'jobs'));
  const chronos = sandbox.standIns.chronos as ChronosStandIn;
  const kube = sandbox.standIns.kubernetes as KubernetesStandIn;
  for (let i = 0; i < n; i++) {
    const { name, text } = definitionText(i);
    writeFileSync(join(dir, 'jobs', `${name}.yaml`), text);
    const job = readDefinition(`jobs/${name}.yaml`, text, emptyProject(BACKEND_NAMES)).definition!.job;
    if (job.backend === 'chronos') chronos.scheduler.put(readChronosJob(renderChronosJob(job, START).manifest, { now: START }));
    else kube.store.create(CRONJOBS, 'default', renderCronJob(job).manifest, { manager: 'migrate' });
  }
}

/** Runs a bash script to its end (asynchronously: the sandbox answers from this process). */
function runScript(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; wall: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn('/bin/bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, wall: (performance.now() - started) / 1000 }));
  });
}

/** bash's `times`: its own user and system time, then those of the processes it ran (`0m0.512s 0m0.080s`). */
function childrenCpu(times: string): number {
  const lines = times.trim().split('\n');
  const seconds = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`unexpected output of times: ${times}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const [user, system] = lines[lines.length - 1]!.trim().split(/\s+/);
  return seconds(user!) + seconds(system!);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const args = process.argv.slice(2);
const jobsFlag = args.indexOf('--jobs');
const jobs = jobsFlag >= 0 ? Number(args[jobsFlag + 1]) : 500;
const serve = args.includes('--serve');
const beforeFlag = args.indexOf('--before');
const before = beforeFlag >= 0 ? resolve(args[beforeFlag + 1] ?? '') : undefined;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && !(jobsFlag >= 0 && i === jobsFlag + 1)) ?? 7);
if (!Number.isInteger(runs) || runs < 5 || !Number.isInteger(jobs) || jobs < 2) throw new Error('usage: node dist/bench/status.js [runs, at least 5] [--jobs N] [--before <another build\'s main.js>] [--serve]');

const sandbox = await startSandbox({ clock: 'virtual', start: START });
const dir = mkdtempSync(join(tmpdir(), `bench-status-${jobs}-`));
let missed = 0;
try {
  seed(sandbox, dir, jobs);
  const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
  // The cache of parsed definitions (src/cli/definition-cache.ts) goes with the folder.
  const env = { ...process.env, MIGRATE_CHRONOS_URL: sandbox.urls.chronos!, KUBECONFIG: kubeconfig, XDG_CACHE_HOME: join(dir, 'cache') };
  if (serve) {
    console.log(`${jobs} jobs in ${dir}; the sandbox is up until Ctrl-C:\n  cd ${dir}\n  export MIGRATE_CHRONOS_URL=${env.MIGRATE_CHRONOS_URL} KUBECONFIG=${kubeconfig}\n  node --cpu-prof ${BIN} status -o json`);
    await new Promise<void>((stop) => process.once('SIGINT', () => stop()));
  } else {
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const timed = (script: string) => `${script}; rc=$?; times >&2; exit $rc`;
    const statusJson: Command = { label: `migrate status -o json (${jobs} jobs)`, script: timed(`${q(process.execPath)} ${q(BIN)} status -o json >/dev/null`) };
    const statusTable: Command = { label: `migrate status (the table, ${jobs} jobs)`, script: timed(`${q(process.execPath)} ${q(BIN)} status >/dev/null`) };
    const kubectl = `${KUBECTL} --kubeconfig ${q(kubeconfig)} --cache-dir ${q(join(dir, 'kube-cache'))} get cronjobs -o json`;
    const curl = `${CURL} -sf ${q(`${sandbox.urls.chronos}/v1/scheduler/jobs`)}`;
    const baseline: Command = { label: 'kubectl get cronjobs -o json + curl of the Chronos job list', script: timed(`${kubectl} >/dev/null & ${curl} >/dev/null; c=$?; wait $! || exit 1; (exit $c)`) };

    const measure = async (c: Command): Promise<Sample> => {
      const r = await runScript(c.script, { ...env, ...c.env }, dir);
      if (r.code !== 0) throw new Error(`${c.label} exited with ${r.code}: ${r.stderr.slice(0, 2000)}`);
      return { wall: r.wall, cpu: childrenCpu(r.stderr) };
    };

    // Once, outside the timings: every answer is what it should be, and the calls of one status.
    const check = await runScript(`${q(process.execPath)} ${q(BIN)} status -o json`, env, dir);
    const rows = JSON.parse(check.stdout) as { verdict: string }[];
    if (check.code !== 0 || rows.length !== jobs || rows.some((r) => r.verdict !== 'ok')) throw new Error(`status is wrong: exit ${check.code}, ${rows.filter((r) => r.verdict !== 'ok').length} of ${rows.length} not ok`);
    sandbox.ctx.requests.clear();
    await runScript(`${q(process.execPath)} ${q(BIN)} status >/dev/null`, env, dir);
    const calls = sandbox.ctx.requests.all().map((r) => `${r.system} ${r.method} ${r.path}`);
    const items = (JSON.parse((await runScript(kubectl, env, dir)).stdout) as { items: unknown[] }).items.length;
    const listed = (JSON.parse((await runScript(curl, env, dir)).stdout) as unknown[]).length;
    if (items !== Math.floor(jobs / 2) || listed !== Math.ceil(jobs / 2)) throw new Error(`the baseline read ${items} CronJobs and ${listed} Chronos jobs`);

    console.log(`migrate status, whole processes, medians of ${runs} runs each (Node ${process.version}, ${jobs} jobs: ${listed} on Chronos, ${items} on Kubernetes)`);
    console.log(`API calls of one status: ${calls.length} (${calls.join(', ')})`);
    // Not rows: the same without the cache of parsed definitions, and another build (--before).
    const uncached: Command = { ...statusJson, label: `${statusJson.label}, no cache of definitions (not a row)`, env: { XDG_CACHE_HOME: undefined, HOME: undefined } };
    const others = before ? [{ label: `${before} status -o json (not a row)`, script: timed(`${q(process.execPath)} ${q(before)} status -o json >/dev/null`) }] : [];
    // The floor of this row while status reads through them: the two client libraries loaded, nothing done.
    const load = ['@kubernetes/client-node', 'axios'].map((m) => `import(${JSON.stringify(import.meta.resolve(m))})`).join(', ');
    const clients: Command = { label: 'the floor: @kubernetes/client-node and axios imported, nothing else (not a row)', script: timed(`${q(process.execPath)} --input-type=module -e ${q(`await Promise.all([${load}]);`)}`) };
    for (const c of [statusJson, statusTable, uncached, clients, ...others]) {
      const row = c === statusJson || c === statusTable;
      await measure(c);
      await measure(baseline);
      const as: Sample[] = [];
      const bs: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        as.push(await measure(c));
        bs.push(await measure(baseline));
      }
      const cpuRatio = median(as.map((s, i) => s.cpu / bs[i]!.cpu));
      const wallRatio = median(as.map((s, i) => s.wall / bs[i]!.wall));
      const fig = (xs: readonly Sample[]) => `cpu ${median(xs.map((s) => s.cpu)).toFixed(3)} s, wall ${median(xs.map((s) => s.wall)).toFixed(3)} s`;
      const met = cpuRatio <= GOAL;
      if (row && !met) missed++;
      console.log(`${c.label} [${fig(as)}] vs ${baseline.label} [${fig(bs)}]: cpu x${cpuRatio.toFixed(2)}, wall x${wallRatio.toFixed(2)}${row ? `; goal <= ${GOAL}x: ${met ? 'ok' : 'MISSED'}` : ''}`);
    }
  }
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
if (missed) {
  console.log(`${missed} row(s) missed their goal`);
  process.exitCode = 1;
}
