/**
 * The cutover protocol, executed (design.md, "The cutover protocol", steps 3 to 8). Effects go
 * through injected sides, journal, lock and waiter, so the same code runs against a cluster, the
 * sandbox on a virtual clock, or a test that kills it after any step.
 *
 * The invariant: every slot of the job's schedule runs exactly once, on exactly one system.
 * The source runs every slot up to the handoff instant H; the target every slot after it.
 */
import { LATE_WRITE_BOUND_MS, type CutoverSide, type EnableOutcome, type Lock } from '../core/cutover.js';
import { maskDefinitionSecrets } from '../core/definition-edit.js';
import { lastTakenSlot, planHandoff, slotAfter, type Handoff } from '../core/handoff.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import type { JournalRecord, MoveOperation, MoveStep } from '../core/journal.js';
import type { AppendOptions, MoveEvent } from './config.js';
import { JOURNAL_VERSION } from '../core/journal.js';
import { redactSecrets } from '../core/secrets.js';
import { toRfc3339 } from '../core/time.js';
import type { PlanReads, Sides } from './move-setup.js';
import { ConcurrentMoveError } from './config.js';

export type { MoveEvent } from './config.js';

export interface MoveDeps {
  readonly sides: Sides;
  /**
   * Whose server clock the move follows: the lock server's (its expiry is in that time), or,
   * when a forced rollback leaves that system because it does not answer, another's.
   */
  readonly reference: BackendName;
  /**
   * Appends a record before the step it announces. `later`: the record precedes no change to a
   * system, so a shared record of moves may get it with the next record, in one write.
   */
  readonly journal: (record: JournalRecord, options?: AppendOptions) => Promise<void>;
  /** Sends the records kept for later: a move does before every wait, so other clones see it in flight. */
  readonly flushJournal?: () => Promise<void>;
  /** Whether the move's first shared record would refuse it when another move of the job was recorded since the plan (JournalStore.seesOtherMoves). */
  readonly seesOtherMoves?: () => boolean;
  readonly acquireLock: (ttlSeconds: number) => Promise<Lock>;
  /** Wait about `ms` (real time in production; the sandbox clock in a rehearsal). */
  readonly wait: (ms: number) => Promise<void>;
  /** The local clock, only to warn when it disagrees with the servers. */
  readonly localNow: () => Date;
  readonly report: (event: MoveEvent) => void;
  /** Flips the definition file's backend (atomically, keeping comments); returns the diff. */
  readonly writeDefinition: (to: BackendName) => Promise<string>;
  readonly holder: string;
  readonly id: string;
  /** Aborted when the operator interrupts: before the first change, the move ends with nothing changed. */
  readonly interrupted?: AbortSignal;
}

export interface MoveRequest {
  readonly job: JobDefinition;
  readonly operation: MoveOperation;
  readonly from: BackendName;
  readonly to: BackendName;
  readonly guardSeconds: number;
  /** The target as it must run; built by the caller from the definition or the before-snapshot. */
  readonly desiredTarget: (targetLive: unknown) => unknown;
  readonly definition: { readonly file: string; readonly text: string };
  readonly undoes?: string;
  /**
   * `rollback --force` while the source's API is down: it cannot be disabled, so the target is
   * enabled anyway (an incident's choice: a doubled slot is better than none) and said so.
   */
  readonly sourceUnreachable?: boolean;
  /**
   * Whether the systems as read under the lock differ from what the plan shown to the operator
   * read: then the move is refused (StalePlanError) before anything is written.
   */
  readonly staleIf?: (live: Readonly<Record<BackendName, unknown>>) => boolean;
  /**
   * What the plan read, when nobody was asked to confirm it; `from`: the local time before those
   * reads. Used instead of the reads under the lock while they are a moment old (FRESH_PLAN_MS).
   */
  readonly planReads?: PlanReads & { readonly from: Date };
}

export interface MoveResult {
  readonly id: string;
  readonly handoff: Handoff;
  readonly outcome: EnableOutcome;
  readonly definitionDiff: string;
  /** A paused job's move: the target was written switched off, and runs nothing. */
  readonly paused?: boolean;
}

/** The systems changed between the plan and the lock: nothing was written; the caller says how to re-run. */
export class StalePlanError extends Error {
  constructor() {
    super('the plan is stale');
    this.name = 'StalePlanError';
  }
}

/** A move that failed and was put back (or could not be): `state` says where both systems are. */
export class MoveAbortedError extends Error {
  constructor(readonly reason: string, readonly state: string, readonly putBack?: PutBackOutcome) {
    super(`${reason}\n${state}`);
    this.name = 'MoveAbortedError';
  }
}

/** A journal record as a step writes it: `v`, `id`, `job` and `at` are filled in (per record kind). */
export type RecordBody = JournalRecord extends infer R ? (R extends JournalRecord ? Omit<R, 'v' | 'id' | 'job' | 'at'> : never) : never;

