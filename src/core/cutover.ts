/**
 * What the cutover protocol needs from each scheduler, so `move` is written once for both
 * directions (design.md, "The cutover protocol"). Implemented in `backends/<name>/cutover.ts`.
 */
import type { ActiveRun } from './backend.js';
import type { Clock } from './clock.js';
import type { BackendName } from './job.js';

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
