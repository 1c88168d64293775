/**
 * Whole-process benchmarks of the commands that work on job definitions without a server (issue
 * 12), run on demand, not in `npm test`:
 *   npm run build && node dist/bench/one-job.js [runs]      (default 7; `npm run bench` runs every bench)
 * (npm run build: tsc, then the bundle the binary runs; after tsc alone, the binary runs the
 * compiled modules instead, and this bench refuses to measure them.)
 * Each run is a whole process: its wall time from here, its CPU time (user + system, from its
 * start) and peak resident memory as the operating system counts them, read as it exits
 * (bench/one-job/usage-report.ts, which the baseline loads too).
 *
 * Each row runs its command and its baseline in turn (A B A B ..., after one warm-up of each),
 * prints one line (the medians, the median of the pairwise ratios, the goal, ok or MISSED) and
 * the bench exits 1 when a row misses. The goals are judged on CPU time: on a shared machine wall
 * time also measures the neighbours (it is printed beside).
 * 1. `validate <job>`, `render <job> --to k8s`, `next <job>` in the example project (this
 *    repository's jobs/ and migrate.yaml) against `node -e 0`: at most 3 times its CPU time and
 *    80 MiB; and none of them loads axios or @kubernetes/client-node (a module-loader hook lists
 *    the files they load; a chunk of the CLI's bundle, dist/bundle, counts as the modules its
 *    source map lists, so a client library bundled into a chunk they load would count too).
 *    Beside them, not a row: the same ratio for the libraries they need (yargs, yaml, luxon),
 *    loaded unbundled and doing nothing, the floor of this row without a bundle.
 * 2. `render` and `next` of one job in a folder of 10,000 against the same job in a folder of 10:
 *    the same (at most 1.1 times; at least 11 runs).
 * 3. `validate` of a folder of 10,000 against a bare loop that reads and parses the same files
 *    with `yaml` (bench/one-job/read-parse.ts): at most 1.5 times (5 runs: each takes seconds).
 * Figures are recorded in docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const MAIN = join(root, 'dist/src/cli/main.js');
const BUNDLE = join(root, 'dist/bundle');
const EXAMPLE_JOB = 'nightly-report';
const PROJECT = 'defaults:\n  image: registry.example.com/batch/runner:2026.11\n  namespace: default\n';
const CLIENT_LIBRARIES = ['/node_modules/axios/', '/node_modules/@kubernetes/client-node/'];

interface Command {
  readonly label: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
  readonly peakMiB: number;
}

interface Comparison {
  readonly a: Sample;
  readonly b: Sample;
  /** Medians of the pairwise ratios A/B. */
  readonly cpuRatio: number;
  readonly wallRatio: number;
}

const work = mkdtempSync(join(tmpdir(), 'bench-one-job-'));
const usageLog = join(work, 'usage.txt');
const usageReport = pathToFileURL(join(here, 'one-job/usage-report.js')).href;

/** One run of `node argv...`; a command that fails stops the bench. */
function measure(c: Command): Sample {
  writeFileSync(usageLog, '');
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', usageReport, ...c.argv], {
    cwd: c.cwd,
    env: { ...process.env, ...c.env, MIGRATE_BENCH_USAGE_LOG: usageLog },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${c.label} exited with ${r.status}: ${r.stderr.toString().slice(0, 2000)}`);
  const [micros, kib] = readFileSync(usageLog, 'utf8').trim().split(' ').map(Number);
  return { wall, cpu: micros! / 1e6, peakMiB: kib! / 1024 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function compare(a: Command, b: Command, runs: number): Comparison {
  measure(a);
  measure(b);
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(measure(a));
    bs.push(measure(b));
  }
  const mid = (samples: readonly Sample[]): Sample => ({ wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), peakMiB: median(samples.map((s) => s.peakMiB)) });
  return {
    a: mid(as),
    b: mid(bs),
    cpuRatio: median(as.map((s, i) => s.cpu / bs[i]!.cpu)),
    wallRatio: median(as.map((s, i) => s.wall / bs[i]!.wall)),
  };
}

let missed = 0;

function row(a: Command, b: Command, c: Comparison, goal: string, met: boolean): void {
  if (!met) missed++;
  const fig = (s: Sample) => `cpu ${s.cpu.toFixed(3)} s, wall ${s.wall.toFixed(3)} s, ${s.peakMiB.toFixed(1)} MiB`;
  console.log(
    `${a.label} [${fig(c.a)}] vs ${b.label} [${fig(c.b)}]: cpu x${c.cpuRatio.toFixed(2)}, wall x${c.wallRatio.toFixed(2)}; goal ${goal}: ${met ? 'ok' : 'MISSED'}`,
  );
}

/** A project of `n` jobs (half on each backend; hourly, two-hourly, daily and quarter-hourly schedules). */
function project(n: number): string {
  const dir = join(work, `jobs-${n}`);
  mkdirSync(join(dir, 'jobs'), { recursive: true });
  writeFileSync(join(dir, 'migrate.yaml'), PROJECT);
  for (let i = 0; i < n; i++) {
    const name = `job-${String(i).padStart(5, '0')}`;
    const backend = i % 2 === 0 ? 'chronos' : 'kubernetes';
    const schedule = [`${i % 60} */2 * * *`, `${i % 60} ${i % 24} * * *`, '*/15 * * * *', `${i % 60} * * * *`][i % 4];
    writeFileSync(
      join(dir, 'jobs', `${name}.yaml`),
      `name: ${name}\nbackend: ${backend}\nschedule: "${schedule}"\ncommand: [/usr/local/bin/task, --id, "${i}"]\nenv: {RAILS_ENV: production}\nresources:\n  requests: {cpu: 0.25, memory: 256Mi}\nowner: team-${i % 13}@example.com\n`,
    );
  }
  return dir;
}

/** The modules a command loads, by a module-loader hook registered before it starts. */
function modulesLoaded(c: Command): string[] {
  const log = join(work, 'modules.txt');
  writeFileSync(log, '');
  const hooks = pathToFileURL(join(here, 'one-job/module-log.js')).href;
  const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  const r = spawnSync(process.execPath, ['--import', register, ...c.argv], { cwd: c.cwd, env: { ...process.env, MIGRATE_BENCH_MODULE_LOG: log }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${c.label} exited with ${r.status} under the module-loader hook`);
  return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
}