/** Writes one record of a move (see MoveDeps.journal for `later`). */
export type RecordWriter = (r: RecordBody, options?: AppendOptions) => Promise<void>;

const SKEW_WARNING_SECONDS = 5;
const MAX_REPLANS = 3;
/**
 * How old the plan's reads may be to serve under the lock: about what reading again takes, so
 * that no launch, run or edit is likelier to fall between them and the move than after a read.
 */
export const FRESH_PLAN_MS = 2000;

export async function executeMove(req: MoveRequest, given: MoveDeps): Promise<MoveResult> {
  // Every wait first sends the records kept for later, and is counted: what was read before a
  // wait is read again after it, what was read since the last one is not.
  let waits = 0;
  const deps: MoveDeps = {
    ...given,
    wait: async (ms) => {
      await given.flushJournal?.();
      waits++;
      await given.wait(ms);
    },
  };
  const { job } = req;
  const source = deps.sides[req.from];
  const target = deps.sides[req.to];
  const schedule = { cron: job.schedule, timezone: job.timezone, startingDeadlineSeconds: job.startingDeadlineSeconds };
  const clockSide = deps.sides[deps.reference];
  const record = recordWriter(deps, deps.id, job.name);

  // The lock's time to live, from the reference clock as the plan's reads left it; H is planned
  // again below from the reads under the lock.
  let handoff = planHandoff(job.schedule, job.timezone, clockSide.serverClock().now(), req.guardSeconds);
  const lock = await deps.acquireLock(Math.max(120, handoff.waitSeconds + 120));
  // Set once `begin` and `locked` are in the journal: a failure before the first change then closes the move.
  let begun = false;
  try {
    // Both systems are read once under the lock: the plan was read before the lock was ours
    // (another move may have finished in between), and their answers carry the servers' clocks.
    // A plan nobody confirmed, read a moment ago, serves instead when the move's first shared
    // record would show another move recorded since (ConcurrentMoveError).
    const planReads = req.planReads && deps.localNow().getTime() - req.planReads.from.getTime() <= FRESH_PLAN_MS && deps.seesOtherMoves?.() ? req.planReads : undefined;
    const readOrNull = (system: BackendName) => (req.sourceUnreachable && system === req.from ? Promise.resolve(undefined) : deps.sides[system].read());
    const systems = Object.keys(deps.sides) as BackendName[];
    const before = planReads
      ? planReads.live
      : (Object.fromEntries(await Promise.all(systems.map(async (system) => [system, await readOrNull(system)] as const))) as Record<BackendName, unknown>);
    if (!planReads && req.staleIf?.(before)) throw new StalePlanError();
    let now = clockSide.serverClock().now();
    warnOnSkew(deps, now, req);
    handoff = planHandoff(job.schedule, job.timezone, now, req.guardSeconds);
    if (lock.held !== false) deps.report({ kind: 'locked', holder: deps.holder });
    // Under the lock, the job must still run on the source alone.
    if (!req.sourceUnreachable) {
      const changed = changedSincePlan(req, source, target, before[req.from], before[req.to]);
      if (changed) throw new MoveAbortedError(`${req.operation} of ${job.name} refused: ${changed} (changed since the plan)`, `Nothing changed. \`migrate status ${job.name}\` shows where it ${job.paused ? 'is' : 'runs'} now.`);
    }
    await record({
      kind: 'begin',
      operation: req.operation,
      from: req.from,
      to: req.to,
      holder: deps.holder,
      handoff: handoffRecord(handoff),
      snapshots: Object.fromEntries(systems.map((system) => [system, redactSecrets(before[system] ?? null)])) as Record<BackendName, unknown>,
      definition: { file: req.definition.file, before: maskDefinitionSecrets(req.definition.text) },
      ...(req.undoes ? { undoes: req.undoes } : {}),
    }, { later: true });
    // `begin` and `locked` reach a shared record with the first write's announcement, or before a
    // wait: another clone sees the move from then on, before anything changed.
    await record({ kind: 'step', step: 'locked', detail: { holder: deps.holder } }, { later: true });
    begun = true;
    if (job.paused) return await movePaused(req, deps, lock, record, handoff);

    // Steps 4-5: wait for H; the source must have taken its last slot before H, and with
    // concurrency forbid it must not be running (the target's first run would overlap it).
    let sourceLive: unknown;
    for (let attempt = 0; !req.sourceUnreachable; attempt++) {
      now = await waitUntil(deps, clockSide, handoff.at, lock, `handoff at ${toRfc3339(handoff.at)}`, attempt === 0 ? now : undefined);
      // The read under the lock serves when no wait came since.
      sourceLive = waits === 0 ? before[req.from] : await source.read();
      const ready = await sourceReady(source, sourceLive, handoff, job, deps, lock, waits === 0 ? planReads?.runsInFlight : undefined);
      if (ready === 'ready') break;
      if (ready === 'has not launched its last slot' && handoff.previousSlot) {
        // The source let its slot pass unlaunched (it is failing: that is often why one moves).
        // Disabled now, it will not launch it later (no system launches a disabled job's queued
        // run: docs/cutover-protocol.md): the target takes that slot over, late.
        const untaken = handoff.previousSlot;
        deps.report({ kind: 'warning', message: `${req.from} did not launch its ${toRfc3339(untaken)} slot: ${req.to} takes that slot over, late` });
        handoff = { ...handoff, nextSlot: untaken };
        await record({ kind: 'step', step: 'locked', detail: { takeover: toRfc3339(untaken) } }, { later: true });
        break;
      }
      if (attempt >= MAX_REPLANS) {
        throw new NothingChangedError(`the source (${req.from}) ${ready} for ${MAX_REPLANS + 1} handoff windows; nothing was changed`);
      }
      handoff = planHandoff(job.schedule, job.timezone, await clockSide.serverNow(), req.guardSeconds);
      deps.report({ kind: 'replanned', handoff, why: `the source ${ready}` });
      await record({ kind: 'step', step: 'locked', detail: { replanned: handoffRecord(handoff), why: ready } }, { later: true });
    }

    // Step 5: disable the source. From here on, a failure puts back what changed, and only that.
    let stage: 'disabled' | 'enabled' = 'disabled';
    let definitionWritten = false;
    // The source as last seen: read back after its disable, or as it was when it needed none.
    let sourceAfter = sourceLive;
    try {
      if (req.sourceUnreachable) {
        now = await waitUntil(deps, deps.sides[req.to], handoff.at, lock, `handoff at ${toRfc3339(handoff.at)}`);
        deps.report({ kind: 'warning', message: `${req.from} is unreachable and was NOT disabled: if it is still running the job, slots from ${toRfc3339(handoff.nextSlot)} may run twice until it is disabled by hand` });
      } else if (sourceLive && source.isEnabled(sourceLive)) {
        const live = sourceLive;
        let answered: unknown;
        let sent = false;
        const disabled = await settledWrite(deps, record, lock, source, 'disable', false, async () => {
          sent = true;
          answered = await source.disable(live);
        }).catch((err: unknown) => {
          // Its announcement could not be recorded, so the disable was never sent.
          if (!sent && !(err instanceof ConcurrentMoveError)) throw new NothingChangedError(`the journal could not record the disable (${firstLine(err)}); nothing was changed`);
          throw err;
        });
        if (disabled.kind === 'not-applied') throw new NothingChangedError(`${req.from} did not disable the job (${disabled.reason}); nothing was changed`);
        // Read back before the target is enabled: the write's answer when it carries the job
        // (a patched object), else a read (a write answered with a bare 204).
        const after = answered ?? (await source.read());
        sourceAfter = after;
        // A disable that landed past the margin (a slow, retried or held call) may have let the
        // source take slots after H: the target starts after the last one it took, not at H's next slot.
        if (after) {
          const last = await lastTakenSlot(schedule.cron, schedule.timezone, handoff.nextSlot, disabled.seenAt ?? clockSide.serverClock().now(), (slots) =>
            takenUpTo(source, after, slots, disabled.seenAt),
          );
          if (last) handoff = { ...handoff, previousSlot: last, nextSlot: slotAfter(schedule.cron, schedule.timezone, last) ?? handoff.nextSlot };
        }
      }
      const sourceDisabled: RecordBody = { kind: 'step', step: 'source-disabled', detail: { handoff: toRfc3339(handoff.at), nextSlot: toRfc3339(handoff.nextSlot), ...(req.sourceUnreachable ? { skipped: 'unreachable' } : {}) } };
      deps.report({
        kind: 'step',
        step: 'source-disabled',
        message: req.sourceUnreachable
          ? `${req.from}: NOT disabled (unreachable); nothing guarantees it stopped`
          : `${req.from}: disabled (its last slot before the handoff: ${handoff.previousSlot ? toRfc3339(handoff.previousSlot) : 'none'})`,
      });

      // Step 6: enable the target from the first slot after H (after the source's last, if later).
      // Nothing was written to it: the read under the lock serves when no wait came since.
      const targetLive = waits === 0 ? before[req.to] : await target.read();
      // `source-disabled` is written now, announcing the enable it precedes.
      const outcome = await settledEnable(deps, record, lock, target, req.desiredTarget(targetLive), handoff.nextSlot, schedule, (why) => `${req.to} did not enable the job: ${why}`, sourceDisabled, {
        live: targetLive,
      });
      stage = 'enabled';
      await record({ kind: 'step', step: 'target-enabled', detail: enableDetail(outcome) }, { later: true });
      deps.report({ kind: 'step', step: 'target-enabled', message: describeEnable(req.to, outcome) });
      for (const slot of outcome.lost) deps.report({ kind: 'warning', message: `slot ${toRfc3339(slot)} passed while the job ran nowhere and is outside the start window: it is lost` });

      // Step 7: verify from what the systems answered: the source as read back after its disable,
      // the target as its enable's answer showed it (a system that answers a write with a bare
      // success, a 204, stored it).
      if (sourceAfter && source.isEnabled(sourceAfter)) throw new Error(`${req.from} still shows the job enabled after it was disabled`);
      if (outcome.answer !== undefined && !target.isEnabled(outcome.answer)) throw new Error(`${req.to} does not show the job enabled after it was enabled`);
      await record({ kind: 'step', step: 'verified' }, { later: true });
      deps.report({ kind: 'step', step: 'verified', message: req.sourceUnreachable ? `verified: ${req.to} enabled; ${req.from} could not be checked` : `verified: ${req.from} disabled, ${req.to} enabled` });

      // Step 8: the definition follows.
      const definitionDiff = await deps.writeDefinition(req.to);
      definitionWritten = true;
      await record({ kind: 'step', step: 'definition-written', detail: { file: req.definition.file } }, { later: true });
      await record({ kind: 'done' });
      return { id: deps.id, handoff, outcome, definitionDiff };
    } catch (err) {
      if (err instanceof NothingChangedError || err instanceof UnsettledWriteError || err instanceof ConcurrentMoveError) throw err;
      const reason = firstLine(err);
      // Whether the target came up is read, not assumed: an enable that failed after its CronJob
      // was created (a passed slot's Job refused) left it enabled all the same.
      if (stage === 'disabled') {
        const targetNow = await target.read().catch(() => undefined);
        if (targetNow !== undefined && target.isEnabled(targetNow)) stage = 'enabled';
      }
      let outcome: PutBackOutcome = await putBack(req, deps, lock, clockSide, handoff, stage, schedule, record).catch(
        (e: unknown): PutBackOutcome => ({ kind: 'failed', job: job.name, from: req.from, to: req.to, targetMayBeEnabled: stage === 'enabled', error: firstLine(e) }),
      );
      // Put back after the definition followed (the journal failed at its last records): it
      // follows back, so the file says where the job runs.
      if (outcome.kind === 'restored' && definitionWritten) {
        const restored = outcome;
        outcome = await deps.writeDefinition(req.from).then(
          (): PutBackOutcome => restored,
          (e: unknown): PutBackOutcome => ({ ...restored, definition: { notSetBack: firstLine(e) } }),
        );
      }
      const state = renderPutBack(outcome);
      // Not put back, the move is unfinished, not over: left without an end record, `status`
      // shows it in flight and `resume` or `rollback` can finish it (an `aborted` one they skip).
      if (outcome.kind !== 'failed') await record({ kind: 'aborted', reason, state, putBack: putBackRecord(outcome) }).catch(() => undefined);
      throw new MoveAbortedError(`move of ${job.name} failed: ${reason}`, state, outcome);
    }
  } catch (err) {
    if (err instanceof ConcurrentMoveError) {
      // Before the first change (the move's first shared write): the plan's reads may be stale.
      await record({ kind: 'aborted', reason: err.message, state: `nothing changed: ${unchangedState(job, req.from)}` }).catch(() => undefined);
      throw new StalePlanError();
    }
    if (err instanceof NothingChangedError) {
      await record({ kind: 'aborted', reason: err.message, state: `nothing changed: ${unchangedState(job, req.from)}` }).catch(() => undefined);
      throw new MoveAbortedError(`move of ${job.name} refused: ${err.message}`, `Nothing changed: ${unchangedState(job, req.from)}.`);
    }
    if (begun && !(err instanceof MoveAbortedError) && !(err instanceof UnsettledWriteError)) {
      // Failed while it waited for its handoff (a read, a lock renewal): nothing was written to
      // either system, so the move is over, not in flight.
      const reason = firstLine(err);
      await record({ kind: 'aborted', reason, state: `nothing changed: ${unchangedState(job, req.from)}` }).catch(() => undefined);
      throw new MoveAbortedError(`move of ${job.name} stopped before any change: ${reason}`, `Nothing changed: ${unchangedState(job, req.from)}.`);
    }
    if (err instanceof UnsettledWriteError) {
      // Left in flight on purpose: nothing may be inferred while a write can still land.
      throw new MoveAbortedError(
        `move of ${job.name} stopped: ${err.message}`,
        `Where ${job.name} runs cannot be told until that write has settled (by ${toRfc3339(err.settleBy)}). Run \`migrate status ${job.name}\`, then \`migrate resume ${job.name}\` or \`migrate rollback ${job.name}\`: they wait for it first.`,
      );
    }
    throw err;
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/**
 * The move of a paused job (steps 5 to 8 without a handoff): neither system owes a slot, so there
 * is nothing to wait for and nothing to take over. The source stays switched off as it is; the
 * target is written switched off; then the definition follows. A failure leaves the job switched
 * off everywhere (perhaps with a copy on the target too), as a paused job asks: nothing to put back.
 */
async function movePaused(req: MoveRequest, deps: MoveDeps, lock: Lock, record: (r: RecordBody) => Promise<void>, handoff: Handoff): Promise<MoveResult> {
  const { job } = req;
  const source = deps.sides[req.from];
  const target = deps.sides[req.to];
  await record({ kind: 'step', step: 'source-disabled', detail: { paused: true, ...(req.sourceUnreachable ? { skipped: 'unreachable' } : {}) } });
  deps.report({ kind: 'step', step: 'source-disabled', message: `${req.from}: ${req.sourceUnreachable ? 'NOT read (unreachable)' : 'already disabled (the job is paused)'}; left as it is, never deleted` });
  let written: 'nothing' | 'target' | 'definition' = 'nothing';
  try {
    const targetLive = await target.read();
    const placed = await settledWrite(deps, record, lock, target, 'disable', false, () => target.placePaused(req.desiredTarget(targetLive)));
    if (placed.kind === 'not-applied') throw new NothingChangedError(`${req.to} did not take the paused copy (${placed.reason}); nothing was changed`);
    written = 'target';
    await record({ kind: 'step', step: 'target-paused' });
    deps.report({ kind: 'step', step: 'target-paused', message: `${req.to}: written switched off (paused: it runs nothing)` });

    const [sourceAfter, targetAfter] = await Promise.all([req.sourceUnreachable ? undefined : source.read(), target.read()]);
    if (sourceAfter && source.isEnabled(sourceAfter)) throw new Error(`${req.from} shows the job enabled, though it is paused`);
    if (!targetAfter || target.isEnabled(targetAfter)) throw new Error(`${req.to} does not show the job present and switched off`);
    await record({ kind: 'step', step: 'verified', detail: { paused: true } });
    deps.report({ kind: 'step', step: 'verified', message: `verified: ${req.from} ${req.sourceUnreachable ? 'not checked' : 'disabled'}, ${req.to} present and switched off` });

    const definitionDiff = await deps.writeDefinition(req.to);
    written = 'definition';
    await record({ kind: 'step', step: 'definition-written', detail: { file: req.definition.file } });
    await record({ kind: 'done' });
    const outcome: EnableOutcome = { firstSlot: handoff.nextSlot, compensated: [], lost: [], detail: { paused: true } };
    return { id: deps.id, handoff, outcome, definitionDiff, paused: true };
  } catch (err) {
    if (written === 'nothing') throw err;
    const reason = firstLine(err);
    const state =
      written === 'definition'
        ? `${job.name} is paused on ${req.to}, as its definition now says; ${req.from} keeps a switched-off copy. Nothing runs.`
        : `${job.name} is switched off on both ${req.from} and ${req.to}; its definition still says ${req.from}. Nothing runs; \`migrate move ${job.name} --to ${req.to}\` again finishes the move.`;
    await record({ kind: 'aborted', reason, state }).catch(() => undefined);
    throw new MoveAbortedError(`move of ${job.name} failed: ${reason}`, state);
  }
}

/** A write whose outcome could not be told: it may still land until `settleBy` (local clock). */
export class UnsettledWriteError extends Error {
  constructor(message: string, readonly settleBy: Date) {
    super(message);
    this.name = 'UnsettledWriteError';
  }
}

export type WriteResult = { readonly kind: 'applied'; /** The server's time when it was seen applied, for a write whose answer was lost. */ readonly seenAt?: Date } | { readonly kind: 'not-applied'; readonly reason: string };

/**
 * One write of the protocol, announced in the journal first (a `write` step naming what the
 * system will show once it lands, and until when it may land; or, when the protocol records a
 * step right before it, that step carrying the announcement as `detail.write`), then sent. When its answer is an
 * error, nothing was applied. When no answer came (a timeout, a dropped connection, a 504), it
 * may land later: it is settled before anything else is written, by reading until the system
 * shows it applied, or until its client's whole budget and LATE_WRITE_BOUND_MS have passed with
 * every read saying it was not (docs/cutover-protocol.md, "The fault model").
 */
export async function settledWrite(
  deps: Pick<MoveDeps, 'localNow' | 'wait' | 'report'>,
  record: RecordWriter,
  lock: Lock,
  side: CutoverSide,
  write: 'disable' | 'enable',
  expectEnabled: boolean,
  send: () => Promise<unknown>,
  carrier?: Extract<RecordBody, { kind: 'step' }>,
): Promise<WriteResult> {
  const settleBy = new Date(deps.localNow().getTime() + side.writeBudgetMs + LATE_WRITE_BOUND_MS);
  const announced = { system: side.system, write, enabled: expectEnabled, settleBy: toRfc3339(settleBy) };
  await record(carrier ? { ...carrier, detail: { ...carrier.detail, write: announced } } : { kind: 'step', step: 'write', detail: announced });
  try {
    await send();
    return { kind: 'applied' };
  } catch (err) {
    if (side.writeFailure(err) === 'not-applied') return { kind: 'not-applied', reason: firstLine(err) };
    deps.report({ kind: 'warning', message: `${side.system} did not answer the ${write} (${firstLine(err)}): reading until it shows whether it landed (at most until ${toRfc3339(settleBy)})` });
    return settle(deps, lock, side, expectEnabled, settleBy, firstLine(err));
  }
}

/**
 * Enables `side` from `firstSlot` as one settled write. Seen enabled after its answer was lost,
 * it is enabled again: that is idempotent and makes up what the lost call may not have done (a
 * passed slot's Job, the lost slots of a late landing). Not applied: throws `notApplied(why)`.
 */
export async function settledEnable(
  deps: Pick<MoveDeps, 'localNow' | 'wait' | 'report'>,
  record: (r: RecordBody) => Promise<void>,
  lock: Lock,
  side: CutoverSide,
  desired: unknown,
  firstSlot: Date,
  schedule: { readonly cron: string; readonly timezone: string; readonly startingDeadlineSeconds: number },
  notApplied: (why: string) => string,
  carrier?: Extract<RecordBody, { kind: 'step' }>,
  /** The side as the caller just read it, nothing written to it and no wait since: the first attempt does not read it again. */
  current?: { readonly live: unknown },
): Promise<EnableOutcome> {
  let outcome: EnableOutcome | undefined;
  const on = await settledWrite(deps, record, lock, side, 'enable', true, async () => {
    outcome = await side.enableFrom(desired, firstSlot, schedule, undefined, current);
  }, carrier);
  if (on.kind === 'not-applied') throw new Error(notApplied(on.reason));
  return outcome ?? side.enableFrom(desired, firstSlot, schedule, on.seenAt);
}

/** Writes a record of move `id`, stamped with the reference server's time in whole seconds. */
export function recordWriter(deps: Pick<MoveDeps, 'journal' | 'sides' | 'reference'>, id: string, job: string): RecordWriter {
  const clock = deps.sides[deps.reference];
  return (r, options) => deps.journal({ v: JOURNAL_VERSION, id, job, at: toRfc3339(wholeSecond(clock.serverClock().now())), ...r } as JournalRecord, options);
}

/** Reads until `side` shows the job enabled as expected, or `settleBy` (local clock) has passed with it not. */
export async function settle(deps: Pick<MoveDeps, 'localNow' | 'wait'>, lock: Lock | undefined, side: CutoverSide, expectEnabled: boolean, settleBy: Date, why: string): Promise<WriteResult> {
  for (;;) {
    const live = await side.read().then(
      (l) => ({ ok: true as const, live: l }),
      () => ({ ok: false as const }),
    );
    if (live.ok && live.live !== undefined && side.isEnabled(live.live) === expectEnabled) return { kind: 'applied', seenAt: side.serverClock().now() };
    const left = settleBy.getTime() - deps.localNow().getTime();
    if (left <= 0) {
      if (live.ok && side.fence) {
        // Past the bound, a system that can fence does: nothing still in flight lands after this.
        await side.fence();
        const fenced = await side.read();
        if (fenced !== undefined && side.isEnabled(fenced) === expectEnabled) return { kind: 'applied', seenAt: side.serverClock().now() };
      }
      if (live.ok) return { kind: 'not-applied', reason: `${why}; not applied by ${toRfc3339(settleBy)}` };
      throw new UnsettledWriteError(`${side.system} cannot be read to tell whether a write landed (${why})`, settleBy);
    }
    await deps.wait(Math.min(left, 2000));
    // A renewal that fails must not end the settling: whatever comes next (going on, or putting
    // back) is decided only once the write in flight has settled. The lease outlives a settling
    // (its TTL is at least two minutes); the next renewal outside it reports a lock really lost.
    await lock?.renew().catch(() => undefined);
  }
}

class NothingChangedError extends Error {}

/** Why the systems no longer allow the move, read under the lock (another move may have finished since the plan). */
function changedSincePlan(req: MoveRequest, source: CutoverSide, target: CutoverSide, sourceLive: unknown, targetLive: unknown): string | undefined {
  // A paused job is switched off on its source; any other must still run there, and there alone.
  if (req.job.paused && sourceLive === undefined) return `it no longer exists in ${req.from}`;
  if (req.job.paused && source.isEnabled(sourceLive)) return `it is enabled in ${req.from}, though paused`;
  if (!req.job.paused && (sourceLive === undefined || !source.isEnabled(sourceLive))) return `it is no longer enabled in ${req.from}`;
  if (targetLive !== undefined && target.isEnabled(targetLive)) return `it is already enabled in ${req.to}`;
  return undefined;
}

/** Where a move that changed nothing leaves the job, in words. */
function unchangedState(job: JobDefinition, from: BackendName): string {
  return job.paused ? `${job.name} stays paused on ${from}` : `${job.name} still runs on ${from}`;
}

/**
 * Which slots a source ran, by its evidence; and, when its disable landed unseen before
 * `landedBy` on a system whose late writes overwrite that evidence (`lateWritesHideRuns`: the write carries
 * the start it was read with), every slot up to `landedBy` as well: it was enabled until the write
 * landed. A slot between the landing and `landedBy` is then counted as run, never run twice.
 */
export async function takenUpTo(side: CutoverSide, live: unknown, slots: readonly Date[], landedBy: Date | undefined): Promise<readonly boolean[]> {
  const evidence = await side.taken(live, slots);
  if (!landedBy || !side.lateWritesHideRuns) return evidence;
  return evidence.map((t, i) => t || slots[i]!.getTime() <= landedBy.getTime());
}

/** Only called before the first change: an interrupted move then ends with nothing changed. */
function stopIfInterrupted(deps: MoveDeps): void {
  if (deps.interrupted?.aborted) throw new NothingChangedError('interrupted (Ctrl-C) before anything changed; the lock is released');
}

/** What a failed move's compensation did, as data; `renderPutBack` words it for the operator. */
export type PutBackOutcome =
  | {
      readonly kind: 'restored';
      readonly job: string;
      readonly from: BackendName;
      readonly to: BackendName;
      /** The source runs again from this slot. */
      readonly firstSlot: Date;
      /** The target was enabled and is now disabled, or never came up (a failed create may have put an old copy back, suspended). */
      readonly target: 'disabled' | 'not enabled';
      readonly lost: readonly Date[];
      /** `unchanged`: as before the move (never written, or written and set back). */
      readonly definition: 'unchanged' | { readonly notSetBack: string };
    }
  | { readonly kind: 'no-source-copy'; readonly job: string; readonly from: BackendName; readonly to: BackendName }
  | { readonly kind: 'failed'; readonly job: string; readonly from: BackendName; readonly to: BackendName; readonly targetMayBeEnabled: boolean; readonly error: string };

/** The one place a put-back is put in words (the journal's `state`, the error, the output). */
export function renderPutBack(o: PutBackOutcome): string {
  switch (o.kind) {
    case 'restored': {
      const definition =
        o.definition === 'unchanged' ? 'the definition is unchanged' : `the definition could NOT be set back to ${o.from} (${o.definition.notSetBack}): set backend: ${o.from} by hand`;
      const lost = o.lost.length ? ` Lost slots (outside the start window): ${o.lost.map(toRfc3339).join(', ')}.` : '';
      return `Put back: ${o.job} runs on ${o.from} again from ${toRfc3339(o.firstSlot)}; ${o.to} is ${o.target}; ${definition}.${lost}`;
    }
    case 'no-source-copy':
      return `${o.to} is disabled; ${o.from} has no copy of the job to re-enable: recreate it with \`migrate apply ${o.job}\`.`;
    case 'failed':
      return (
        `could NOT put the job back (${o.error}): ${o.from} is disabled (or absent, if it was being recreated) and ${o.to} may be ${o.targetMayBeEnabled ? 'enabled' : 'absent or disabled'}. ` +
        `Run \`migrate status ${o.job}\`, then \`migrate resume ${o.job}\` or \`migrate rollback ${o.job}\`.`
      );
  }
}

function putBackRecord(o: PutBackOutcome): Readonly<Record<string, unknown>> {
  return o.kind === 'restored'
    ? { kind: o.kind, firstSlot: toRfc3339(o.firstSlot), target: o.target, lost: o.lost.map(toRfc3339), definition: typeof o.definition === 'string' ? o.definition : 'not set back' }
    : { kind: o.kind };
}

function firstLine(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

/**
 * Compensation: the source is re-enabled from the first slot the target has not run, with the
 * same care about slots (`CutoverSide.enableFrom`).
 */
async function putBack(
  req: MoveRequest,
  deps: MoveDeps,
  lock: Lock,
  clockSide: CutoverSide,
  handoff: Handoff,
  stage: 'disabled' | 'enabled',
  schedule: { cron: string; timezone: string; startingDeadlineSeconds: number },
  record: (r: RecordBody) => Promise<void>,
): Promise<PutBackOutcome> {
  const source = deps.sides[req.from];
  const target = deps.sides[req.to];
  const base = { job: req.job.name, from: req.from, to: req.to };
  let firstUnrun = handoff.nextSlot;
  if (stage === 'enabled') {
    const targetLive = await target.read();
    if (targetLive) {
      if (target.isEnabled(targetLive)) {
        const off = await settledWrite(deps, record, lock, target, 'disable', false, () => target.disable(targetLive));
        if (off.kind === 'not-applied') throw new Error(off.reason);
      }
      await record({ kind: 'step', step: 'target-disabled' });
      // What the target ran is read after it stopped: every slot up to its last belongs to it.
      const stopped = (await target.read()) ?? targetLive;
      const last = await lastTakenSlot(schedule.cron, schedule.timezone, handoff.nextSlot, await clockSide.serverNow(), (slots) => target.taken(stopped, slots));
      if (last) firstUnrun = slotAfter(schedule.cron, schedule.timezone, last) ?? firstUnrun;
    }
  }
  const sourceLive = await source.read();
  if (!sourceLive) return { kind: 'no-source-copy', ...base };
  const outcome = await settledEnable(deps, record, lock, source, sourceLive, firstUnrun, schedule, (why) => why);
  await record({ kind: 'step', step: 'source-restored', detail: enableDetail(outcome) });
  return { kind: 'restored', ...base, firstSlot: outcome.firstSlot, target: stage === 'enabled' ? 'disabled' : 'not enabled', lost: outcome.lost, definition: 'unchanged' };
}

type Readiness = 'ready' | 'has not launched its last slot' | 'is still running a run and concurrency is forbid';

/** `knownRuns`: the source's runs in flight as read a moment ago, with no wait since; the first check uses them. */
async function sourceReady(source: CutoverSide, live: unknown, handoff: Handoff, job: JobDefinition, deps: MoveDeps, lock: Lock, knownRuns?: readonly unknown[]): Promise<Readiness> {
  if (!live || !source.isEnabled(live)) return 'ready';
  // A run in progress may be waited for until the margin before the next slot; a launch that has
  // not happened only until the slot's own start window closes (a source that does not launch
  // is broken, and waiting a day for a nightly job's launch helps nobody).
  const runDeadline = handoff.nextSlot.getTime() - handoff.guardSeconds * 1000;
  const launchDeadline = handoff.previousSlot
    ? Math.min(runDeadline, Math.max(handoff.at.getTime(), handoff.previousSlot.getTime() + job.startingDeadlineSeconds * 1000))
    : runDeadline;
  // The caller has just read the source: the first check uses that, later ones read again.
  for (let current: unknown = live, runs = knownRuns; ; current = await source.read(), runs = undefined) {
    stopIfInterrupted(deps);
    const taken = !current || !handoff.previousSlot || !source.pending(current, handoff.previousSlot);
    const running = job.concurrency === 'forbid' && taken ? (runs ?? (await source.activeRuns())).length > 0 : false;
    if (taken && !running) return 'ready';
    const deadline = taken ? runDeadline : launchDeadline;
    const now = await source.serverNow();
    if (now.getTime() >= deadline) return taken ? 'is still running a run and concurrency is forbid' : 'has not launched its last slot';
    const why = taken ? 'the source is still running (concurrency forbid): waiting for it to finish' : `waiting for the source to launch its ${toRfc3339(handoff.previousSlot!)} slot`;
    deps.report({ kind: 'waiting', until: new Date(deadline), seconds: Math.ceil((deadline - now.getTime()) / 1000), why });
    await deps.wait(Math.min(5000, deadline - now.getTime()));
    await lock.renew();
  }
}

/** Waits on the server's clock, re-reading it after every wait (`known`: the time as just read, when no wait came since). */
async function waitUntil(deps: MoveDeps, side: CutoverSide, at: Date, lock: Lock, why: string, known?: Date): Promise<Date> {
  for (let first = true; ; first = false) {
    stopIfInterrupted(deps);
    const now = first && known ? known : await side.serverNow();
    const left = at.getTime() - now.getTime();
    if (left <= 0) return now;
    deps.report({ kind: 'waiting', until: at, seconds: Math.ceil(left / 1000), why });
    await deps.wait(Math.min(left, 10_000));
    // The lease's expiry is in server time: renew after every wait, whatever clock moved.
    await lock.renew();
  }
}

/**
 * The local clock and every other system's are checked against the reference, each as its last
 * answer (just read under the lock) showed it; a system skipped by a forced rollback is not asked.
 */
function warnOnSkew(deps: MoveDeps, reference: Date, req: MoveRequest): void {
  const local = deps.localNow();
  const skew = Math.round((local.getTime() - reference.getTime()) / 1000);
  if (Math.abs(skew) > SKEW_WARNING_SECONDS) deps.report({ kind: 'clock-skew', system: 'local', skewSeconds: skew, reference: deps.reference });
  const others = (Object.keys(deps.sides) as BackendName[]).filter((s) => s !== deps.reference && !(req.sourceUnreachable && s === req.from));
  for (const system of others) {
    const at = deps.sides[system].serverClock().now();
    const s = Math.round((at.getTime() - reference.getTime()) / 1000);
    if (Math.abs(s) > SKEW_WARNING_SECONDS) deps.report({ kind: 'clock-skew', system, skewSeconds: s, reference: deps.reference });
  }
}

function wholeSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function handoffRecord(h: Handoff) {
  return { at: toRfc3339(h.at), previousSlot: h.previousSlot ? toRfc3339(h.previousSlot) : null, nextSlot: toRfc3339(h.nextSlot), guardSeconds: h.guardSeconds };
}

function enableDetail(o: EnableOutcome): Record<string, unknown> {
  return { firstSlot: toRfc3339(o.firstSlot), compensated: o.compensated.map(toRfc3339), lost: o.lost.map(toRfc3339), ...o.detail };
}

function describeEnable(system: BackendName, o: EnableOutcome): string {
  const comp = o.compensated.length ? `; slot ${o.compensated.map(toRfc3339).join(', ')} had passed and was started now` : '';
  return `${system}: enabled, first run ${toRfc3339(o.firstSlot)}${comp}`;
}
