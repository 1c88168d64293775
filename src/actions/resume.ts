/**
 * Finishing a move that was interrupted (the process died, the network went), in either
 * direction: `resume` completes it, `rollback` of an unfinished move puts the job back. Both
 * decide from what the two systems show now, not from what the journal hoped: a request may
 * have reached a server after the client died. Both systems catch up at most one missed slot,
 * so slots that passed while the job ran nowhere are named, and the latest is recovered.
 *
 * A move interrupted before it changed anything (killed while it waited for its handoff
 * instant) is resumed by running the protocol again from the start, as a new move with a fresh
 * handoff: the old instant has most likely passed. The interrupted move is closed (`aborted`,
 * naming the new one) just before the new one's `begin`.
 */
import type { CutoverSide, EnableOutcome, Lock } from '../core/cutover.js';
import { lastTakenSlot, slotAfter } from '../core/handoff.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import type { MoveHistory } from '../core/journal.js';
import { restorableSnapshot } from '../core/secrets.js';
import { toRfc3339 } from '../core/time.js';
import { UserError } from '../core/errors.js';
import type { LoadedDefinition } from '../core/definition.js';
import type { MovePlan } from '../core/move-plan.js';
import type { ActionConfig } from './config.js';
import { desiredTargetFor, planMove, sidesFor, type MoveTarget } from './move-setup.js';
import { moveDeps, moveRequest } from './moves.js';
import { executeMove, MoveAbortedError, recordWriter, settle, settledEnable, settledWrite, takenUpTo, type MoveDeps, type MoveRequest, type RecordBody } from './move.js';
import { LATE_WRITE_BOUND_MS } from '../core/cutover.js';

export interface FinishResult {
  readonly message: string;
  readonly outcome?: EnableOutcome;
  readonly definitionDiff: string;
  /** True when the systems were left as the journal's move intended (forward) or as before it (back). */
  readonly ok: boolean;
}

