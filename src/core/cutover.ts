/**
 * What the cutover protocol needs from each scheduler, so `move` is written once for both
 * directions (docs/cutover-protocol.md). Implemented in `backends/<name>/cutover.ts`.
 */
import type { ActiveRun } from './backend.js';
import type { Clock } from './clock.js';
import type { BackendName, JobDefinition } from './job.js';

/** How the target was switched on, and which slots it had to be given by hand. */
export interface EnableOutcome {
  /** The first slot the target runs (by its own schedule, or compensated below). */
  readonly firstSlot: Date;
  /** Slots that had already passed when the target came up, started by migrate (Kubernetes) or run at once by the system (Chronos). */
  readonly compensated: readonly Date[];
  /** Slots that passed while the job ran nowhere and that no system will run (outside the start window). */
  readonly lost: readonly Date[];
  /** What the system reported, for the journal (e.g. the CronJob's creationTimestamp). */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A held move lock. Its expiry is in the lock server's time, so it is renewed after every wait. */
export interface Lock {
  renew(): Promise<void>;
  release(): Promise<void>;
  /** false when no lock could be taken (a forced rollback away from the unreachable lock server). */
  readonly held?: boolean;
}

/**
 * Where move locks live: one per job, visible to every operator (a Kubernetes Lease). The
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

export interface CutoverSide<Live = unknown> {
  readonly system: BackendName;
  /** The live object, or undefined when the job does not exist in this system. */
  read(): Promise<Live | undefined>;
  isEnabled(live: Live): boolean;
  /**
   * Whether this system has started `slot` already (or never owed it). Chronos rewrites a job's
   * start at launch, so a start still at or before the slot means queued but not launched;
   * Kubernetes' lastScheduleTime reaches the slot when the controller created its Job.
   */
  hasTaken(live: Live, slot: Date): boolean;
  /** Switches the job off without killing a run in progress. */
  disable(live: Live): Promise<void>;
  /**
   * Switches the job on so that its first run is `firstSlot`: Chronos with that start, Kubernetes
   * with a fresh CronJob (an old one deleted with Orphan) and, for a slot already passed at
   * creation, that slot's Job under the controller's own name.
   */
  enableFrom(desired: Live, firstSlot: Date, schedule: { readonly cron: string; readonly timezone: string; readonly startingDeadlineSeconds: number }): Promise<EnableOutcome>;
  activeRuns(): Promise<readonly ActiveRun[]>;
  /** The server's clock, read now (an HTTP round trip). */
  serverNow(): Promise<Date>;
  /** The server's clock as last seen (its last `Date` header, aged locally): no round trip. */
  serverClock(): Clock;
}
