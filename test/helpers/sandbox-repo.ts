/**
 * A rehearsal bench for moves: the whole sandbox on a virtual clock (both stand-ins on 127.0.0.1
 * port 0), a throwaway jobs repository with `migrate.yaml` and chosen job files, the CLI run
 * in-process against both over real sockets, and a checker that reads the run ledger against the
 * job's schedule and says which slots were missed, doubled, run on the wrong system or late.
 *
 *   const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: 'name: tick\n...' } });
 *   await repo.advance(600);
 *   await repo.cli('move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox');
 *   const v = await repo.verdict('tick', { after, until, system: (slot) => (slot < handoff ? 'chronos' : 'kubernetes') });
 *   expect(v.problems).toEqual([]);
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChronosStandInOptions } from '../../backends/chronos/stand-in.js';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { parseJournal, type JournalRecord } from '../../src/core/journal.js';
import { cronTimesUntil, parseCron } from '../../src/core/schedule/cron.js';
import type { FaultRule } from '../../src/sandbox/faults.js';
import type { LedgerEntry, SystemName } from '../../src/sandbox/ledger.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { CliResult } from './cli.js';

export const DEFAULT_PROJECT = 'defaults:\n  image: registry.example.com/app:1.2\n';

export interface SandboxRepoOptions {
  /** Where the virtual clock starts. */
  readonly start: Date | string;
  /** Job files to write: name -> YAML text (written as `jobs/<name>.yaml`). */
  readonly jobs?: Readonly<Record<string, string>>;
  /** `migrate.yaml`; default: a default image only. */
  readonly project?: string;
  /** Run `migrate apply --yes` to place every job on its declared backend (default true). */
  readonly apply?: boolean;
  /** The Chronos stand-in's settings (the 2.x prefix, credentials); `project` must name the same prefix. */
  readonly chronos?: ChronosStandInOptions;
}

export interface CliOptions {
  /** Answers the confirmation prompt (the CLI then sees a terminal); without it, no terminal. */
  readonly prompt?: (question: string) => Promise<string>;
  /** The operator's Ctrl-C, as the binary hands it to a command. */
  readonly interrupted?: AbortSignal;
  /** Sees each write to stderr as it happens (a test that acts at a moment the command reports). */
  readonly onStderr?: (text: string) => void;
}

export interface LedgerCheck {
  /**
   * The window: slots in (after, until]. `verdict` defaults `until` to 1 s before the sandbox's
   * now: a slot at the very instant has not started yet (the Kubernetes controller starts its Job
   * 100 ms after the slot).
   */
  readonly after: Date;
  readonly until?: Date;
  /** The job's cron schedule and zone (default Etc/UTC), as in its definition. */
  readonly schedule: string;
  readonly timezone?: string;
  /** Which system must have run a slot; omitted: any. */
  readonly system?: (slot: Date) => SystemName;
  /** A run must start within this many seconds of its slot (default 1200, the 20 min default). */
  readonly startWindowSeconds?: number;
}

export interface LedgerVerdict {
  /** Every slot the schedule has in the window (RFC 3339, UTC). */
  readonly slots: readonly string[];
  /** The runs of the job in the window, in ledger order. */
  readonly runs: readonly LedgerEntry[];
  readonly missed: readonly string[];
  readonly doubled: readonly string[];
  /** `<slot> ran on <system>, expected <system>`. */
  readonly wrongSystem: readonly string[];
  /** `<slot> started <n> s late on <system>`. */
  readonly late: readonly string[];
  /** Runs for an instant that is not a slot of the schedule, or for no slot at all. */
  readonly unscheduled: readonly string[];
  /** Every problem above as one readable line each; empty when the promise held. */
  readonly problems: readonly string[];
}

