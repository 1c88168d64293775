/**
 * `rollback` decided: undo the job's last completed move through the same protocol, finish an
 * unfinished one backwards, or say there is nothing to undo. Which system may be left without
 * being disabled is decided here from each client's failure class: only a system that does not
 * answer (`unreachable`) may be, and only when the operator forces it.
 */
import { backendOf } from '../../backends/index.js';
import type { FailureClass } from '../core/backend.js';
import type { LoadedDefinition } from '../core/definition.js';
import { UserError } from '../core/errors.js';
import type { BackendName } from '../core/job.js';
import { moveToUndo, unfinishedMoves, type MoveHistory } from '../core/journal.js';
import type { ActionConfig } from './config.js';
import type { MoveTarget } from './move-setup.js';

export type RollbackDecision =
  /**
   * An interrupted move: undone from where it stopped (`finishUnfinished`, direction back); an
   * interrupted rollback is continued (forward): rolling back a rollback would move the job on again.
   */
  | { readonly kind: 'unfinished'; readonly move: MoveHistory; readonly direction: 'forward' | 'back' }
  /** The last move was already rolled back: re-running a rollback is safe and does nothing. */
  | { readonly kind: 'already-rolled-back'; readonly move: MoveHistory; readonly by: MoveHistory }
  /** A move back, through the protocol; `forced` names the unreachable system that is left as it is. */
  | { readonly kind: 'move'; readonly target: MoveTarget; readonly forced?: string };

export async function decideRollback(config: ActionConfig, definition: LoadedDefinition, force: boolean): Promise<RollbackDecision> {
  const name = definition.job.name;
  const journal = config.journal.read();
  const unfinished = unfinishedMoves(journal).get(name);
  if (unfinished) return { kind: 'unfinished', move: unfinished, direction: unfinished.begin.operation === 'rollback' ? 'forward' : 'back' };
  const toUndo = moveToUndo(journal, name);
  if (!toUndo) throw new UserError(`there is no completed move of ${name} in the journal`, 'Nothing to roll back. `migrate history` lists what the journal holds.');
  // Re-running a rollback (a wave's loop after fixing one job) must not move the job forward again.
  if (toUndo.undoneBy) return { kind: 'already-rolled-back', move: toUndo.move, by: toUndo.undoneBy };

  const last = toUndo.move;
  const from = last.begin.to;
  const to = last.begin.from;
  // When the system we leave is down, say what cannot be guaranteed, and go on only if told to.
  // Refused credentials or a broken kubeconfig are not "down": --force would enable the job a
  // second time while the other system, which is up, keeps running it.
  // Each system's read of the job tells whether it answers; the plan then uses what they read.
  const [fromRead, toRead] = await Promise.all([readJob(config, from, definition), readJob(config, to, definition)]);
  const fromError = 'failure' in fromRead ? fromRead : undefined;
  const toError = 'failure' in toRead ? toRead : undefined;
  if (toError) {
    const down = toError.failure === 'unreachable';
    throw new UserError(
      `${to} ${down ? 'is unreachable' : 'cannot be used'}, so ${name} cannot be put back there: ${toError.summary}`,
      `It keeps running on ${from}. ${down ? `Retry when ${to} answers.` : (toError.detail ?? `Fix access to ${to}, then retry.`)}`,
    );
  }
  if (fromError && fromError.failure !== 'unreachable') {
    // A client that could not send its request learnt nothing about the system: it may be up.
    const asked = fromError.failure === 'refused';
    throw new UserError(
      `${from} ${asked ? 'answered but cannot be used' : 'cannot be asked (the client is misconfigured)'}: ${fromError.summary}`,
      `${fromError.detail ?? `Fix access to ${from}.`}\nNothing changed; ${name} keeps running on ${from}. --force is only for a system that is down: ` +
        `${asked ? 'here it would' : `${from} was never asked, and if it is up that would`} leave ${name} enabled on both.`,
    );
  }
  if (fromError && !force) {
    throw new UserError(
      `${from} is unreachable: ${fromError.summary}`,
      `Rolling back now re-enables ${name} on ${to} but cannot disable it on ${from}. ` +
        `If ${from} is still running it, slots will run twice until it is disabled by hand; if it is down, nothing is doubled. ` +
        `Re-run with --force to go ahead anyway.`,
    );
  }
  const read = new Map<BackendName, unknown>([[to, 'live' in toRead ? toRead.live : undefined]]);
  if ('live' in fromRead) read.set(from, fromRead.live);
  const target: MoveTarget = { definition, from, to, operation: 'rollback', undoes: last.id, sourceUnreachable: Boolean(fromError), snapshot: last.begin.snapshots[to], read };
  return fromError ? { kind: 'move', target, forced: from } : { kind: 'move', target };
}

interface ReadFailure {
  readonly failure: FailureClass;
  readonly summary: string;
  readonly detail?: string;
}

/** The job as `system` holds it (one request); or what failed, classified by the backend's own client. */
async function readJob(config: ActionConfig, system: BackendName, definition: LoadedDefinition): Promise<{ readonly live: unknown } | ReadFailure> {
  try {
    return { live: await config.systems.to(system).side(definition.job).read() };
  } catch (err) {
    const summary = err instanceof UserError ? err.summary : err instanceof Error ? err.message.split('\n')[0]! : String(err);
    const detail = err instanceof UserError ? err.detail : undefined;
    // An error the backend does not recognise is not taken for "down": --force must not apply to it.
    const failure = backendOf(system).failureClass(err) ?? 'refused';
    return detail === undefined ? { failure, summary } : { failure, summary, detail };
  }
}
