/**
 * The fault bench: one job on an in-process sandbox (virtual clock), a throwaway jobs repository,
 * and `migrate` run in-process against it in two roles:
 *
 * - the process under test (`operate`): `move`, `rollback` or `resume`, through the same actions
 *   the CLI runs, with short client timeouts (so a held request outlives its client) and its own
 *   relays to both servers, so it can be killed at any API call: its connections are cut, and
 *   whatever of its code still runs can neither reach a server, nor journal, nor wait;
 * - the operator afterwards (`recover`), doing what docs/runbook.md says: `status`, then `resume`
 *   (or `rollback`) while it says in-flight, as the CLI's handlers run them, default timeouts.
 *
 * A fault is aimed at one API call of the operation, by its index in the request log of a clean
 * run of the same operation from the same state (`recordCalls`, `armAt`). `judge` then reads the
 * run ledger with the demo's check (`judgeLedger`) and the final `status`. Shared by the fault-point
 * suite (test/move/fault-points*.test.ts) and the soak (bench/soak.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ALL_BACKENDS } from '../../backends/index.js';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import type { ActionConfig } from '../../src/actions/config.js';
import type { MoveTarget } from '../../src/actions/move-setup.js';
import { applyMoves, planMoves } from '../../src/actions/moves.js';
import { finishUnfinished } from '../../src/actions/resume.js';
import { decideRollback } from '../../src/actions/rollback.js';
import { actionConfig, report } from '../../src/cli/action-config.js';
import { finishInteractively } from '../../src/cli/commands/resume.js';
import { readStatus } from '../../src/cli/commands/status.js';
import { openConnections } from '../../src/cli/connections.js';
import type { GlobalArgs } from '../../src/cli/global-args.js';
import type { CliIO } from '../../src/cli/io.js';
import { runMoves } from '../../src/cli/move-runner.js';
import { run } from '../../src/cli/run.js';
import { loadWorkspace, type Workspace } from '../../src/cli/workspace.js';
import { UserError } from '../../src/core/errors.js';
import { renderStatusJson } from '../../src/core/status.js';
import { parseJournal, unfinishedMoves, type JournalRecord, type MoveHistory } from '../../src/core/journal.js';
import { judgeLedger, type JobVerdict } from '../../src/demo/ledger-verdict.js';
import type { FaultRule, HeldRequest } from '../../src/sandbox/faults.js';
import type { LedgerEntry, SystemName } from '../../src/sandbox/ledger.js';
import type { LoggedRequest } from '../../src/sandbox/requests.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startRelay } from './relay.js';

export const other = (s: string): SystemName => (s === 'chronos' ? 'kubernetes' : 'chronos');

export type Command = 'move' | 'rollback' | 'resume';

/**
 * What is done to one API call: refused with a 5xx before anything is applied (`fail`); applied
 * with its answer lost (`drop-answer`); held until `holdSeconds` of virtual time after it arrived,
 * landing after its client timed out (`hold`); the process killed just before it (`kill`: the call
 * never lands); or killed while it is in flight, the server applying it later (`kill-lands`).
 */
export type FaultKind = 'fail' | 'drop-answer' | 'hold' | 'kill' | 'kill-lands';
export const FAULT_KINDS: readonly FaultKind[] = ['fail', 'drop-answer', 'hold', 'kill', 'kill-lands'];

export interface CallFault {
  readonly kind: FaultKind;
  /** Index of the call in the clean run's request log. */
  readonly index: number;
  /** `fail`: the status (default 500). */
  readonly status?: number;
  /** `hold`, `kill-lands`: how long after it arrived the call lands (virtual seconds; default 30, inside the 33 s a write may land late with 1 s timeouts). */
  readonly holdSeconds?: number;
}

export interface BenchOptions {
  readonly schedule: string;
  readonly timezone?: string;
  /** Where the virtual clock starts; the job is applied there. */
  readonly start: Date;
  /** The job's declared backend at the start. */
  readonly on: SystemName;
  readonly name?: string;
  /** The process under test's per-request timeout (real milliseconds). */
  readonly requestTimeoutMs?: number;
  /** Extra lines of the job definition. */
  readonly lines?: string;
}

