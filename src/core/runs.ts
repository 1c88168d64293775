/**
 * The runs of a job as one system reports them: what `BackendConnection.runs` answers and what
 * `slo` judges against the schedule. Each backend reads its own records (docs/slo.md says which) into
 * these shapes.
 */

/** Slots are owed in (from, until]. */
export interface RunWindow {
  readonly from: Date;
  readonly until: Date;
}

export type RunOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'killed';

/** One run (one attempt, where the system retries by starting another run) of a job. */
export interface ObservedRun {
  /** The system's name for it (a run object's name, a task id). */
  readonly id: string;
  /** The slot it ran for, when the system records it (a Job's scheduled-timestamp annotation or name). */
  readonly slot?: Date;
  /**
   * When the system decided to run it (a run object's creation, the due time a task id holds). A run
   * without `slot` is matched to the oldest slot its system owed at that instant (`matchRuns`).
   */
  readonly requestedAt: Date;
  /** When it started running (a Job's `status.startTime`, a task's TASK_RUNNING); absent while queued. */
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly outcome: RunOutcome;
  /** The system's word for a failure or a kill (`BackoffLimitExceeded`, `DeadlineExceeded`, `Evicted`). */
  readonly reason?: string;
  /** Another attempt at the same slot after a failure (a retry): not a second run of the slot. */
  readonly retry?: boolean;
  /** Started by hand, for no slot (a Job created from the CronJob without the scheduled-timestamp annotation). */
  readonly manual?: boolean;
}

/** A pod (or task) of the job that has waited to be placed since `since`. */
export interface WaitingPod {
  readonly name: string;
  readonly since: Date;
}

/** What the system keeps in place of a run history (a system without task history: the job's own fields). */
export interface RunCounters {
  readonly lastSuccess?: Date;
  readonly lastError?: Date;
  readonly successCount: number;
  readonly errorCount: number;
  readonly errorsSinceLastSuccess: number;
}

export type RunEvidence =
  | {
      readonly ok: true;
      /** Whether the system holds the job now. A job it does not hold has no runs there. */
      readonly present: boolean;
      /** Every run the system still keeps, in any order (retried attempts each on their own). */
      readonly runs: readonly ObservedRun[];
      /**
       * From when `runs` is complete: older runs may have been cleaned up (history limits, a TTL,
       * a history that keeps the last N). Undefined: nothing older was dropped. A slot before it
       * that shows no run is unverified, not missed.
       */
      readonly completeFrom?: Date;
      /** Where the runs came from, in words (`Jobs owned by the CronJob`, `task history (GET …/job/stat/x)`). */
      readonly source: string;
      /** Pods waiting to be placed now; undefined where the system has none to ask about. */
      readonly waiting?: readonly WaitingPod[];
      /** Why the waiting pods could not be read (the rest could), e.g. no RBAC to list pods. */
      readonly waitingUnread?: string;
      /** Only when there is no run history: what the job's own fields say. */
      readonly counters?: RunCounters;
      /** Anything the reader should know about these figures. */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly error: string };
