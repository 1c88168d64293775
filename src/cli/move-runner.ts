/**
 * The shared recipe of `move` and `rollback`: plan every job, show the plans, confirm once,
 * then for each job re-read (refusing a stale plan) and run the protocol, a few jobs at a time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { executeMove, MoveAbortedError, type MoveDeps, type MoveEvent, type MoveRequest } from '../actions/move.js';
import { currentBasis, desiredTargetFor, planMove, sidesFor, type Sides } from '../actions/move-setup.js';
import type { CutoverSide } from '../core/cutover.js';
import type { LoadedDefinition } from '../core/definition.js';
import { ExitCode, UserError } from '../core/errors.js';
import type { BackendName } from '../core/job.js';
import { unfinishedMoves, type BeginRecord, type JournalRecord, type MoveOperation } from '../core/journal.js';
import { definitionBeforeMove } from '../core/definition-edit.js';
import { movePlanJson, renderMovePlanHuman } from '../core/move-plan.js';
import { toRfc3339 } from '../core/time.js';
import { confirm } from './confirm.js';
import { openConnections, type Connections } from './connections.js';
import { definitionPatch, flipDefinitionBackend, writeFileAtomic } from './definition-file.js';
import type { GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';
import { appendJournal, projectJournal, readJournal } from './journal-file.js';
import type { Workspace } from './workspace.js';

export interface MoveTarget {
  readonly definition: LoadedDefinition;
  readonly from: BackendName;
  readonly to: BackendName;
  readonly operation: MoveOperation;
  readonly undoes?: string;
  readonly sourceUnreachable?: boolean;
  /** For a rollback: the before-snapshot of the system the job returns to. */
  readonly snapshot?: unknown;
}

export interface RunMovesOptions {
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Rehearsal on a virtual-clock sandbox: advance its clock instead of waiting in real time. */
  readonly advanceSandbox: boolean;
  /** The command line to repeat, for hints. */
  readonly commandLine: string;
  /** After the move, wait for the target's first run inside the start window and report it. */
  readonly watch?: boolean;
  /** With watch: roll back when that first run does not come. */
  readonly autoRollback?: boolean;
}

/**
 * A lock holder named `user@<this host> pid N[ move <id>]` whose process no longer exists: a move
 * that was killed. Its lease need not be waited out. Holders on other machines always are.
 */