export interface SandboxRepo {
  readonly sandbox: Sandbox;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly chronosUrl: string;
  readonly kubernetesUrl: string;
  /** MIGRATE_CHRONOS_URL and KUBECONFIG for the CLI. */
  readonly env: Readonly<Record<string, string>>;
  /** The sandbox's virtual now. */
  now(): Date;
  /** Runs `migrate` in-process in the repository, its local clock the sandbox's clock. */
  cli(...argv: string[]): Promise<CliResult>;
  cliWith(argv: readonly string[], options: CliOptions): Promise<CliResult>;
  /** Moves the virtual clock forward over HTTP (every due slot fires in order); returns the new now. */
  advance(seconds: number): Promise<Date>;
  /** Advances to `at` (no-op if already past). */
  advanceTo(at: Date | string): Promise<Date>;
  /** Arms a fault (POST /_sandbox/faults); `times` defaults to 1. */
  fault(rule: Partial<FaultRule>): Promise<void>;
  clearFaults(): Promise<void>;
  /** The run ledger (GET /_sandbox/runs), optionally of one job. */
  runs(job?: string): Promise<LedgerEntry[]>;
  /** Reads the ledger and checks it against the schedule (see `checkLedger`). */
  verdict(job: string, check: LedgerCheck): Promise<LedgerVerdict>;
  writeJob(name: string, yaml: string): void;
  readJob(name: string): string;
  /** `.migrate/journal.jsonl`, parsed ([] when absent). */
  journal(): JournalRecord[];
  readonly journalFile: string;
  close(): Promise<void>;
}

/** Runs `migrate` in-process in `dir`, its output captured and its local clock `clock` (the sandbox's). */
export function cliIn(dir: string, env: Readonly<Record<string, string>>, clock: CliIO['clock']): (argv: readonly string[], opts: CliOptions) => Promise<CliResult> {
  return async (argv, opts) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (t) => void (stdout += t) },
      stderr: {
        write: (t) => {
          stderr += t;
          opts.onStderr?.(t);
        },
      },
      isTTY: opts.prompt !== undefined,
      env,
      cwd: dir,
      clock,
      ...(opts.prompt ? { prompt: opts.prompt } : {}),
      ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  };
}

