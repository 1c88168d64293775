/**
 * What the cutover protocol needs from each scheduler, so `move` is written once for both
 * directions (docs/cutover-protocol.md). Implemented in `backends/<name>/cutover.ts`.
 */
import type { Clock } from './clock.js';
import type { BackendName, JobDefinition } from './job.js';

/** A run the backend reports as started and not yet finished. */
export interface ActiveRun {
  readonly id: string;
  readonly startedAt?: Date;
  readonly scheduledFor?: Date;
}

/** How the target was switched on, and which slots it had to be given by hand. */
export interface EnableOutcome {
  /** The first slot the target runs (by its own schedule, or compensated below). */
  readonly firstSlot: Date;
  /** Slots that had already passed when the target came up, started by migrate or run at once by the system, as the target does it. */
  readonly compensated: readonly Date[];
  /** Slots that passed while the job ran nowhere and that no system will run (outside the start window). */
  readonly lost: readonly Date[];
  /** What the system reported, for the journal (e.g. the CronJob's creationTimestamp). */
  readonly detail: Readonly<Record<string, unknown>>;
  /**
   * The job as the enabling write's answer showed it, when the system answers a write with the
   * object (a created one); absent when it answers with a bare success (a 204).
   */
  readonly answer?: unknown;
}

/** A held move lock. Its expiry is in the lock server's time, so it is renewed after every wait. */
export interface Lock {
  renew(): Promise<void>;
  release(): Promise<void>;
  /** false when no lock could be taken (a forced rollback away from the unreachable lock server). */
  readonly held?: boolean;
}

/**
 * Where move locks live: one per job, visible to every operator (a lease object). The
 * caller chooses the provider; its server's clock is the move's reference clock.
 */
export interface LockProvider {
  /** The system whose clock the lock's expiry is in. */
  readonly system: BackendName;
  /**
   * Takes the job's lock for `holder`, or throws a UserError naming who holds it. A holder that
   * `isAbandoned` says is dead (a killed process of this machine) is taken over at once.
   */
  acquire(job: JobDefinition, holder: string, ttlSeconds: number, isAbandoned: (holder: string) => boolean): Promise<Lock>;
}

/**
 * How long after its client gave up a write may still land on a server (a request already
 * received, applied late). A write neither seen applied nor answered within its client's whole
 * budget plus this bound is taken as never applied (docs/cutover-protocol.md, "The fault model").
 */
export const LATE_WRITE_BOUND_MS = 30_000;

/** How a write that threw ended: refused by the server (nothing applied), or no answer (it may land later). */
export type WriteFailure = 'not-applied' | 'unknown';

export interface CutoverSide<Live = unknown> {
  readonly system: BackendName;
  /** The live object, or undefined when the job does not exist in this system. */
  read(): Promise<Live | undefined>;
  isEnabled(live: Live): boolean;
  /**
   * Whether this system owes `slot` and has not started it yet: a launch still to come (a CronJob
   * created after the slot never runs it; an exhausted schedule owes nothing).
   */
  pending(live: Live, slot: Date): boolean;
  /**
   * For each slot, whether this system has started it, by the evidence it keeps (a start moved
   * past the slot at launch, a last-schedule time, a run object under the controller's own name:
   * docs/cutover-protocol.md lists each backend's).
   */
  taken(live: Live, slots: readonly Date[]): Promise<readonly boolean[]>;
  /**
   * Switches the job off without killing a run in progress. Resolves with the job as the write's
   * answer showed it when the system answers with the object (no read back needed), else undefined.
   */
  disable(live: Live): Promise<Live | undefined>;
  /**
   * Switches the job on so that its first run is `firstSlot` (a start at that slot, or a fresh
   * object and, for slots already passed at creation but inside the start window, each slot's run
   * started under the controller's own name: docs/cutover-protocol.md).
   * Idempotent: a copy already enabled is this move's, and only what is missing is done;
   * `landedBy` says it was seen applied by then after its answer was lost (a late landing may
   * have skipped slots, which are named). `current` is the job as the caller read it (live
   * undefined: absent), with nothing written to it and no wait since: the side does not read it
   * again, and takes the time from that read's answer.
   */
  enableFrom(
    desired: Live,
    firstSlot: Date,
    schedule: { readonly cron: string; readonly timezone: string; readonly startingDeadlineSeconds: number },
    landedBy?: Date,
    current?: { readonly live: Live | undefined },
  ): Promise<EnableOutcome>;
  /**
   * Writes `desired` switched off, replacing any copy there (the move of a paused job: no slot
   * is owed, so no start is placed and nothing runs, now or when it lands).
   */
  placePaused(desired: Live): Promise<void>;
  /**
   * Makes every write of this side still in flight unable to land, where the system allows it
   * (a version moved on, so a write naming the old one fails; a missing object created switched
   * off, so a create in flight finds its name taken). Without it, a write still in flight is
   * bounded only by LATE_WRITE_BOUND_MS.
   */
  fence?(): Promise<void>;
  /**
   * A write that lands late overwrites this system's record of what it ran (a whole-object write
   * puts back the start the system moved at each launch, as it was read).
   */
  readonly lateWritesHideRuns?: boolean;
  /** How a write of this side that threw ended (the client knows whether the server answered). */
  writeFailure(err: unknown): WriteFailure;
  /** The longest one write of this client can take, every attempt included. */
  readonly writeBudgetMs: number;
  activeRuns(): Promise<readonly ActiveRun[]>;
  /** The server's clock, read now (an HTTP round trip). */
  serverNow(): Promise<Date>;
  /** The server's clock as last seen (its last `Date` header, aged locally): no round trip. */
  serverClock(): Clock;
}
