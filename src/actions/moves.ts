/**
 * `move` and `rollback` as operations: `planMoves` reads both systems and returns plain plans (the
 * CLI renders them and the operator confirms); `applyMoves` executes exactly those plans, a few
 * jobs at a time, re-reading only to refuse a stale one; then, when asked, watches the target's
 * first run and rolls back automatically when it does not come.
 */
import { backendOf } from '../../backends/index.js';
import type { CutoverSide } from '../core/cutover.js';
import { mapLimited } from '../core/concurrency.js';
import { UserError } from '../core/errors.js';
import type { BackendName } from '../core/job.js';
import { unfinishedMoves, type BeginRecord } from '../core/journal.js';
import { toRfc3339 } from '../core/time.js';
import type { ActionConfig } from './config.js';
import { executeMove, MoveAbortedError, StalePlanError, type MoveDeps, type MoveEvent, type MoveRequest, type MoveResult } from './move.js';
import { changedSince, desiredTargetFor, planMove, referenceSystem, sidesFor, type Listings, type MoveTarget, type PlannedMove, type PlanReads, type RunsInFlight, type Sides } from './move-setup.js';

export interface PlannedTarget {
  readonly target: MoveTarget;
  readonly sides: Sides;
  readonly planned: PlannedMove;
  /** The local time just before the plan's reads. */
  readonly readFrom: Date;
}

export interface ApplyOptions {
  readonly concurrency: number;
  /** The command line to repeat, for hints. */
  readonly commandLine: string;
  /** After the move, wait for the target's first run inside the start window and report it. */
  readonly watch?: boolean;
  /** With watch: roll back when that first run does not come. */
  readonly autoRollback?: boolean;
  /** Nobody was asked to confirm the plans (`--yes`): a move that follows its plan at once may use the plan's reads. */
  readonly unconfirmed?: boolean;
  /** With `unconfirmed`, a wave's reads made for the move about to start (`waveReads`), used instead of its plan's. */
  readonly freshReads?: (target: MoveTarget) => Promise<(PlanReads & { readonly from: Date }) | undefined>;
}

export interface MoveOutcome {
  readonly job: string;
  readonly ok: boolean;
  readonly message: string;
  readonly result?: MoveResult;
}

/** Plans every job (a job named twice is planned once); reads overlap as the moves will. */
export async function planMoves(config: ActionConfig, targets: readonly MoveTarget[], concurrency: number): Promise<PlannedTarget[]> {
  const unfinished = unfinishedMoves(config.journal.read());
  const unique = targets.filter((t, i) => targets.findIndex((u) => u.definition.job.name === t.definition.job.name) === i);
  // A wave lists each system's scope once for all its plans; a single job reads its own objects.
  const listings: Listings | undefined = unique.length > 1 ? new Map() : undefined;
  const runs: RunsInFlight | undefined = unique.length > 1 ? new Map() : undefined;
  // A wave's plans read from listings made for all of them: their reads are as old as the first.
  const waveFrom = config.clock.now();
  return mapLimited(unique, concurrency, async (target) => {
    const sides = sidesFor(config.systems, target.definition.job);
    const u = unfinished.get(target.definition.job.name);
    const readFrom = listings ? waveFrom : config.clock.now();
    const planned = await planMove(config.systems, {
      ...target,
      guardSeconds: config.guardSeconds,
      sides,
      unfinished: u && target.operation !== 'resume' ? `move ${u.id}, begun ${u.begin.at} by ${u.begin.holder}` : undefined,
      ...(listings ? { listings } : {}),
      ...(runs ? { runs } : {}),
    });
    return { target, sides, planned, readFrom };
  });
}