export async function finishMove(
  move: MoveHistory,
  job: JobDefinition,
  direction: 'forward' | 'back',
  desiredTarget: (targetLive: unknown) => unknown,
  deps: MoveDeps,
  /** The request for the same move run again from the start (planned now); may refuse by throwing. */
  planAgain: () => Promise<MoveRequest>,
): Promise<FinishResult> {
  const from = move.begin.from;
  const to = move.begin.to;
  const source: CutoverSide = deps.sides[from];
  const target: CutoverSide = deps.sides[to];
  const nextSlot = new Date(move.begin.handoff.nextSlot);
  const schedule = { cron: job.schedule, timezone: job.timezone, startingDeadlineSeconds: job.startingDeadlineSeconds };
  const clock = deps.sides[deps.reference];
  const record = recordWriter(deps, move.id, job.name);

  const lock = await deps.acquireLock(180);
  const finishPaused = (held: Lock, sourceLive: unknown, targetLive: unknown, sourceOn: boolean, targetOn: boolean) =>
    finishPausedMove(move, job, direction, desiredTarget, deps, record, held, { sourceLive, targetLive, sourceOn, targetOn });
  const finished = await finishUnderLock(lock).finally(() => lock.release().catch(() => undefined));
  return finished === 'start again' ? moveAgain(move, job, deps, planAgain, record) : finished;

  async function finishUnderLock(lock: Lock): Promise<FinishResult | 'start again'> {
    // A write the interrupted process announced and never saw answered may still land: wait for
    // it before reading, or a decision made now would be undone by it.
    const pending = await settlePending(move, deps, lock);
    const [sourceLive, targetLive] = await Promise.all([source.read(), target.read()]);
    const sourceOn = sourceLive !== undefined && source.isEnabled(sourceLive);
    const targetOn = targetLive !== undefined && target.isEnabled(targetLive);

    if (sourceOn && targetOn) {
      return {
        ok: false,
        definitionDiff: '',
        message: `${job.name} is enabled in BOTH ${from} and ${to}: every slot runs twice. Someone changed a system by hand since the move began; disable one side (\`migrate status ${job.name}\`), then run this again.`,
      };
    }

    if (job.paused) return finishPaused(lock, sourceLive, targetLive, sourceOn, targetOn);

    if (direction === 'forward') {
      // Nothing changed yet: the protocol runs again, under its own lock (once this one is let go).
      if (sourceOn) return 'start again';
      // The source is off. The target is enabled from the first slot after H, or after the last
      // one the source took if its disable landed late (a request that reached the server after
      // the client died). Enabling is idempotent: a target already on gets only what the lost
      // call may not have done (the Jobs of passed slots still inside the start window).
      let firstSlot = nextSlot;
      if (sourceLive !== undefined) {
        const now = await clock.serverNow();
        const landedBy = pending.disableLandedBy && new Date(Math.min(pending.disableLandedBy.getTime(), now.getTime()));
        const last = await lastTakenSlot(schedule.cron, schedule.timezone, nextSlot, now, (slots) => takenUpTo(source, sourceLive, slots, landedBy));
        if (last) firstSlot = slotAfter(schedule.cron, schedule.timezone, last) ?? nextSlot;
      }
      const outcome = await settledEnable(deps, record, lock, target, desiredTarget(targetLive), firstSlot, schedule, (why) => `${to} did not enable ${job.name}: ${why}`);
      // These records precede no change to a system: they reach a shared record with `done`, in one write.
      await record({ kind: 'step', step: 'target-enabled', detail: { firstSlot: toRfc3339(outcome.firstSlot), compensated: outcome.compensated.map(toRfc3339), lost: outcome.lost.map(toRfc3339), resumed: true } }, { later: true });
      // Verified from the enable's answer where the system answers with the job (move.ts, step 7).
      if (outcome.answer !== undefined && !target.isEnabled(outcome.answer)) throw new Error(`${to} does not show ${job.name} enabled`);
      await record({ kind: 'step', step: 'verified' }, { later: true });
      const definitionDiff = await deps.writeDefinition(to);
      await record({ kind: 'step', step: 'definition-written' }, { later: true });
      await record({ kind: 'done' });
      const lost = lostWhileNowhere(outcome.lost);
      return { ok: true, outcome, definitionDiff, message: `finished: ${job.name} runs on ${to}${targetOn ? '' : ` from ${toRfc3339(outcome.firstSlot)}`}.${lost}` };
    }

    // Back: the target is stopped first; the source runs again from the first slot the target has not run.
    let firstUnrun = nextSlot;
    if (targetLive !== undefined) {
      if (targetOn) {
        const off = await settledWrite(deps, record, lock, target, 'disable', false, () => target.disable(targetLive));
        if (off.kind === 'not-applied') throw new Error(`${to} did not disable ${job.name}: ${off.reason}`);
        await record({ kind: 'step', step: 'target-disabled' });
      }
      const stopped = (await target.read()) ?? targetLive;
      const last = await lastTakenSlot(schedule.cron, schedule.timezone, nextSlot, await clock.serverNow(), (slots) => target.taken(stopped, slots));
      if (last) firstUnrun = slotAfter(schedule.cron, schedule.timezone, last) ?? firstUnrun;
    }
    // The source may have run slots of its own after H before its disable landed unseen.
    if (sourceLive !== undefined && !sourceOn && pending.disableLandedBy) {
      const now = await clock.serverNow();
      const landedBy = new Date(Math.min(pending.disableLandedBy.getTime(), now.getTime()));
      const ranHere = await lastTakenSlot(schedule.cron, schedule.timezone, nextSlot, now, (slots) => takenUpTo(source, sourceLive, slots, landedBy));
      const after = ranHere && slotAfter(schedule.cron, schedule.timezone, ranHere);
      if (after && after.getTime() > firstUnrun.getTime()) firstUnrun = after;
    }
    let outcome: EnableOutcome | undefined;
    if (!sourceOn) {
      // The copy is gone (a put-back that deleted and could not recreate it): the journal's
      // before-snapshot rebuilds it, unless it had secrets (masked there, never restorable).
      const copy = sourceLive ?? restorableSnapshot(move.begin.snapshots[from]);
      if (copy === undefined) throw new Error(`${from} has no copy of ${job.name} to re-enable and the journal's snapshot cannot rebuild it; recreate it with \`migrate apply ${job.name}\``);
      outcome = await settledEnable(deps, record, lock, source, copy, firstUnrun, schedule, (why) => `${from} did not enable ${job.name} again: ${why}`);
      await record({ kind: 'step', step: 'source-restored', detail: { firstSlot: toRfc3339(outcome.firstSlot), compensated: outcome.compensated.map(toRfc3339), lost: outcome.lost.map(toRfc3339) } });
    }
    const definitionDiff = await deps.writeDefinition(from);
    const lost = lostWhileNowhere(outcome?.lost ?? []);
    const state = `${job.name} runs on ${from}${outcome ? ` again from ${toRfc3339(outcome.firstSlot)}` : ' (it never stopped)'}; ${to} is disabled.${lost}`;
    await record({ kind: 'aborted', reason: 'rolled back by the operator', state });
    return { ok: true, outcome, definitionDiff, message: `rolled back: ${state}` };
  }
}

/**
 * Finishing the move of a paused job: no slot is owed, so nothing is taken over or made up.
 * Forward, the target is written switched off (again: a write is idempotent) and the definition
 * follows; back, the target is switched off if someone enabled it, and the source keeps (or, gone,
 * gets back from the journal's snapshot) its switched-off copy.
 */