export function isAbandonedHolder(holder: string): boolean {
  const m = /^[^@]*@(\S+) pid (\d+)(?: .*)?$/.exec(holder);
  if (!m || m[1] !== os.hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A process killed a moment ago is a zombie until its parent (often the operator's shell)
  // reaps it: it still answers signal 0, but it will never renew its lease.
  return isZombie(Number(m[2]));
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export function holderName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}

export async function runMoves(io: CliIO, args: GlobalArgs, ws: Workspace, targets: readonly MoveTarget[], options: RunMovesOptions): Promise<number> {
  const connections = openConnections(io, args, ws.project);
  const journalFile = projectJournal(io, args);
  const unfinished = unfinishedMoves(readJournal(journalFile));
  const json = args.output === 'json';

  // A job named twice on one command line is moved once.
  const unique = targets.filter((t, i) => targets.findIndex((u) => u.definition.job.name === t.definition.job.name) === i);
  // Plans read both systems per job: overlap those reads as the moves themselves are overlapped.
  const planned = await pool(unique, options.concurrency, async (target) => {
    const sides = sidesFor(connections, target.definition.job);
    const u = unfinished.get(target.definition.job.name);
    const p = await planMove({
      definition: target.definition,
      from: target.from,
      to: target.to,
      operation: target.operation,
      guardSeconds: ws.project.handoff.guardSeconds,
      sides,
      unfinished: u && target.operation !== 'resume' ? `move ${u.id}, begun ${u.begin.at} by ${u.begin.holder}` : undefined,
      sourceUnreachable: target.sourceUnreachable,
      snapshot: target.snapshot,
    });
    return { target, sides, planned: p };
  });
  if (json) io.stdout.write(`${JSON.stringify(planned.map((p) => movePlanJson(p.planned.plan)), null, 2)}\n`);
  else for (const p of planned) io.stdout.write(`${renderMovePlanHuman(p.planned.plan)}\n`);

  const runnable = planned.filter((p) => !p.planned.plan.refusal);
  const refused = planned.length - runnable.length;
  if (options.dryRun || runnable.length === 0) {
    if (!json) io.stdout.write(options.dryRun ? `Dry run: nothing changed.${refused ? ` ${refused} of ${planned.length} would be refused.` : ''}\n` : 'Nothing to do: every job was refused.\n');
    return refused ? ExitCode.Error : ExitCode.Ok;
  }
  const verb = targets[0]?.operation === 'rollback' ? 'Roll back' : 'Move';
  const go = await confirm(io, { yes: args.yes, question: `${verb} ${runnable.length} job${runnable.length === 1 ? '' : 's'} as planned above?`, command: options.commandLine });
  if (!go) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return ExitCode.Error;
  }

  const outcomes = await pool(runnable, options.concurrency, async ({ target, sides, planned: p }) => {
    const name = target.definition.job.name;
    // A plan is only as good as what it read: re-read and refuse if either system changed.
    if (!target.sourceUnreachable && (await currentBasis(sides)) !== p.plan.basis) {
      return { job: name, ok: false, message: `the plan is stale: ${name} changed in Chronos or Kubernetes since the preview; nothing was changed. Re-run: ${options.commandLine}` };
    }
    const requestFor = (t: MoveTarget, desiredTarget: MoveRequest['desiredTarget']): MoveRequest => ({
      job: t.definition.job,
      operation: t.operation,
      from: t.from,
      to: t.to,
      guardSeconds: ws.project.handoff.guardSeconds,
      desiredTarget,
      definition: { file: t.definition.file, text: readText(io, t.definition.file) },
      undoes: t.undoes,
      sourceUnreachable: t.sourceUnreachable,
    });
    const depsFor = (t: MoveTarget) => moveDeps(io, connections, sides, t, journalFile, options, (event) => report(io, name, event));
    try {
      const deps = depsFor(target);
      const result = await executeMove(requestFor(target, p.desiredTarget), deps);
      const moved = `${name}: now on ${target.to}; first run there ${toRfc3339(result.outcome.firstSlot)}`;
      if (!options.watch) return { job: name, ok: true, result, message: moved };
      const started = await watchFirstRun(sides[target.to], result.outcome.firstSlot, target.definition.job.startingDeadlineSeconds, deps.wait, (line) => io.stderr.write(`[${name}] ${line}\n`));
      if (started) return { job: name, ok: true, result, message: `${moved}; it started ${started}` };
      if (!options.autoRollback) return { job: name, ok: false, result, message: `${moved}, but that run did not start within the start window; roll back with \`migrate rollback ${name}\`` };
      io.stderr.write(`[${name}] the first run did not come: rolling back (--auto-rollback)\n`);
      const back: MoveTarget = { definition: target.definition, from: target.to, to: target.from, operation: 'rollback', undoes: result.id };
      await executeMove(requestFor(back, desiredTargetFor(target.definition.job, target.from, 'rollback', () => io.clock.now())), depsFor(back));
      return { job: name, ok: false, result, message: `${moved}, but its first run did not start within the start window: rolled back to ${target.from}` };
    } catch (err) {
      if (err instanceof MoveAbortedError) return { job: name, ok: false, message: `${err.reason}\n  ${err.state}` };
      if (err instanceof UserError) return { job: name, ok: false, message: `${name}: ${err.summary}${err.detail ? `\n  ${err.detail}` : ''}` };
      throw err;
    }
  });

  for (const o of outcomes) {
    if (o.ok && o.result?.definitionDiff) io.stdout.write(`\n${o.result.definitionDiff}`);
  }
  io.stdout.write('\n');
  for (const o of outcomes) io.stdout.write(`${o.ok ? 'done' : 'FAILED'}: ${o.message}\n`);
  const failed = outcomes.filter((o) => !o.ok).length + refused;
  io.stdout.write(`${outcomes.filter((o) => o.ok).length} done, ${failed} failed or refused.\n`);
  if (outcomes.some((o) => o.ok && o.result?.definitionDiff)) io.stdout.write('The definition files changed as shown above: review and commit them.\n');
  return failed ? ExitCode.Error : ExitCode.Ok;
}

export function moveDeps(
  io: CliIO,
  connections: Connections,
  sides: Sides,
  target: MoveTarget,
  journalFile: string,
  options: Pick<RunMovesOptions, 'advanceSandbox'>,
  onEvent: (event: MoveEvent) => void,
): MoveDeps {
  const { job } = target.definition;
  const kube = connections.kubernetes(job.namespace);
  const id = `${job.name}-${DateTime.fromJSDate(io.clock.now(), { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss")}-${randomBytes(3).toString('hex')}`;
  // One holder per move, not per process: the Lease lets its own holder in again, so two moves
  // of one job from one process (or one command line) would otherwise both pass the lock.
  const holder = `${holderName()} move ${id}`;
  return {
    sides,
    holder,
    id,
    journal: async (record: JournalRecord) => appendJournal(journalFile, record),
    async acquireLock(ttlSeconds) {
      if (target.sourceUnreachable && target.from === 'kubernetes') {
        onEvent({ kind: 'warning', message: 'Kubernetes does not answer, so the job cannot be locked there: make sure nobody else is moving it' });
        return { renew: async () => undefined, release: async () => undefined, held: false };
      }
      let lock = await kube.acquireLock(job.name, holder, ttlSeconds, isAbandonedHolder);
      return {
        renew: async () => {
          lock = await kube.renewLock(lock);
        },
        release: () => kube.releaseLock(lock),
      };
    },
    wait: options.advanceSandbox ? sandboxAdvancer(kube.server) : (ms) => new Promise((r) => setTimeout(r, ms)),
    localNow: () => io.clock.now(),
    report: onEvent,
    writeDefinition: async (to) =>
      (target.undoes && restoreDefinition(journalFile, target.undoes, path.resolve(io.cwd, target.definition.file), target.definition.file, to)) ??
      flipDefinitionBackend(path.resolve(io.cwd, target.definition.file), target.definition.file, to),
  };
}

/**
 * Waits on the target's own state for its first run: Chronos moves the start past the slot at
 * launch; Kubernetes records the slot in lastScheduleTime. Gives up at the end of the start window.
 */
async function watchFirstRun(side: CutoverSide, slot: Date, windowSeconds: number, wait: (ms: number) => Promise<void>, say: (line: string) => void): Promise<string | undefined> {
  const deadline = slot.getTime() + windowSeconds * 1000;
  say(`watching for the first run (slot ${toRfc3339(slot)}, start window ${windowSeconds} s)`);
  for (;;) {
    const now = await side.serverNow();
    const live = await side.read();
    if (live !== undefined && now.getTime() >= slot.getTime() && side.hasTaken(live, slot)) return `by ${toRfc3339(now)} (slot ${toRfc3339(slot)})`;
    if (now.getTime() > deadline) return undefined;
    await wait(Math.min(Math.max(1000, (now.getTime() < slot.getTime() ? slot.getTime() - now.getTime() : 5000)), deadline - now.getTime() + 1000, 60_000));
  }
}

/**
 * A rollback puts the file back as it was before the move it undoes, byte for byte (`k8s` stays
 * `k8s`), when nobody edited it since that move flipped it; otherwise it is flipped like a move.
 * The journal's text has its secrets masked, so it is never written back as it is: the current
 * file's secret values stay (see `definitionBeforeMove`).
 */
function restoreDefinition(journalFile: string, undoes: string, file: string, shownAs: string, to: BackendName): string | undefined {
  const begin = readJournal(journalFile).find((r): r is BeginRecord => r.kind === 'begin' && r.id === undoes);
  if (!begin || begin.from !== to) return undefined;
  const current = fs.readFileSync(file, 'utf8');
  const restored = definitionBeforeMove(begin.definition.before, current, begin.to);
  if (restored === undefined || restored === current) return undefined;
  writeFileAtomic(file, restored);
  return definitionPatch(shownAs, current, restored);
}

/** A rehearsal's wait: move the sandbox's virtual clock forward (every due slot fires in order). */
function sandboxAdvancer(server: string): (ms: number) => Promise<void> {
  return async (ms) => {
    const res = await fetch(new URL('/_sandbox/clock/advance', server), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ seconds: Math.max(1, Math.ceil(ms / 1000)) }),
    });
    if (!res.ok) throw new UserError(`--advance-sandbox: ${server} is not a sandbox on a virtual clock (${res.status})`, 'Use it only with `migrate sandbox --clock virtual`.');
  };
}

/** Progress of the protocol on stderr, a line an event, prefixed with the job (moves run concurrently). */
export function report(io: CliIO, job: string, e: MoveEvent): void {
  const line = (() => {
    switch (e.kind) {
      case 'locked':
        return `locked (Lease held by ${e.holder})`;
      case 'clock-skew':
        return `warning: the ${e.system} clock is ${e.skewSeconds} s off the ${e.reference === 'kubernetes' ? 'Kubernetes API server' : 'Chronos server'}'s; following the server`;
      case 'waiting':
        return `waiting ${e.seconds} s: ${e.why}`;
      case 'replanned':
        return `re-planned (${e.why}): handoff now at ${toRfc3339(e.handoff.at)}`;
      case 'step':
        return e.message;
      case 'warning':
        return `warning: ${e.message}`;
    }
  })();
  io.stderr.write(`[${job}] ${line}\n`);
}

function readText(io: CliIO, file: string): string {
  return fs.readFileSync(path.resolve(io.cwd, file), 'utf8');
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