/** Executes the plans the operator confirmed (refused ones are skipped by the caller). */
export async function applyMoves(config: ActionConfig, plans: readonly PlannedTarget[], options: ApplyOptions): Promise<MoveOutcome[]> {
  return mapLimited(plans, options.concurrency, async ({ target, sides, planned, readFrom }) => {
    const name = target.definition.job.name;
    try {
      const deps = moveDeps(config, sides, target);
      // A plan is only as good as what it read: the move reads both systems under its lock and
      // refuses if either changed since the plan.
      const staleIf = target.sourceUnreachable ? undefined : (live: Readonly<Record<BackendName, unknown>>) => changedSince(planned.plan, live);
      const planReads = options.unconfirmed ? { planReads: (await options.freshReads?.(target)) ?? { ...planned.reads, from: readFrom } } : {};
      const result = await executeMove({ ...moveRequest(config, target, planned.desiredTarget), ...(staleIf ? { staleIf } : {}), ...planReads }, deps);
      if (result.paused) {
        if (options.watch) config.report(name, { kind: 'note', message: 'paused: no run to watch for' });
        return { job: name, ok: true, result, message: `${name}: now on ${target.to}, paused (it runs nothing there either)` };
      }
      const moved = `${name}: now on ${target.to}; first run there ${toRfc3339(result.outcome.firstSlot)}`;
      if (!options.watch) return { job: name, ok: true, result, message: moved };
      const say = (message: string) => config.report(name, { kind: 'note', message });
      const started = await watchFirstRun(sides[target.to], result.outcome.firstSlot, target.definition.job.startingDeadlineSeconds, config.wait, say);
      if (started) return { job: name, ok: true, result, message: `${moved}; it started ${started}` };
      if (!options.autoRollback) return { job: name, ok: false, result, message: `${moved}, but that run did not start within the start window; roll back with \`migrate rollback ${name}\`` };
      say('the first run did not come: rolling back (--auto-rollback)');
      const back: MoveTarget = { definition: target.definition, from: target.to, to: target.from, operation: 'rollback', undoes: result.id };
      const desiredTarget = desiredTargetFor(config.systems, target.definition.job, back.to, 'rollback', () => config.clock.now());
      await executeMove(moveRequest(config, back, desiredTarget), moveDeps(config, sides, back));
      return { job: name, ok: false, result, message: `${moved}, but its first run did not start within the start window: rolled back to ${target.from}` };
    } catch (err) {
      if (err instanceof StalePlanError) {
        const systems = Object.keys(sides).map((s) => backendOf(s as BackendName).title).join(' or ');
        return { job: name, ok: false, message: `the plan is stale: ${name} changed in ${systems} since the preview; nothing was changed. Re-run: ${options.commandLine}` };
      }
      if (err instanceof MoveAbortedError) return { job: name, ok: false, message: `${err.reason}\n  ${err.state}` };
      if (err instanceof UserError) return { job: name, ok: false, message: `${name}: ${err.summary}${err.detail ? `\n  ${err.detail}` : ''}` };
      throw err;
    }
  });
}

export function moveRequest(config: ActionConfig, target: MoveTarget, desiredTarget: MoveRequest['desiredTarget']): MoveRequest {
  return {
    job: target.definition.job,
    operation: target.operation,
    from: target.from,
    to: target.to,
    guardSeconds: config.guardSeconds,
    desiredTarget,
    definition: { file: target.definition.file, text: config.definitions.text(target.definition.file) },
    undoes: target.undoes,
    sourceUnreachable: target.sourceUnreachable,
  };
}

/** The effects one move runs over: its sides, journal, lock, waits and definition file. */
export function moveDeps(config: ActionConfig, sides: Sides, target: MoveTarget, onEvent?: (event: MoveEvent) => void): MoveDeps {
  const { job } = target.definition;
  const report = onEvent ?? ((event: MoveEvent) => config.report(job.name, event));
  const id = config.newMoveId(job.name);
  // One holder per move, not per process: a lock lets its own holder in again, so two moves of
  // one job from one process (or one command line) would otherwise both pass it.
  const holder = `${config.holder} move ${id}`;
  const locks = config.systems.locks();
  return {
    sides,
    reference: referenceSystem(config.systems, target.from, target.sourceUnreachable),
    holder,
    id,
    journal: (record, options) => config.journal.append(record, options),
    flushJournal: () => config.journal.flush(),
    seesOtherMoves: () => config.journal.seesOtherMoves?.(job.name) ?? false,
    async acquireLock(ttlSeconds) {
      if (!locks || (target.sourceUnreachable && locks.system === target.from)) {
        const where = locks ? `${backendOf(locks.system).title} does not answer, so` : 'no backend can hold a lock, so';
        report({ kind: 'warning', message: `${where} the job cannot be locked there: make sure nobody else is moving it` });
        return { renew: async () => undefined, release: async () => undefined, held: false };
      }
      return locks.acquire(job, holder, ttlSeconds, config.isAbandonedHolder);
    },
    wait: config.wait,
    ...(config.interrupted ? { interrupted: config.interrupted } : {}),
    localNow: () => config.clock.now(),
    report,
    writeDefinition: async (to) => {
      const file = target.definition.file;
      const undone = target.undoes ? config.journal.read().find((r): r is BeginRecord => r.kind === 'begin' && r.id === target.undoes) : undefined;
      const restored = undone && undone.from === to ? config.definitions.restoreBefore(file, { text: undone.definition.before, from: undone.from, to: undone.to }) : undefined;
      return restored ?? config.definitions.flip(file, to);
    },
  };
}

/**
 * Waits on the target's own state for its first run (`CutoverSide.taken`: each system records a
 * launch its own way, docs/cutover-protocol.md). Gives up at the end of the start window.
 */
async function watchFirstRun(side: CutoverSide, slot: Date, windowSeconds: number, wait: (ms: number) => Promise<void>, say: (line: string) => void): Promise<string | undefined> {
  const deadline = slot.getTime() + windowSeconds * 1000;
  say(`watching for the first run (slot ${toRfc3339(slot)}, start window ${windowSeconds} s)`);
  for (;;) {
    const now = await side.serverNow();
    const live = await side.read();
    if (live !== undefined && now.getTime() >= slot.getTime() && (await side.taken(live, [slot]))[0]) return `by ${toRfc3339(now)} (slot ${toRfc3339(slot)})`;
    if (now.getTime() > deadline) return undefined;
    await wait(Math.min(Math.max(1000, now.getTime() < slot.getTime() ? slot.getTime() - now.getTime() : 5000), deadline - now.getTime() + 1000, 60_000));
  }
}