async function finishPausedMove(
  move: MoveHistory, job: JobDefinition, direction: 'forward' | 'back', desiredTarget: (targetLive: unknown) => unknown, deps: MoveDeps,
  record: (r: RecordBody) => Promise<void>, lock: Lock, now: { readonly sourceLive: unknown; readonly targetLive: unknown; readonly sourceOn: boolean; readonly targetOn: boolean },
): Promise<FinishResult> {
  const { from, to } = move.begin;
  const source = deps.sides[from];
  const target = deps.sides[to];
  if (direction === 'forward') {
    if (now.sourceOn) {
      return { ok: false, definitionDiff: '', message: `${job.name} is paused, but enabled in ${from}: someone enabled it since the move began. \`migrate apply ${job.name}\` switches it off; then run this again.` };
    }
    const placed = await settledWrite(deps, record, lock, target, 'disable', false, () => target.placePaused(desiredTarget(now.targetLive)));
    if (placed.kind === 'not-applied') throw new Error(`${to} did not take ${job.name}'s paused copy: ${placed.reason}`);
    await record({ kind: 'step', step: 'target-paused', detail: { resumed: true } });
    const after = await target.read();
    if (!after || target.isEnabled(after)) throw new Error(`${to} does not show ${job.name} present and switched off`);
    await record({ kind: 'step', step: 'verified', detail: { paused: true } });
    const definitionDiff = await deps.writeDefinition(to);
    await record({ kind: 'step', step: 'definition-written' });
    await record({ kind: 'done' });
    return { ok: true, definitionDiff, message: `finished: ${job.name} is paused on ${to} (it runs nothing).` };
  }
  if (now.targetOn) {
    const off = await settledWrite(deps, record, lock, target, 'disable', false, () => target.disable(now.targetLive));
    if (off.kind === 'not-applied') throw new Error(`${to} did not disable ${job.name}: ${off.reason}`);
    await record({ kind: 'step', step: 'target-disabled' });
  }
  if (now.sourceLive === undefined) {
    const copy = restorableSnapshot(move.begin.snapshots[from]);
    if (copy === undefined) throw new Error(`${from} has no copy of ${job.name} and the journal's snapshot cannot rebuild it; recreate it with \`migrate apply ${job.name}\``);
    const placed = await settledWrite(deps, record, lock, source, 'disable', false, () => source.placePaused(copy));
    if (placed.kind === 'not-applied') throw new Error(`${from} did not take ${job.name}'s paused copy back: ${placed.reason}`);
    await record({ kind: 'step', step: 'source-restored', detail: { paused: true } });
  }
  const definitionDiff = await deps.writeDefinition(from);
  const state = `${job.name} is paused on ${from}${now.sourceOn ? ', though enabled there by hand' : ''}; ${to} is switched off.`;
  await record({ kind: 'aborted', reason: 'rolled back by the operator', state });
  return { ok: true, definitionDiff, message: `rolled back: ${state}` };
}

/**
 * The interrupted move's last record, when it announced a write (a `write` step) that the process
 * never saw answered: that write may still land. Wait until the system shows it, or until its
 * `settleBy` has passed, before anything reads or writes.
 */
async function settlePending(move: MoveHistory, deps: MoveDeps, lock: Lock): Promise<{ readonly disableLandedBy?: Date }> {
  const last = move.steps.at(-1);
  const announced = last?.step === 'write' ? last.detail : last?.detail?.write;
  if (!last || !announced || typeof announced !== 'object') return {};
  const { system, write, enabled, settleBy } = announced as { system?: unknown; write?: unknown; enabled?: unknown; settleBy?: unknown };
  if (typeof system !== 'string' || typeof enabled !== 'boolean' || typeof settleBy !== 'string') return {};
  const side = deps.sides[system as BackendName];
  if (!side) return {};
  let seenAt: Date | undefined;
  if (Date.parse(settleBy) > deps.localNow().getTime()) {
    deps.report({ kind: 'note', message: `the interrupted move's last ${system} write may still land: waiting until it shows, or until ${settleBy}` });
    const settled = await settle(deps, lock, side, enabled, new Date(settleBy), 'announced by the interrupted move');
    if (settled.kind === 'applied') seenAt = settled.seenAt;
  }
  if (write !== 'disable' || !side.lateWritesHideRuns) return {};
  // Landed before anyone looked: at the latest by its bound, counted from when it was announced.
  const bound = new Date(Date.parse(last.at) + side.writeBudgetMs + LATE_WRITE_BOUND_MS);
  return { disableLandedBy: seenAt ?? bound };
}

/**
 * The same move through the whole protocol (executeMove), planned now on the API server's clock.
 * The interrupted move's `aborted`, naming the new one, is written just before the new `begin`:
 * never two moves of the job in flight, and `history` tells what became of the first.
 */
