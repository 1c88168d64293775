/**
 * What every action (move, rollback, resume) runs over: the live systems, the journal, the
 * definition files, the clocks and waits, and where progress is reported. The CLI builds one
 * from the machine (files, real waits or a sandbox's clock); tests build one over the sandbox.
 */
import type { Clock } from '../core/clock.js';
import type { BackendName } from '../core/job.js';
import type { Handoff } from '../core/handoff.js';
import type { JournalRecord, MoveStep } from '../core/journal.js';
import type { Systems } from './move-setup.js';

/** What a move reports as it goes, for the CLI to print. */
export type MoveEvent =
  | { readonly kind: 'locked'; readonly holder: string }
  | { readonly kind: 'clock-skew'; readonly system: string; readonly skewSeconds: number; /** Whose clock the move follows. */ readonly reference: BackendName }
  | { readonly kind: 'waiting'; readonly until: Date; readonly seconds: number; readonly why: string }
  | { readonly kind: 'replanned'; readonly handoff: Handoff; readonly why: string }
  | { readonly kind: 'step'; readonly step: MoveStep; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string }
  /** A line of progress outside the protocol's steps (the watch of the first run). */
  | { readonly kind: 'note'; readonly message: string };

/** The append-only journal (a file in the repository). */
export interface JournalStore {
  /** Every record, in order; throws on a damaged journal (an action never acts on part of the history). */
  read(): readonly JournalRecord[];
  /**
   * Appends one record durably before resolving: a step that happened is never lost. `later`:
   * the record precedes no change to a system, so a shared record of moves may receive it with
   * the next record appended, in one write (the file has it at once).
   */
  append(record: JournalRecord, options?: AppendOptions): Promise<void>;
  /** Sends the records kept for later to the shared record now (before a wait: other clones then see the move in flight). */
  flush(): Promise<void>;
  /**
   * Whether a move's first shared write of `job` would show another move recorded since this
   * process read the record (it then throws ConcurrentMoveError, the move's records written).
   */
  seesOtherMoves?(job: string): boolean;
}

/** Another move of the job was recorded between this process's reading of the shared record and its move's first write there. */
export class ConcurrentMoveError extends Error {
  constructor(job: string, other: string) {
    super(`another move of ${job} (${other}) was recorded since the plan`);
    this.name = 'ConcurrentMoveError';
  }
}

export interface AppendOptions {
  readonly later?: boolean;
}

/** The job definition files: read, and flipped or restored atomically, keeping comments. */
export interface DefinitionStore {
  text(file: string): string;
  /** Sets the file's backend to `to`; returns the diff shown to the operator. */
  flip(file: string, to: BackendName): Promise<string>;
  /**
   * Puts the file back as it was before `move` (byte for byte, secrets from the current file),
   * when it was not edited since; undefined when it cannot (then it is flipped instead).
   */
  restoreBefore(file: string, before: { readonly text: string; readonly from: BackendName; readonly to: BackendName }): string | undefined;
}

export interface ActionConfig {
  readonly systems: Systems;
  readonly journal: JournalStore;
  readonly definitions: DefinitionStore;
  /** The local clock: only to warn when it disagrees with the servers, and for move ids. */
  readonly clock: Clock;
  /** Waits about `ms`: real time in production, the sandbox's clock in a rehearsal. */
  readonly wait: (ms: number) => Promise<void>;
  readonly report: (job: string, event: MoveEvent) => void;
  /** Who runs this process (user@host pid N), as locks and the journal name it. */
  readonly holder: string;
  /** A holder whose process is known to be gone (killed on this machine): its lock is not waited out. */
  readonly isAbandonedHolder: (holder: string) => boolean;
  /** A new move's id. */
  readonly newMoveId: (job: string) => string;
  readonly guardSeconds: number;
  /** Aborted when the operator interrupts: a move stops at its next wait if it changed nothing yet. */
  readonly interrupted?: AbortSignal;
}