/** The modules a loaded file holds: itself, or for a chunk of the bundle, the sources its source map lists. */
function modulesIn(url: string): string[] {
  const file = url.startsWith('file:') ? fileURLToPath(url) : undefined;
  if (!file?.startsWith(`${BUNDLE}/`) || !existsSync(`${file}.map`)) return [url];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: readonly string[] };
  return map.sources.map((source) => pathToFileURL(resolve(dirname(file), source)).href);
}

const bundled = statSync(join(BUNDLE, 'migrate.js'), { throwIfNoEntry: false });
if (!bundled || bundled.mtimeMs < statSync(MAIN).mtimeMs) {
  throw new Error('dist/bundle is missing or older than dist/src (tsc ran after it): build with npm run build');
}
const runs = Number(process.argv[2] ?? 7);
if (!Number.isInteger(runs) || runs < 5) throw new Error('usage: node dist/bench/one-job.js [runs, at least 5]');
const node: Command = { label: 'node -e 0', argv: ['-e', '0'], cwd: root };
const cli = (label: string, cwd: string, ...argv: string[]): Command => ({ label, argv: [MAIN, ...argv], cwd });

try {
  console.log(`one-job commands, whole processes, medians of ${runs} runs each (Node ${process.version})`);
  const oneJob = [
    cli(`validate ${EXAMPLE_JOB}`, root, 'validate', EXAMPLE_JOB),
    cli(`render ${EXAMPLE_JOB} --to k8s`, root, 'render', EXAMPLE_JOB, '--to', 'k8s'),
    cli(`next ${EXAMPLE_JOB}`, root, 'next', EXAMPLE_JOB),
  ];
  for (const c of oneJob) {
    const r = compare(c, node, runs);
    row(c, node, r, '<= 3x node -e 0 and <= 80 MiB', r.cpuRatio <= 3 && r.a.peakMiB <= 80);
  }
  // Not a row: what the libraries these commands need cost by themselves, loaded as they are.
  const libraries: Command = {
    label: 'the floor: yargs, yaml and luxon imported, one yargs command parsed',
    argv: ['--input-type=module', '-e', "const [{ default: yargs }] = await Promise.all([import('yargs'), import('yaml'), import('luxon')]); await yargs(['x']).command('x', 'x', () => {}, () => {}).parseAsync();"],
    cwd: root,
  };
  const floor = compare(libraries, node, runs);
  console.log(`${libraries.label} [cpu ${floor.a.cpu.toFixed(3)} s, ${floor.a.peakMiB.toFixed(1)} MiB]: cpu x${floor.cpuRatio.toFixed(2)} node -e 0, wall x${floor.wallRatio.toFixed(2)} (no goal)`);
  for (const c of oneJob) {
    const files = modulesLoaded(c);
    const chunks = files.filter((url) => url.startsWith(pathToFileURL(BUNDLE).href));
    const clients = files.flatMap(modulesIn).filter((url) => CLIENT_LIBRARIES.some((lib) => url.includes(lib)));
    const libraries = CLIENT_LIBRARIES.filter((lib) => clients.some((url) => url.includes(lib))).map((lib) => lib.split('/node_modules/')[1]!.replace(/\/$/, ''));
    if (libraries.length) missed++;
    console.log(
      `${c.label}: client library modules loaded: ${clients.length}${libraries.length ? ` (${libraries.join(', ')})` : ''}; goal none: ${libraries.length ? 'MISSED' : 'ok'}` +
        ` (${files.filter((url) => url.startsWith('file:')).length} files loaded, ${chunks.length} of them the bundle's)`,
    );
  }

  const small = project(10);
  const large = project(10_000);
  const named = 'job-00005';
  for (const argv of [['render', named, '--to', 'k8s'], ['next', named]]) {
    const a = cli(`${argv.join(' ')} among 10,000 jobs`, large, ...argv);
    const b = cli('the same among 10', small, ...argv);
    // Two runs of the same work differ by some percent on a shared machine: more pairs steady the median.
    const r = compare(a, b, Math.max(runs, 11));
    row(a, b, r, '<= 1.1x (the same)', r.cpuRatio <= 1.1);
  }

  const validateAll = cli('validate of 10,000 job files', large, 'validate');
  const readParse: Command = { label: 'read + yaml parse of the same files', argv: [join(here, 'one-job/read-parse.js'), join(large, 'jobs')], cwd: large };
  const r = compare(validateAll, readParse, 5);
  row(validateAll, readParse, r, '<= 1.5x', r.cpuRatio <= 1.5);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (missed) {
  console.log(`${missed} row(s) missed their goal`);
  process.exitCode = 1;
}