export interface ProcessResult {
  /** `killed`: stopped at the aimed call; its output is what it printed up to there. */
  readonly outcome: 'exited' | 'killed';
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StatusRow {
  readonly name: string;
  readonly declared: SystemName;
  readonly verdict: string;
  readonly reason?: string;
  readonly chronos: { readonly present?: boolean | null; readonly enabled?: boolean | null };
  readonly kubernetes: { readonly present?: boolean | null; readonly enabled?: boolean | null };
}

export interface Recovery {
  /** The first `status` the operator ran. */
  readonly first: StatusRow;
  /** Every command run after it, with its output. */
  readonly commands: readonly { readonly argv: readonly string[]; readonly code: number; readonly stdout: string; readonly stderr: string }[];
  /** `status` once done. */
  readonly last: StatusRow;
}

export interface BenchState {
  readonly now: string;
  readonly ledger: readonly LedgerEntry[];
  readonly standIns: Readonly<Partial<Record<SystemName, unknown>>>;
  readonly job: string;
  readonly journal?: string;
}

export interface Judgement {
  readonly verdict: JobVerdict;
  /** Slots the output named as lost (RFC 3339). */
  readonly namedLost: readonly string[];
  /** Every broken promise, one line each; empty when the job ran exactly once per slot and ends `ok`. */
  readonly problems: readonly string[];
  /** Where the job runs at the end (the declared and only enabled system), if it ended ok. */
  readonly endsOn?: SystemName;
}

const PROJECT = 'defaults:\n  image: registry.example.com/app:1.2\n';
const ARGS: GlobalArgs = { 'jobs-dir': 'jobs', config: 'migrate.yaml', color: false, yes: true, debug: false };
const never = new Promise<never>(() => undefined);
/** A lock holder whose process has exited: what a killed or finished `migrate` leaves behind, so the operator's commands take its lock over. */
const DEAD_HOLDER = `${os.userInfo().username}@${os.hostname()} pid ${spawnSync('true').pid}`;
/** Faster to fsync than a disk, where there is one. */
const TMP = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** A kubeconfig for `server` in `dir` (as writeSandboxKubeconfig writes it, without its dynamic imports: see `operator`). */
function writeKubeconfig(dir: string, server: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, sandboxKubeconfig({ server }), { mode: 0o600 });
  return file;
}

export function jobYaml(name: string, backend: SystemName, schedule: string, timezone = 'Etc/UTC', lines = ''): string {
  return [`name: ${name}`, `backend: ${backend}`, `schedule: "${schedule}"`, `timezone: ${timezone}`, 'command: [/bin/true]', ...(lines ? [lines.replace(/\n$/, '')] : []), ''].join('\n');
}

export class FaultBench {
  readonly name: string;
  private constructor(
    readonly sandbox: Sandbox,
    readonly dir: string,
    readonly options: BenchOptions,
    private readonly env: Readonly<Record<string, string>>,
  ) {
    this.name = options.name ?? 'job';
  }

  /** A fresh sandbox at `options.start` with the job applied on `options.on`. */
  static async start(options: BenchOptions): Promise<FaultBench> {
    const bench = await FaultBench.open(options, options.start);
    try {
      writeFileSync(bench.jobFile, jobYaml(bench.name, options.on, options.schedule, options.timezone, options.lines));
      const applied = await bench.cli('apply', '--yes');
      if (applied.code !== 0) throw new Error(`migrate apply --yes failed (${applied.code}):\n${applied.stdout}${applied.stderr}`);
      return bench;
    } catch (err) {
      await bench.close();
      throw err;
    }
  }

  /** A fresh sandbox and repository in the state `save` took (requests still held then are not carried over). */
  static async restore(state: BenchState, options: BenchOptions): Promise<FaultBench> {
    const bench = await FaultBench.open(options, new Date(state.now));
    const { sandbox } = bench;
    for (const [system, snapshot] of Object.entries(state.standIns)) sandbox.standIns[system as SystemName]!.restore(structuredClone(snapshot));
    sandbox.ctx.ledger.load(state.ledger);
    writeFileSync(bench.jobFile, state.job);
    if (state.journal !== undefined) {
      mkdirSync(join(bench.dir, '.migrate'));
      writeFileSync(join(bench.dir, '.migrate', 'journal.jsonl'), state.journal);
    }
    return bench;
  }

