/**
 * `migrate demo`: a full rehearsal in one process. It starts the sandbox on a virtual clock,
 * copies the example jobs into a temporary repository, and runs the real commands against it
 * (apply, status, move, rollback), exactly as an operator would type them, then lets the run
 * ledger judge whether every slot ran exactly once. Nothing touches a real system.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import { parseJournal, type JournalRecord } from '../core/journal.js';
import { toRfc3339 } from '../core/time.js';
import type { LedgerEntry } from '../sandbox/ledger.js';
import { sandboxClientSetup, startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { judgeLedger, renderLedgerVerdict, type JobVerdict, type LedgerWindow } from './ledger-verdict.js';

export interface DemoOptions {
  /** The job to move and roll back. Default `cache-warmer` (every five minutes, on Chronos). */
  readonly job: string;
  /** Where the virtual clock starts. */
  readonly start: Date;
  /** How long each phase lets time pass, in seconds (default an hour). */
  readonly hourSeconds: number;
  /** Leave the temporary repository behind for inspection. */
  readonly keep: boolean;
  readonly color: boolean;
  /** Where `jobs/` and `migrate.yaml` are copied from (default: the ones shipped with migrate). */
  readonly examplesDir?: string;
}

export interface Output {
  write(text: string): void;
}

/** Where the demo narrates, and the environment it passes on (`NO_COLOR`). */
export interface DemoIO {
  readonly stdout: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The world one command of the rehearsal runs in: the repository, the sandbox, its clock. */
export interface CommandWorld {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
  /** The sandbox's virtual clock, as the command's local clock. */
  readonly clock: Clock;
}

/**
 * What the demo needs from the CLI, injected by `migrate demo` so that the demo depends on no
 * CLI module: a way to run one `migrate` command line, and to read the example jobs.
 */
export interface DemoHost {
  /** Runs `migrate <argv>` in `world`; resolves its exit code. */
  runCommand(argv: readonly string[], world: CommandWorld): Promise<number>;
  /** The job definitions of the project in `dir` (`jobs/` and `migrate.yaml`), without the backend lint. */
  loadJobs(dir: string): readonly JobDefinition[];
}

export interface DemoResult {
  readonly code: number;
  readonly verdicts: readonly JobVerdict[];
  /** The run ledger and the window it was judged over, for anyone who wants to judge again. */
  readonly runs: readonly LedgerEntry[];
  readonly window: LedgerWindow;
  /** The rehearsal repository's journal, read before it was removed. */
  readonly journal: readonly JournalRecord[];
}

/** The job the demo moves unless told otherwise: it can move either way. */
export const DEFAULT_JOB = 'cache-warmer';

/** 10 s before a five-minute slot: the first move has to wait for its handoff, which the demo shows. */
export const DEMO_START = new Date('2026-11-25T10:04:50Z');

export async function runDemo(io: DemoIO, options: DemoOptions, host: DemoHost): Promise<DemoResult> {
  const examples = options.examplesDir ?? findExamples();
  const out = (text = '') => io.stdout.write(`${text}\n`);
  const section = (title: string, ...why: string[]) => {
    out();
    out(`== ${title} ${'='.repeat(Math.max(3, 76 - title.length))}`);
    for (const line of why) out(line);
    out();
  };

  // The examples are read before anything is started or written; the move's own plan lints the job.
  const jobs = host.loadJobs(examples);
  const definition = jobs.find((j) => j.name === options.job);
  if (!definition) throw new UserError(`the examples have no job named "${options.job}"`, `Pick one of: ${jobs.map((j) => j.name).sort().join(', ')}`);
  const from = definition.backend;
  const to: BackendName = from === 'chronos' ? 'kubernetes' : 'chronos';
  const job = options.job;

  const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'migrate-demo-'));
  let sandbox: Sandbox | undefined;
  try {
    await fs.cp(path.join(examples, 'jobs'), path.join(repo, 'jobs'), { recursive: true });
    await fs.copyFile(path.join(examples, 'migrate.yaml'), path.join(repo, 'migrate.yaml'));
    sandbox = await startSandbox({ clock: 'virtual', start: options.start });
    const clock = sandbox.ctx.clock;
    const urls = { chronos: sandbox.urls.chronos!, kubernetes: sandbox.urls.kubernetes! };
    const clients = await sandboxClientSetup(urls, repo);

    // The commands see the sandbox as their whole world: its URLs, its kubeconfig, and its
    // virtual clock as "the local clock" (in a rehearsal they agree, so no skew warning).
    const env: Record<string, string | undefined> = { ...clients.env, NO_COLOR: io.env.NO_COLOR };
    // The command's errors go where the narration goes, in the order they happen.
    const world: CommandWorld = { cwd: repo, env, stdout: io.stdout, stderr: io.stdout, clock };

    let failed: string | undefined;
    const migrate = async (argv: readonly string[], shown: { condenseDiffs?: boolean } = {}): Promise<boolean> => {
      if (failed) return false;
      out(`$ migrate ${argv.join(' ')}`);
      const stdout = shown.condenseDiffs ? condenseDiffs(io.stdout) : undefined;
      const code = await host.runCommand([...argv, options.color ? '--color' : '--no-color'], stdout ? { ...world, stdout: stdout.output } : world);
      stdout?.flush();
      if (code !== 0) {
        failed = `\`migrate ${argv.join(' ')}\` exited ${code}`;
        out(`(exit ${code}: the demo stops changing things here)`);
      }
      return code === 0;
    };
    const passTime = (seconds: number, why: string) => {
      const before = clock.now();
      const seen = sandbox!.ctx.ledger.all().length;
      clock.advance(seconds);
      const runs = sandbox!.ctx.ledger.all().slice(seen);
      out(`Virtual time: ${toRfc3339(before)} -> ${toRfc3339(clock.now())}. ${why}`);
      out(`Runs started meanwhile: ${runs.length} in all; ${job}: ${summarizeRuns(runs.filter((r) => r.job === job))}.`);
      out();
    };

    out('migrate demo: a move and a rollback rehearsed on local stand-ins of Chronos and Kubernetes.');
    out('Nothing real is touched and the clock is virtual, so two hours pass in a few seconds.');

    section(
      '1. The sandbox',
      'Stand-ins of the Chronos API and the Kubernetes API, on 127.0.0.1, share one virtual clock and',
      'one run ledger: every run either system starts, with the slot it was for. The ledger is the',
      'referee at the end: every slot must run exactly once, on exactly one system.',
    );
    out(`  chronos     ${urls.chronos}`);
    out(`  kubernetes  ${urls.kubernetes}`);
    out(`  clock       ${toRfc3339(clock.now())} (virtual)`);
    out(`  repository  ${repo} (a copy of the example jobs/ and migrate.yaml)`);
    const placedAt = clock.now();

    section(
      '2. Place the jobs where their definitions say',
      '`apply` brings each job\'s declared backend (`backend:` in jobs/<name>.yaml) in line with its',
      'definition, after showing the diff. It never enables a job in the other system.',
    );
    await migrate(['apply', '--yes'], { condenseDiffs: true });

    section(
      '3. Where everything runs',
      '`status` reads both systems and gives every job one verdict: ok, drift, double (enabled in both:',
      'every slot runs twice), orphan (enabled in neither), or in-flight (a move that did not finish).',
    );
    await migrate(['status']);

    section(
      `4. Preview and move ${job} from ${from} to ${to}`,
      '`move` first prints its plan: what changes in both systems, what the translation drops, proof',
      'that both schedules fire at the same instants, and the handoff moment: after the last slot the',
      `source runs and before the first one the target runs. Then (--yes: no question asked) it locks`,
      'the job, waits for the handoff on the server\'s clock, disables the source, enables the target',
      'so that its first run is the next slot, verifies both, and flips the definition file.',
      '--advance-sandbox makes each wait move the virtual clock instead of sleeping.',
    );
    if (await migrate(['move', job, '--to', to, '--yes', '--advance-sandbox'])) {
      section('5. An hour passes', `The ${to} copy now runs every slot; ${from} keeps the disabled copy, untouched, for a rollback.`);
      passTime(options.hourSeconds, `${job} should have run on ${to} only.`);
      await migrate(['status', job]);

      section(
        `6. Roll ${job} back to ${from}`,
        '`rollback` undoes the last completed move recorded in the journal (.migrate/journal.jsonl, in the',
        'repository, so anyone with a clone can do it), through the same protocol in the other direction.',
      );
      await migrate(['rollback', job, '--yes', '--advance-sandbox']);

      section(
        '7. The journal',
        `Both operations are in .migrate/journal.jsonl (${'`'}docs/journal.md${'`'}): who, when, from where to where, the`,
        'handoff, and what both systems held before. `history` lists them, newest first.',
      );
      await migrate(['history', job]);

      section('8. Another hour passes', `${job} is back on ${from}; ${to} keeps a suspended copy.`);
      passTime(options.hourSeconds, `${job} should have run on ${from} only.`);
      await migrate(['status']);
    } else {
      section(
        `5. ${job} did not move`,
        `The move stopped before changing anything (its output above says why): ${job} still runs on ${from}.`,
        `There is nothing to roll back, so the demo skips that. An hour passes, so that the ledger has slots to judge.`,
      );
      passTime(options.hourSeconds, `${job} should have run on ${from} only.`);
    }

    const until = clock.now();
    section(
      "9. The run ledger's verdict",
      `Every slot each job's schedule owed from ${toRfc3339(placedAt)} to ${toRfc3339(until)}, against the runs`,
      'each system started for it. A missed or doubled slot is exactly what a cutover must never cause.',
    );
    const verdicts = judgeLedger(
      sandbox.ctx.ledger.all(),
      jobs.map((j) => ({ name: j.name, schedule: j.schedule, timezone: j.timezone, startingDeadlineSeconds: j.startingDeadlineSeconds })).sort((a, b) => a.name.localeCompare(b.name)),
      { from: placedAt, until },
    );
    io.stdout.write(renderLedgerVerdict(verdicts));
    const idle = verdicts.filter((v) => v.slots === 0).map((v) => v.job);
    if (idle.length) out(`(${idle.join(', ')}: no slot came due in this window; daily, weekly and monthly jobs wait for their day.)`);

    section(
      '10. The objectives, as the systems themselves tell them',
      '`slo` judges the same window from what each system keeps (the CronJobs\' Jobs and Pods, Chronos\'',
      'task history) and the journal (which system owed each slot), as it would on the real systems, where',
      'there is no ledger: its missed, doubled and late slots must be the ledger\'s. Slots older than the',
      'runs a system keeps (a CronJob keeps its last 3 Jobs, Chronos its last 5 tasks) are unverified.',
    );
    const windowSeconds = Math.round((until.getTime() - placedAt.getTime()) / 1000);
    await migrate(['slo', '--since', `${windowSeconds}s`]);
    const journal = parseJournal(await fs.readFile(path.join(repo, '.migrate', 'journal.jsonl'), 'utf8').catch(() => '')).records;

    const broken = verdicts.some((v) => !v.ok);
    section('Done');
    if (failed) out(`The demo FAILED: ${failed}.${options.job === DEFAULT_JOB ? '' : ` \`migrate demo\` alone rehearses ${DEFAULT_JOB}, which can move.`}`);
    if (broken) out('The demo FAILED: the ledger shows a missed, doubled or late slot.');
    if (!failed && !broken) {
      out('Next: read README.md for the tour, docs/runbook.md for incidents, and try it yourself with');
      out('`migrate sandbox --clock virtual` in one shell and the same commands in another.');
    }
    return { code: failed || broken ? 1 : 0, verdicts, runs: sandbox.ctx.ledger.all(), window: { from: placedAt, until }, journal };
  } finally {
    await sandbox?.close();
    if (options.keep) io.stdout.write(`Kept the rehearsal repository: ${repo}\n`);
    else await fs.rm(repo, { recursive: true, force: true });
  }
}

function summarizeRuns(runs: readonly LedgerEntry[]): string {
  const by = (system: string) => runs.filter((r) => r.system === system).length;
  return `${by('chronos')} on chronos, ${by('kubernetes')} on kubernetes`;
}

/** The examples shipped with migrate: the nearest folder above this module with jobs/ and migrate.yaml. */
export function findExamples(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'jobs')) && existsSync(path.join(dir, 'migrate.yaml')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new UserError('cannot find the example jobs shipped with migrate', 'Run the demo from a checkout or an install of migrate, which ship jobs/ and migrate.yaml.');
  }
}

/**
 * `apply` on an empty sandbox prints every manifest in full (hundreds of lines); the demo keeps
 * its verdict lines and says how much diff it left out (`migrate diff` shows it all).
 */
function condenseDiffs(target: Output): { output: Output; flush(): void } {
  let pending = '';
  let skipped = 0;
  const emit = (line: string) => {
    if (line.startsWith('--- ') || line.startsWith('+++ ') || line.startsWith('@@ ') || (skipped > 0 && /^[-+ ]/.test(line) && !/^[+~=!] \S+\/\S+: /.test(line))) {
      skipped++;
      return;
    }
    if (skipped) target.write(`  (${skipped} lines of diff left out: every object is new, so each one is its whole manifest)\n`);
    skipped = 0;
    target.write(`${line}\n`);
  };
  return {
    output: {
      write(text) {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        lines.forEach(emit);
      },
    },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}