export async function startSandboxRepo(options: SandboxRepoOptions): Promise<SandboxRepo> {
  const start = typeof options.start === 'string' ? new Date(options.start) : options.start;
  const sandbox = await startSandbox({ clock: 'virtual', start, ...(options.chronos ? { chronos: options.chronos } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'migrate-move-'));
  mkdirSync(join(dir, 'jobs'));
  writeFileSync(join(dir, 'migrate.yaml'), options.project ?? DEFAULT_PROJECT);
  const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
  const chronosUrl = sandbox.urls.chronos!;
  const kubernetesUrl = sandbox.urls.kubernetes!;
  const env = { MIGRATE_CHRONOS_URL: chronosUrl, KUBECONFIG: kubeconfig };
  const journalFile = join(dir, '.migrate', 'journal.jsonl');

  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(new URL(path, chronosUrl), {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  const cliWith = cliIn(dir, env, sandbox.ctx.clock);

  const repo: SandboxRepo = {
    sandbox,
    dir,
    kubeconfig,
    chronosUrl,
    kubernetesUrl,
    env,
    journalFile,
    now: () => sandbox.ctx.clock.now(),
    cli: (...argv) => cliWith(argv, {}),
    cliWith,
    async advance(seconds) {
      const body = (await control('POST', '/_sandbox/clock/advance', { seconds })) as { now: string };
      return new Date(body.now);
    },
    async advanceTo(at) {
      const ms = new Date(at).getTime() - sandbox.ctx.clock.now().getTime();
      return ms > 0 ? repo.advance(ms / 1000) : sandbox.ctx.clock.now();
    },
    async fault(rule) {
      await control('POST', '/_sandbox/faults', { times: 1, ...rule });
    },
    async clearFaults() {
      await control('DELETE', '/_sandbox/faults');
    },
    async runs(job) {
      const all = (await control('GET', '/_sandbox/runs')) as LedgerEntry[];
      return job === undefined ? all : all.filter((r) => r.job === job);
    },
    async verdict(job, check) {
      return checkLedger(await repo.runs(job), job, { ...check, until: check.until ?? new Date(sandbox.ctx.clock.now().getTime() - 1000) });
    },
    writeJob: (name, yaml) => writeFileSync(join(dir, 'jobs', `${name}.yaml`), yaml),
    readJob: (name) => readFileSync(join(dir, 'jobs', `${name}.yaml`), 'utf8'),
    journal: () => (existsSync(journalFile) ? parseJournal(readFileSync(journalFile, 'utf8')).records : []),
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  for (const [name, yaml] of Object.entries(options.jobs ?? {})) repo.writeJob(name, yaml);
  if (options.apply !== false && Object.keys(options.jobs ?? {}).length > 0) {
    const applied = await repo.cli('apply', '--yes');
    if (applied.code !== 0) {
      await repo.close();
      throw new Error(`migrate apply --yes failed (${applied.code}):\n${applied.stdout}${applied.stderr}`);
    }
  }
  return repo;
}

/**
 * The central promise, checked: every slot of `check.schedule` in (after, until] ran exactly once,
 * on the expected system, within the start window; and nothing ran for an instant that is no slot.
 * Runs are matched to slots by the ledger's `scheduledFor`; runs outside the window are ignored.
 */
export function checkLedger(entries: readonly LedgerEntry[], job: string, check: LedgerCheck & { readonly until: Date }): LedgerVerdict {
  const zone = check.timezone ?? 'Etc/UTC';
  const slots = cronTimesUntil(parseCron(check.schedule), zone, check.after, check.until).map((d) => d.toISOString());
  const slotSet = new Set(slots);
  const windowMs = (check.startWindowSeconds ?? 1200) * 1000;
  const after = check.after.getTime();
  const until = check.until.getTime();
  const runs = entries.filter((e) => {
    if (e.job !== job) return false;
    const t = Date.parse(e.scheduledFor ?? e.startedAt);
    return t > after && t <= until;
  });
  const bySlot = new Map<string, LedgerEntry[]>();
  const unscheduled: string[] = [];
  for (const r of runs) {
    if (r.scheduledFor === null || !slotSet.has(r.scheduledFor)) {
      unscheduled.push(`${r.system} ran ${job} at ${r.startedAt} for ${r.scheduledFor ?? 'no slot'}`);
      continue;
    }
    bySlot.set(r.scheduledFor, [...(bySlot.get(r.scheduledFor) ?? []), r]);
  }
  const missed = slots.filter((s) => !bySlot.has(s));
  const doubled = slots.filter((s) => (bySlot.get(s)?.length ?? 0) > 1);
  const wrongSystem: string[] = [];
  const late: string[] = [];
  for (const s of slots) {
    for (const r of bySlot.get(s) ?? []) {
      const expected = check.system?.(new Date(s));
      if (expected && r.system !== expected) wrongSystem.push(`${s} ran on ${r.system}, expected ${expected}`);
      const delay = Date.parse(r.startedAt) - Date.parse(s);
      if (delay < 0 || delay > windowMs) late.push(`${s} started ${Math.round(delay / 1000)} s ${delay < 0 ? 'early' : 'late'} on ${r.system}`);
    }
  }
  const problems = [
    ...missed.map((s) => `missed ${s}`),
    ...doubled.map((s) => `doubled ${s} (${bySlot.get(s)!.map((r) => `${r.system} at ${r.startedAt}`).join(', ')})`),
    ...wrongSystem,
    ...late,
    ...unscheduled,
  ];
  return { slots, runs, missed, doubled, wrongSystem, late, unscheduled, problems };
}

/** A job file in the canonical format; `extra` lines are appended as they are. */
export function jobYaml(name: string, backend: string, schedule: string, extra: { timezone?: string; lines?: string } = {}): string {
  return [
    `name: ${name}`,
    `backend: ${backend}`,
    `schedule: "${schedule}"`,
    `timezone: ${extra.timezone ?? 'Etc/UTC'}`,
    'command: [/bin/true]',
    ...(extra.lines ? [extra.lines.replace(/\n$/, '')] : []),
    '',
  ].join('\n');
}