  private static async open(options: BenchOptions, start: Date): Promise<FaultBench> {
    const sandbox = await startSandbox({ clock: 'virtual', start });
    const dir = mkdtempSync(join(TMP, 'migrate-faults-'));
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'migrate.yaml'), PROJECT);
    const kubeconfig = writeKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
    return new FaultBench(sandbox, dir, options, { MIGRATE_CHRONOS_URL: sandbox.urls.chronos!, KUBECONFIG: kubeconfig });
  }

  /** Both systems, the ledger, the clock, the journal and the definition, to start cases from. */
  save(): BenchState {
    const journal = join(this.dir, '.migrate', 'journal.jsonl');
    return {
      now: this.now().toISOString(),
      ledger: [...this.sandbox.ctx.ledger.all()],
      standIns: Object.fromEntries(Object.entries(this.sandbox.standIns).map(([system, s]) => [system, structuredClone(s!.snapshot())])),
      job: readFileSync(this.jobFile, 'utf8'),
      ...(existsSync(journal) ? { journal: readFileSync(journal, 'utf8') } : {}),
    };
  }

  get jobFile(): string {
    return join(this.dir, 'jobs', `${this.name}.yaml`);
  }

  now(): Date {
    return this.sandbox.ctx.clock.now();
  }

  advance(seconds: number): void {
    this.sandbox.ctx.clock.advance(seconds);
  }

  advanceTo(at: Date): void {
    const ms = at.getTime() - this.now().getTime();
    if (ms > 0) this.advance(ms / 1000);
  }

  journal(): JournalRecord[] {
    const file = join(this.dir, '.migrate', 'journal.jsonl');
    return existsSync(file) ? parseJournal(readFileSync(file, 'utf8')).records : [];
  }

  /** The real CLI, as the operator runs it (default timeouts, the sandbox's URLs). */
  async cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (t) => void (stdout += t) },
      stderr: { write: (t) => void (stderr += t) },
      isTTY: false,
      env: this.env,
      cwd: this.dir,
      clock: this.sandbox.ctx.clock,
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  }

  /**
   * `migrate resume|rollback <job> --yes --advance-sandbox` as their handlers run them
   * (src/cli/commands/resume.ts, rollback.ts), with the operator's default timeouts. Not through
   * `run`: it imports the command's module when asked, and an import while jest is between two
   * tests throws (the suite's cases run concurrently, so one is always running then).
   */
  async operator(command: 'resume' | 'rollback'): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: { write: (t) => void (stdout += t) }, stderr: { write: (t) => void (stderr += t) }, isTTY: false, env: this.env, cwd: this.dir, clock: this.sandbox.ctx.clock };
    const commandLine = `migrate ${command} ${this.name} --advance-sandbox`;
    const code = await (async () => {
      const ws = loadWorkspace(io, ARGS, [], { backendLint: false });
      const definition = ws.definitions.find((d) => d.job.name === this.name);
      if (!definition) throw new UserError(`no job named "${this.name}"`);
      const config = actionConfig(io, ARGS, ws, { advanceSandbox: true });
      if (command === 'resume') {
        const move = unfinishedMoves(config.journal.read()).get(this.name);
        if (move) return finishInteractively(io, ARGS, config, definition, move, 'forward', commandLine);
        io.stdout.write(`Nothing to resume: the journal has no unfinished move of ${this.name}.\n`);
        return 0;
      }
      const decision = await decideRollback(config, definition, false);
      if (decision.kind === 'unfinished') return finishInteractively(io, ARGS, config, definition, decision.move, decision.direction, commandLine);
      if (decision.kind === 'move') return runMoves(io, ARGS, ws, [decision.target], { dryRun: false, concurrency: 1, advanceSandbox: true, commandLine });
      io.stdout.write(`Nothing to roll back: the last move of ${this.name} was already rolled back by ${decision.by.id}\n`);
      return 0;
    })().catch((err: unknown) => {
      io.stderr.write(`error: ${err instanceof UserError ? `${err.summary}${err.detail ? `\n${err.detail}` : ''}` : err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    });
    return { code, stdout, stderr };
  }

  /** `migrate status <job> -o json`, as its handler computes it (without the argument parsing, which costs more than the rest). */
  async status(): Promise<StatusRow> {
    const io: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: this.env, cwd: this.dir, clock: this.sandbox.ctx.clock };
    const report = await readStatus(io, { ...ARGS, yes: false, output: 'json' }, [this.name]);
    return (JSON.parse(renderStatusJson(report, ALL_BACKENDS)) as StatusRow[])[0]!;
  }

  /**
   * Runs `command` as the process under test. With `killAt` (a rule that holds a request), the
   * process dies the moment that rule holds a request: it is stopped before that call returns.
   */
  async operate(command: Command, killAt?: string): Promise<ProcessResult> {
    // Only a process that may be killed talks through relays (they cost a hop per call).
    const relays = killAt === undefined ? [] : await Promise.all([startRelay(this.sandbox.urls.chronos!), startRelay(this.sandbox.urls.kubernetes!)]);
    let dead = false;
    let stdout = '';
    let stderr = '';
    let died: (killed: 'killed') => void = () => undefined;
    const killed = new Promise<'killed'>((resolve) => (died = resolve));
    // At once, inside the server's handling of the aimed call: the process never sees it return.
    const unsubscribe =
      killAt === undefined
        ? () => undefined
        : this.sandbox.ctx.faults.onHeld((h: HeldRequest) => {
            if (h.fault !== killAt || dead) return;
            dead = true;
            for (const r of relays) r.cut();
            died('killed');
          });
    try {
      const [chronosRelay, kubernetesRelay] = relays;
      const env = chronosRelay && kubernetesRelay ? { MIGRATE_CHRONOS_URL: chronosRelay.url, KUBECONFIG: writeKubeconfig(join(this.dir, 'kube-process'), kubernetesRelay.url) } : this.env;
      const io: CliIO = {
        stdout: { write: (t) => void (dead || (stdout += t)) },
        stderr: { write: (t) => void (dead || (stderr += t)) },
        isTTY: false,
        env,
        cwd: this.dir,
        clock: this.sandbox.ctx.clock,
      };
      const ws = loadWorkspace(io, ARGS);
      // Retries of a timed-out or failed call go at once: the sandbox's time moves only by the process's own waits.
      const connections = openConnections(io, ARGS, ws.project, { timeoutMs: this.options.requestTimeoutMs ?? 1000, sleep: () => (dead ? never : Promise.resolve()) });
      const base = actionConfig(io, ARGS, ws, { advanceSandbox: true, connections, report: (job, e) => report(io, job, e) });
      // A dead process writes nothing more: no journal record, no definition, no wait.
      const config: ActionConfig = {
        ...base,
        holder: DEAD_HOLDER,
        journal: { read: () => base.journal.read(), append: (r, o) => (dead ? never : base.journal.append(r, o)), flush: () => (dead ? never : base.journal.flush()) },
        wait: (ms) => (dead ? never : base.wait(ms)),
        definitions: {
          text: (f) => base.definitions.text(f),
          flip: (f, to) => (dead ? never : base.definitions.flip(f, to)),
          restoreBefore: (f, before) => {
            if (dead) throw new Error('killed');
            return base.definitions.restoreBefore(f, before);
          },
        },
      };
      const out = (t: string) => io.stdout.write(t);
      const finished = this.command(command, ws, config, out).then(
        (code) => code,
        (err: unknown) => {
          out(`error: ${err instanceof UserError ? `${err.summary}${err.detail ? `\n${err.detail}` : ''}` : err instanceof Error ? err.message : String(err)}\n`);
          return 1;
        },
      );
      const result = await Promise.race([killed, finished]);
      return result === 'killed' ? { outcome: 'killed', code: 137, stdout, stderr } : { outcome: 'exited', code: result, stdout, stderr };
    } finally {
      unsubscribe();
      // A killed process's relays stay cut; a finished one's close.
      if (!dead) await Promise.all(relays.map((r) => r.close()));
    }
  }

  /** `move`, `rollback` and `resume` as the CLI commands run them (src/cli/commands/*), without the plan's rendering. */
  private async command(command: Command, ws: Workspace, config: ActionConfig, out: (t: string) => void): Promise<number> {
    const definition = ws.definitions.find((d) => d.job.name === this.name);
    if (!definition) throw new Error(`no definition of ${this.name}`);
    const moves = async (target: MoveTarget): Promise<number> => {
      const planned = await planMoves(config, [target], 1);
      const refusal = planned[0]!.planned.plan.refusal;
      if (refusal) {
        out(`refused: ${refusal}\n`);
        return 1;
      }
      const [o] = await applyMoves(config, planned, { concurrency: 1, commandLine: `migrate ${command} ${this.name}` });
      out(`${o!.ok ? 'done' : 'FAILED'}: ${o!.message}\n`);
      return o!.ok ? 0 : 1;
    };
    const finish = async (move: MoveHistory, direction: 'forward' | 'back'): Promise<number> => {
      const result = await finishUnfinished(config, definition, move, direction, () => out('The move had changed nothing yet: it runs again with a fresh handoff.\n'));
      out(`${result.ok ? 'done' : 'FAILED'}: ${result.message}\n`);
      return result.ok ? 0 : 1;
    };
    if (command === 'move') return moves({ definition, from: definition.job.backend, to: other(definition.job.backend), operation: 'move' });
    if (command === 'resume') {
      const move = unfinishedMoves(config.journal.read()).get(this.name);
      if (move) return finish(move, 'forward');
      out(`Nothing to resume: the journal has no unfinished move of ${this.name}.\n`);
      return 0;
    }
    const decision = await decideRollback(config, definition, false);
    if (decision.kind === 'unfinished') return finish(decision.move, decision.direction);
    if (decision.kind === 'move') return moves(decision.target);
    out(`Nothing to roll back: already rolled back by ${decision.by.id}\n`);
    return 0;
  }

  /**
   * Arms `rule` (a `hold` with `release: 'manual'`) so that each request it holds lands
   * `seconds` of virtual time after it arrived (or as many as `seconds(heldAt)` says), whoever
   * moves the clock there: a hold whose instant is not known in advance (a rule that takes "the
   * third call", whenever it comes).
   */
  holdFor(rule: Partial<FaultRule> & { readonly times: number }, seconds: number | ((heldAt: Date) => number)): string {
    const id = this.sandbox.ctx.faults.add({ ...rule, mode: 'hold', release: 'manual' }).id;
    this.landings ??= this.startLandings();
    this.landings.set(id, typeof seconds === 'number' ? () => seconds : seconds);
    return id;
  }

  private landings: Map<string, (heldAt: Date) => number> | undefined;

  private startLandings(): Map<string, (heldAt: Date) => number> {
    const after = new Map<string, (heldAt: Date) => number>();
    const due: { id: string; at: number }[] = [];
    const faults = this.sandbox.ctx.faults;
    faults.onHeld((h) => {
      const seconds = after.get(h.fault)?.(new Date(h.heldAt));
      if (seconds !== undefined) due.push({ id: h.id, at: Date.parse(h.heldAt) + seconds * 1000 });
    });
    this.sandbox.ctx.clock.register({
      nextDueAt: () => (due.length ? new Date(Math.min(...due.map((d) => d.at))) : undefined),
      fireDue: (now) => {
        for (const d of due.filter((x) => x.at <= now.getTime()).sort((a, b) => a.at - b.at)) {
          due.splice(due.indexOf(d), 1);
          // A request the sandbox already let go (cut off at close) is not there to land.
          if (faults.report().held.some((h) => h.id === d.id && h.state === 'held')) faults.release(d.id);
        }
      },
    });
    return after;
  }

  /** The API calls `command` makes from the current state, run cleanly (the request log); the state moves on as that run left it. */
  async recordCalls(command: Command): Promise<{ calls: readonly LoggedRequest[]; result: ProcessResult }> {
    this.sandbox.ctx.requests.clear();
    const result = await this.operate(command);
    return { calls: [...this.sandbox.ctx.requests.all()], result };
  }

  /**
   * Arms `fault` at call `fault.index` of `calls` (the clean run's log from this same state): a rule
   * that matches that call's system, method and exact path, after letting the earlier calls like it
   * through. Returns the rule's id.
   */
  armAt(calls: readonly LoggedRequest[], fault: CallFault): string {
    const call = calls[fault.index];
    if (!call) throw new Error(`no call ${fault.index} (the operation made ${calls.length})`);
    const match = { system: call.system, method: `^${call.method}$`, path: `^${escapeRegExp(call.path)}$`, skip: occurrence(calls, fault.index), times: 1 };
    const lands = new Date(Date.parse(call.at) + (fault.holdSeconds ?? 30) * 1000).toISOString();
    const rule: Partial<FaultRule> & { times: number } = (() => {
      switch (fault.kind) {
        case 'fail':
          return { ...match, status: fault.status ?? 500 };
        case 'drop-answer':
          return { ...match, mode: 'drop-answer' as const };
        case 'hold':
        case 'kill-lands':
          return { ...match, mode: 'hold' as const, until: lands };
        case 'kill':
          // Never released: the sandbox's close cuts it off, unapplied.
          return { ...match, mode: 'hold' as const, release: 'manual' as const };
      }
    })();
    return this.sandbox.ctx.faults.add(rule).id;
  }

  /**
   * One fault-point case from the current state: the operation with `fault` aimed at call
   * `fault.index` of `calls`, then the operator's recovery. Returns what the process printed,
   * whether the aimed call was the one the rule took, and the recovery.
   */
  async faultedRun(command: Command, calls: readonly LoggedRequest[], fault: CallFault, recovery: 'resume' | 'rollback' = 'resume'): Promise<FaultedRun> {
    this.sandbox.ctx.requests.clear();
    this.sandbox.ctx.faults.clear();
    const id = this.armAt(calls, fault);
    const kills = fault.kind === 'kill' || fault.kind === 'kill-lands';
    const result = await this.operate(command, kills ? id : undefined);
    const log = this.sandbox.ctx.requests.all();
    const taken = log.findIndex((r) => r.fault?.id === id);
    const aimed = calls[fault.index]!;
    // The two systems are called in parallel at places, so only each system's own order is fixed.
    const upTo = (l: readonly LoggedRequest[], i: number) => l.slice(0, i + 1).filter((c) => c.system === aimed.system).map((c) => `${c.method} ${c.path}`).join('\n');
    const scenario: string[] = [];
    if (taken === -1) scenario.push(`the fault took no call: the run never made call ${fault.index} (${describeCall(aimed)})`);
    else if (upTo(log, taken) !== upTo(calls, fault.index)) scenario.push(`the fault took call ${taken} (${describeCall(log[taken]!)}), not call ${fault.index} (${describeCall(aimed)}): the run diverged from the clean one`);
    if (kills && result.outcome !== 'killed') scenario.push(`the process was not killed at call ${fault.index}`);
    // What the operator does next never meets this fault: it took its one call (a `kill` hold
    // stays held, unapplied), or, the run having diverged, it is disarmed.
    if (taken === -1) this.sandbox.ctx.faults.clear();
    const rec = await this.recover(recovery);
    return { id, result, recovery: rec, scenario, taken: log[taken] };
  }

  /** docs/runbook.md: `status`; while it says in-flight, `resume` (or `rollback`); `status` again. */
  async recover(choice: 'resume' | 'rollback'): Promise<Recovery> {
    const first = await this.status();
    const commands: Recovery['commands'][number][] = [];
    let last = first;
    // The runbook's commands are safe to re-run: a second try is what an operator does when the first says FAILED.
    for (let attempt = 0; last.verdict === 'in-flight' && attempt < 3; attempt++) {
      commands.push({ argv: [choice, this.name, '--yes', '--advance-sandbox'], ...(await this.operator(choice)) });
      last = await this.status();
    }
    return { first, commands, last };
  }

  /**
   * The ledger over (since, now - 1 s], with the demo's check, and the final status: no slot
   * missed unless named as lost in `outputs`, none doubled, none late, none unexpected; the job
   * enabled in exactly one system, the one its definition declares.
   */
  judge(since: Date, outputs: readonly string[], last: StatusRow): Judgement {
    const job = { name: this.name, schedule: this.options.schedule, timezone: this.options.timezone ?? 'Etc/UTC', startingDeadlineSeconds: 1200 };
    const until = new Date(this.now().getTime() - 1000);
    // A run for a slot after `until` that starts after it too (a Chronos slot at now) belongs to
    // the next window; one started by `until` is judged whatever its slot (it may have run early).
    const started = this.sandbox.ctx.ledger.all().filter((e) => Date.parse(e.startedAt) <= until.getTime() || (e.scheduledFor !== null && Date.parse(e.scheduledFor) <= until.getTime()));
    const [verdict] = judgeLedger(started, [job], { from: since, until });
    const namedLost = [...new Set(outputs.flatMap((o) => o.split('\n').filter((l) => /lost/i.test(l)).flatMap((l) => l.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g) ?? [])).map((t) => new Date(t).toISOString()))];
    const problems: string[] = [];
    const lost = new Set(namedLost);
    for (const s of verdict!.missed) if (!lost.has(s.toISOString())) problems.push(`missed ${s.toISOString()} (not named as lost)`);
    for (const s of verdict!.doubled) problems.push(`doubled ${s.toISOString()}`);
    for (const s of verdict!.late) problems.push(`late ${s.toISOString()}`);
    for (const e of verdict!.unexpected) problems.push(`unexpected run on ${e.system} at ${e.startedAt} for ${e.scheduledFor ?? 'no slot'}`);
    const enabled = (['chronos', 'kubernetes'] as const).filter((s) => last[s].enabled === true);
    if (last.verdict !== 'ok') problems.push(`status ends ${last.verdict}${last.reason ? `: ${last.reason}` : ''}`);
    if (enabled.length !== 1) problems.push(`enabled in ${enabled.length === 0 ? 'no system' : 'both systems'}`);
    else if (enabled[0] !== last.declared) problems.push(`enabled on ${enabled[0]} but the definition says ${last.declared}`);
    const endsOn = problems.length === 0 ? last.declared : undefined;
    return { verdict: verdict!, namedLost, problems, ...(endsOn ? { endsOn } : {}) };
  }

  async close(): Promise<void> {
    await this.sandbox.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Whether the aimed call met its fault as intended, read once the case is over: a `fail` answered
 * its status, a `drop-answer` was served without an answer reaching the client, a `hold` or
 * `kill-lands` landed after its client had gone, a `kill` never landed.
 */
export function faultHappened(sandbox: Sandbox, run: FaultedRun, fault: CallFault): string[] {
  const taken = run.taken;
  if (!taken) return [];
  const held = sandbox.ctx.faults.report().held.find((h) => h.fault === run.id);
  switch (fault.kind) {
    case 'fail':
      return taken.status === (fault.status ?? 500) ? [] : [`the failed call answered ${taken.status}`];
    case 'drop-answer':
      return taken.status === null ? [] : [`the dropped answer reached the client (${taken.status})`];
    case 'hold':
    case 'kill-lands':
      if (!held || held.state !== 'landed') return [`the held call did not land (${held?.state ?? 'never held'})`];
      return held.clientGaveUpAt !== undefined ? [] : ['the held call landed before its client gave up'];
    case 'kill':
      return held?.state === 'held' ? [] : [`the call at the kill landed after all (${held?.state ?? 'never held'})`];
  }
}

/** One fault-point case, all of it, from `base`: fault, recovery, time, the ledger. */
export async function faultPoint(base: BenchState, options: BenchOptions, c: FaultPointCase): Promise<FaultPointResult> {
  const bench = await FaultBench.restore(base, options);
  try {
    const run = await bench.faultedRun(c.command, c.calls, c.fault, c.recovery ?? 'resume');
    bench.advance(c.settleSeconds ?? 900);
    const judgement = bench.judge(c.since, outputsOf(run), run.recovery.last);
    const problems = [...run.scenario, ...faultHappened(bench.sandbox, run, c.fault), ...judgement.problems];
    return { problems, judgement, run, explanation: problems.length ? explain(bench, c, run, judgement, problems) : '' };
  } finally {
    await bench.close();
  }
}

export interface FaultPointCase {
  readonly command: Command;
  readonly calls: readonly LoggedRequest[];
  readonly fault: CallFault;
  /** The slots judged are those after this instant. */
  readonly since: Date;
  readonly recovery?: 'resume' | 'rollback';
  /** Virtual time let pass after the recovery, before the ledger is read (default a quarter of an hour). */
  readonly settleSeconds?: number;
}

export interface FaultPointResult {
  readonly problems: readonly string[];
  readonly judgement: Judgement;
  readonly run: FaultedRun;
  /** Empty when there is no problem; else the case, the problems, the outputs and the journal's tail. */
  readonly explanation: string;
}

/** A failing case in words: enough to reproduce it and see where it went wrong. */
export function explain(bench: FaultBench, c: FaultPointCase, run: FaultedRun, judgement: Judgement, problems: readonly string[]): string {
  const call = c.calls[c.fault.index];
  const indent = (t: string) => t.trimEnd().split('\n').map((l) => `      ${l}`).join('\n');
  const records = bench.journal().slice(-14).map((r) => `${r.at} ${r.id.slice(-6)} ${r.kind === 'step' ? `step ${r.step}${r.detail ? ` ${JSON.stringify(r.detail)}` : ''}` : r.kind === 'aborted' ? `aborted: ${r.reason}` : r.kind}`);
  const runs = judgement.verdict;
  return [
    `${c.command} (job on ${bench.options.on} at the start, ${bench.options.schedule}): ${c.fault.kind} at call ${c.fault.index} (${call ? describeCall(call) : '?'})`,
    ...problems.map((p) => `  problem: ${p}`),
    `  ledger: ${runs.slots} slots, runs chronos ${runs.runs.chronos}, kubernetes ${runs.runs.kubernetes}; named lost: ${judgement.namedLost.join(', ') || 'none'}`,
    `  process: ${run.result.outcome} (exit ${run.result.code})`,
    indent(`${run.result.stdout}${run.result.stderr}`),
    `  status: ${run.recovery.first.verdict} (${run.recovery.first.reason ?? ''}) -> ${run.recovery.last.verdict} (${run.recovery.last.reason ?? ''})`,
    ...run.recovery.commands.map((r) => `  $ migrate ${r.argv.join(' ')}  (exit ${r.code})\n${indent(`${r.stdout}${r.stderr}`)}`),
    '  journal tail:',
    ...records.map((r) => `      ${r}`),
  ].join('\n');
}

export interface FaultedRun {
  readonly id: string;
  readonly result: ProcessResult;
  readonly recovery: Recovery;
  /** Why the intended scenario did not happen (empty when it did). */
  readonly scenario: readonly string[];
  /** The request the fault took. */
  readonly taken?: LoggedRequest;
}

/** How many calls like call `index` (same system, method and path) came before it: the `skip` that aims a rule at it. */
export function occurrence(calls: readonly LoggedRequest[], index: number): number {
  const call = calls[index]!;
  return calls.slice(0, index).filter((c) => c.system === call.system && c.method === call.method && c.path === call.path).length;
}

export function describeCall(c: LoggedRequest): string {
  return `${c.system} ${c.method} ${c.path} at ${c.at}`;
}

/** Every output of a faulted run and its recovery, for the lost slots they name. */
export function outputsOf(r: FaultedRun): string[] {
  return [r.result.stdout, r.result.stderr, ...r.recovery.commands.flatMap((c) => [c.stdout, c.stderr])];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An operation ready to be faulted: the state it starts from, and the calls a clean run of it makes. */
export interface PreparedOperation {
  readonly command: Command;
  readonly options: BenchOptions;
  readonly base: BenchState;
  readonly calls: readonly LoggedRequest[];
  /** The clean run's verdict (it must hold: the cases are judged against the same promise). */
  readonly clean: FaultPointResult;
}

export interface OperationTimes {
  /** When the move runs (the move itself; the one a rollback undoes; the one killed before a resume). */
  readonly moveAt: Date;
  /** When the rollback or resume runs (default: right after the move). */
  readonly at?: Date;
}

/**
 * The state `command` starts from: for `move`, the job applied on `options.on`; for `rollback`,
 * moved from there cleanly at `moveAt` (rolled back at `at`); for `resume`, a move from there
 * killed at `moveAt` just before its first write to the target (the enable), so the source is
 * disabled and the target not yet enabled. Then the calls of a clean run from that state.
 */
export async function prepareOperation(command: Command, options: BenchOptions, times: OperationTimes): Promise<PreparedOperation> {
  const bench = await FaultBench.start(options);
  try {
    bench.advanceTo(times.moveAt);
    if (command === 'rollback') {
      const moved = await bench.operate('move');
      if (moved.code !== 0) throw new Error(`the move to roll back failed:\n${moved.stdout}${moved.stderr}`);
    }
    if (command === 'resume') {
      const trial = await FaultBench.restore(bench.save(), options);
      const { calls } = await trial.recordCalls('move').finally(() => trial.close());
      const target = other(options.on);
      // The enable: the first write to the target that is not the lock or the cluster's record of moves.
      const enable = calls.findIndex((c) => c.system === target && c.method !== 'GET' && !/\/(leases|configmaps)(\/|$)/.test(c.path));
      if (enable < 0) throw new Error(`the move made no write to ${target}`);
      const id = bench.armAt(calls, { kind: 'kill', index: enable });
      const killed = await bench.operate('move', id);
      bench.sandbox.ctx.faults.clear();
      const steps = bench.journal().flatMap((r) => (r.kind === 'step' ? [r.step] : []));
      if (killed.outcome !== 'killed' || !steps.includes('source-disabled')) throw new Error(`the move was not killed after its source was disabled and before its enable (steps: ${steps.join(', ')}):\n${killed.stdout}${killed.stderr}`);
    }
    if (times.at) bench.advanceTo(times.at);
    const base = bench.save();
    const trial = await FaultBench.restore(base, options);
    try {
      const { calls, result } = await trial.recordCalls(command);
      const recovery = await trial.recover('resume');
      const run: FaultedRun = { id: '', result, recovery, scenario: [] };
      trial.advance(1800);
      const judgement = trial.judge(options.start, outputsOf(run), recovery.last);
      const c: FaultPointCase = { command, calls, fault: { kind: 'fail', index: -1 }, since: options.start };
      const clean = { problems: judgement.problems, judgement, run, explanation: judgement.problems.length ? explain(trial, c, run, judgement, judgement.problems) : '' };
      return { command, options, base, calls, clean };
    } finally {
      await trial.close();
    }
  } finally {
    await bench.close();
  }
}

/** Every fault of the suite for an operation's calls: each call with each kind (`kill-lands` for writes only). */
export function faultsFor(calls: readonly LoggedRequest[]): CallFault[] {
  return calls.flatMap((c, index) => FAULT_KINDS.filter((kind) => kind !== 'kill-lands' || c.method !== 'GET').map((kind) => ({ kind, index })));
}