async function moveAgain(move: MoveHistory, job: JobDefinition, deps: MoveDeps, planAgain: () => Promise<MoveRequest>, record: (r: RecordBody) => Promise<void>): Promise<FinishResult> {
  const { from, to } = move.begin;
  const request = await planAgain();
  const journal: MoveDeps['journal'] = async (r, options) => {
    if (r.kind === 'begin') {
      await record({ kind: 'aborted', reason: `resumed as move ${deps.id}: nothing had changed, so the move started again with a fresh handoff`, state: `nothing changed: ${job.name} still ran on ${from}` });
    }
    await deps.journal(r, options);
  };
  try {
    const result = await executeMove(request, { ...deps, journal });
    const lost = lostWhileNowhere(result.outcome.lost);
    return {
      ok: true,
      outcome: result.outcome,
      definitionDiff: result.definitionDiff,
      message: `finished: ${job.name} runs on ${to} from ${toRfc3339(result.outcome.firstSlot)} (the interrupted move had changed nothing; it ran again as move ${result.id}, handoff ${toRfc3339(result.handoff.at)}).${lost}`,
    };
  } catch (err) {
    if (err instanceof MoveAbortedError) return { ok: false, definitionDiff: '', message: `${err.reason}\n  ${err.state}` };
    throw err;
  }
}

/** What `resume` (forward) or `rollback` of an unfinished move (back) will do, shown before the operator confirms. */
export function describeUnfinished(move: MoveHistory, direction: 'forward' | 'back', paused = false): string {
  const last = move.steps.at(-1)?.step ?? 'begin';
  const { from, to } = move.begin;
  if (paused) {
    return (
      `${direction === 'forward' ? 'Resume' : 'Roll back'} the unfinished move ${move.id} of ${move.job}, a paused job: ${from} -> ${to}\n` +
      `  begun ${move.begin.at} by ${move.begin.holder}; last recorded step: ${last}\n` +
      `  ${direction === 'forward' ? `${to} will be written switched off and the definition set to ${to}` : `${to} will be switched off (if someone enabled it) and ${from} keeps its switched-off copy`}; nothing runs on either; both systems are re-read first.\n`
    );
  }
  return (
    `${direction === 'forward' ? 'Resume' : 'Roll back'} the unfinished move ${move.id} of ${move.job}: ${from} -> ${to}\n` +
    `  begun ${move.begin.at} by ${move.begin.holder}; last recorded step: ${last}; handoff was ${move.begin.handoff.at} (first slot for ${to}: ${move.begin.handoff.nextSlot})\n` +
    `  ${direction === 'forward' ? `${to} will be enabled (if it is not) and the definition set to ${to}` : `${to} will be disabled (if it runs) and ${from} re-enabled from the first slot ${to} has not run`}; both systems are re-read first.\n` +
    (direction === 'forward' && (last === 'begin' || last === 'locked')
      ? `  If nothing changed yet (${from} still enabled, ${to} not), the move runs again as a new one: a fresh handoff on the API server's clock, through the whole protocol.\n`
      : '')
  );
}

/**
 * Finishes (forward) or undoes (back) the unfinished `move` of `definition`. `onReplan` is shown
 * the plan when the move had changed nothing and runs again from the start.
 */
export async function finishUnfinished(config: ActionConfig, definition: LoadedDefinition, move: MoveHistory, direction: 'forward' | 'back', onReplan: (plan: MovePlan) => void): Promise<FinishResult> {
  const sides = sidesFor(config.systems, definition.job);
  const target: MoveTarget = { definition, from: move.begin.from, to: move.begin.to, operation: 'resume', undoes: move.begin.undoes };
  const deps = moveDeps(config, sides, target);
  const desiredTarget = desiredTargetFor(config.systems, definition.job, move.begin.to, move.begin.operation, () => config.clock.now());
  return finishMove(move, definition.job, direction, desiredTarget, deps, async () => {
    // The interrupted move planned afresh, as `move` (or `rollback`) plans it; a refusal stops here, before any change.
    const { from, to, undoes } = move.begin;
    const operation = move.begin.operation === 'rollback' ? 'rollback' : 'move';
    const again: MoveTarget = { definition, from, to, operation, undoes, snapshot: move.begin.snapshots[to] };
    const { plan, desiredTarget: desired } = await planMove(config.systems, { ...again, guardSeconds: config.guardSeconds, sides });
    onReplan(plan);
    if (plan.refusal) throw new UserError(`${operation} of ${move.job} refused: ${plan.refusal}`, `Nothing changed. \`migrate rollback ${move.job}\` closes the interrupted move and leaves ${move.job} on ${from}.`);
    return moveRequest(config, again, desired);
  });
}

/** The sentence that names the slots lost while the job ran nowhere ('' when none). */
function lostWhileNowhere(lost: readonly Date[]): string {
  return lost.length ? ` Lost while the job ran nowhere: ${lost.map(toRfc3339).join(', ')}.` : '';
}
