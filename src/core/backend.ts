/**
 * The one interface every scheduler implements, and the only way the rest of the code reaches a
 * scheduler. Each backend is one object in `backends/<name>/backend.ts`, declared with
 * `satisfies Backend<Live>` and listed in the explicit registry `backends/index.ts`. Commands
 * and actions loop over the registry; nothing outside `backends/<name>/` branches on a name.
 *
 * The pure half (render, read back, lint, normalise, enabled or not, the status view) takes the
 * instant it depends on as an argument. The effectful half is a `BackendConnection`, built from
 * the flags, the environment and `migrate.yaml` by `connect`.
 */
import type { Clock } from './clock.js';
import type { BackendIdentity } from './backend-names.js';
import type { ActiveRun, CutoverSide, LockProvider } from './cutover.js';
import type { JobDefinition } from './job.js';
import { errorSummary, UserError } from './errors.js';
import type { JournalRecord } from './journal.js';
import type { ProjectConfig } from './project.js';
import type { RunEvidence, RunWindow } from './runs.js';
import type { ScheduleView } from './schedule/view.js';

/** A field of the definition that the target cannot carry, reported, never silently lost. */
export interface TranslationWarning {
  readonly field: string;
  readonly message: string;
  /**
   * On import: the field is not lost but kept in the definition's `specific.<backend>` section,
   * and said because a move to another backend drops it.
   */
  readonly carried?: boolean;
}

export interface Rendered<T> {
  readonly manifest: T;
  readonly warnings: readonly TranslationWarning[];
}

export interface Imported {
  readonly definition: JobDefinition;
  readonly warnings: readonly TranslationWarning[];
}

/**
 * A lint finding before it is placed at a file position: which field (`env.API_TOKEN`,
 * `specific.<backend>.constraints`: the position of the most specific part written), and what is
 * wrong. An error makes the job impossible on the backend; a warning is something the backend
 * will not carry (`validate --strict` fails on those too).
 */
export interface LintFinding {
  readonly field: string;
  readonly message: string;
  /** Default `error`. */
  readonly severity?: 'error' | 'warning';
}

export type { ActiveRun } from './cutover.js';

/**
 * How one job is chained to others on a system that runs some jobs after another's run instead
 * of on a schedule of their own (`Backend.links`).
 */
export interface JobLinks {
  /** The jobs it runs after: it has no schedule of its own there. */
  readonly parents: readonly string[];
  /** The jobs that run after it, and stop running when it stops. */
  readonly children: readonly string[];
}

/**
 * Why a call failed, as the client that made it knows:
 * - `unreachable`: no answer (refused connection, timeout, a 5xx): the system may be down;
 * - `refused`: it answered, and said no (401, 403, a 4xx);
 * - `misconfigured`: no request could be built (a kubeconfig that does not load, no URL).
 * Only `unreachable` lets `rollback --force` leave a system without disabling the job there.
 */
export type FailureClass = 'unreachable' | 'refused' | 'misconfigured';

/** One system's state of one job, for `status`. */
export interface SystemState {
  readonly present: boolean;
  /** Present and switched on (not disabled, not suspended). */
  readonly enabled: boolean;
}

/** What one system said, or why it could not be asked. */
export type SystemView<S extends SystemState = SystemState> =
  | { readonly reachable: true; readonly state: S }
  | { readonly reachable: false; readonly error: string };

/** A backend's columns in the status table and its object in `status -o json`. */
export interface StatusView<S extends SystemState> {
  /** Column headers, the first one the backend's own name in capitals. */
  readonly columns: readonly string[];
  cells(view: SystemView<S>): readonly string[];
  record(view: SystemView<S>): Readonly<Record<string, unknown>>;
  /** The word for an enabled or a switched-off object in this system (`enabled`/`disabled`, `active`/`suspended`). */
  stateWord(enabled: boolean): string;
}

/** Every live object one system holds in the scopes asked for, read in one LIST per scope. */
export type Listing<Live> =
  | { readonly ok: true; readonly items: ReadonlyMap<string, Live>; /** The server's clock at the read. */ readonly now: Date }
  | {
      readonly ok: false;
      readonly error: string;
      /** What to do about it, from the client's error. */
      readonly hint?: string;
      /** The client's error itself, for a caller that fails with it whole (`import`). */
      readonly cause?: unknown;
    };

/** Test seams and command choices for the clients. Commands pass nothing but what they need. */
export interface ConnectionTuning {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly timeoutMs?: number;
  readonly retries?: number;
  /** Server-side apply takes over fields another manager owns (apply, after the operator confirmed the diff). */
  readonly forceConflicts?: boolean;
}

/** What a backend's connection is built from. Each backend reads its own flags, variables and project section. */
export interface ConnectionSettings {
  /** The global flags as parsed (a backend reads the ones it declares, e.g. its URL or kubeconfig). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly project: ProjectConfig;
  /** The local clock (clients age the server's last Date header on it). */
  readonly clock: Clock;
  readonly tuning: ConnectionTuning;
}

/** One live scheduler API. Built lazily: nothing is read or checked until first used. */
export interface BackendConnection<Live = unknown> {
  /** The API's URL, without credentials (for messages, and a sandbox's control API). */
  location(): string;
  /**
   * The scope a job lives in on this system (a namespace; '' where there is none).
   * Without a job, the scope read when no job names one (`import`, `status` of no definitions).
   */
  scopeOf(job?: JobDefinition): string;
  /** The cutover side of one job: what the protocol needs. */
  side(job: JobDefinition): CutoverSide<Live>;
  /** Every object in each scope (one LIST per scope); a scope that cannot be read says why. */
  list(scopes: readonly string[]): Promise<ReadonlyMap<string, Listing<Live>>>;
  /** Every job's runs in flight in `scope`, by its name there, from one reading (what `side(job).activeRuns()` reads for one job). */
  runsInFlight(scope: string): Promise<ReadonlyMap<string, readonly ActiveRun[]>>;
  /**
   * Creates or updates the job's object in `scope` as its definition says (`migrate apply`, after
   * the operator confirmed the diff), written so that the write itself neither runs nor skips a
   * slot: each backend knows how (e.g. a start at the next slot).
   */
  apply(job: JobDefinition, scope: string): Promise<void>;
  /** A lock every operator sees, if this system can hold one. */
  readonly locks?: LockProvider;
  /** A record of moves every operator sees, beside each clone's journal file, if this system can keep one. */
  readonly moveRecords?: MoveRecordStore;
  /** The server's clock as last seen (the newest Date header of any call), aged by the local clock since. */
  serverClock(): Clock;
  /**
   * The runs of each job that the system still keeps, for slots in `window` and the runs just
   * before it (`slo`), with pods waiting now where the system has pods; one answer per job, a job
   * the system could not be asked about carrying the error. Reads in as few calls as the API allows.
   */
  runs(jobs: readonly JobDefinition[], window: RunWindow): Promise<ReadonlyMap<string, RunEvidence>>;
}

/**
 * The journal's records of each job's recent moves, kept in a system every operator reaches (an
 * object per job, in the job's scope), so that a clone that never made a move
 * can see it, roll it back or resume it. The same records as the journal file, secrets already
 * redacted; only each job's last few moves (each backend documents how many).
 */
export interface MoveRecordStore {
  /** Where the job's record lives, as messages name it (`ConfigMap team-a/migrate-moves-nightly`). */
  where(job: JobDefinition): string;
  /** The records kept of each job, oldest first (none kept: []); a scope that cannot be read is a failure naming its jobs. */
  read(jobs: readonly JobDefinition[]): Promise<MoveRecordReading>;
  /**
   * Adds `records` (one or more, in order) after the job's others, in one write conditioned on
   * the copy last read or written: a writer that got there first is read again, never
   * overwritten. Resolves, once stored, with the job's records as stored. Throws
   * MoveRecordConflictError when other writers kept getting there first, the client's own error
   * otherwise (classified by `Backend.failureClass`).
   */
  append(job: JobDefinition, records: readonly JournalRecord[]): Promise<readonly JournalRecord[]>;
}

export interface MoveRecordReading {
  readonly records: ReadonlyMap<string, readonly JournalRecord[]>;
  readonly failures: readonly { readonly jobs: readonly string[]; readonly where: string; readonly error: unknown }[];
}

/** Every conditioned write of a record lost to another writer's: the record was not stored. */
export class MoveRecordConflictError extends UserError {
  constructor(where: string, attempts: number) {
    super(
      `${where} changed under each of ${attempts} writes of one record`,
      'Other writers kept getting there first: the record is in this clone\'s journal only, and the step it announces was not taken. `migrate status` says where the job is; `migrate resume` or `migrate rollback` finishes the move.',
    );
    this.name = 'MoveRecordConflictError';
  }
}

/** Who `migrate rbac` grants access to. */
export interface AccessSubject {
  readonly kind: 'user' | 'group' | 'service-account';
  readonly name: string;
  /** A service account's own namespace (default: each namespace granted). */
  readonly namespace?: string;
}

/** The least access migrate needs on one system, in that system's own terms, and how to apply it. */
export interface AccessGrant {
  readonly manifest: string;
  /** The command that applies `manifest` from its standard input: `kubectl apply -f -`. */
  readonly applyWith: string;
}

/** A scheduler: everything a command or an action needs to know about it. */
export interface Backend<Live = unknown, State extends SystemState = SystemState, Manifest = Live> extends BackendIdentity {
  /** Its server, as a clock-skew warning names it (`<Title> API server`). */
  readonly serverTitle: string;
  /** How the move plan says the target will be switched on. */
  readonly enableStrategy: string;
  /** Where a job lives, as diff labels and messages name it (`<name>/x`, `<name>/<scope>/x`). */
  livePath(name: string, scope: string): string;
  /** What messages call a scope (`namespace`); none where the backend has only one. */
  readonly scopeNoun?: string;
  /** Where the operator sets up the connection, as "fix ..." ends a message: `the kubeconfig (--kubeconfig, --context)`. */
  readonly configuredBy: string;

  // ---- the model: pure -------------------------------------------------------------------
  /**
   * `now` matters to a backend whose schedule starts at the next fire time after now. Throws a
   * UserError when the job cannot run here.
   */
  render(job: JobDefinition, now: Date): Rendered<Manifest>;
  /** A live object as a definition (`import`): what its owner chose, not what the server filled in. */
  toDefinition(live: Live, now: Date): Imported;
  /**
   * Problems that make the job impossible on this backend (e.g. a schedule it cannot express), and
   * as warnings what it would not carry (the render's translation warnings). Also checks the job's
   * `specific.<this backend>` section, wherever the job is declared.
   */
  lint(job: JobDefinition, now: Date): readonly LintFinding[];
  /**
   * The definition's schedule as this system would run it from `now`: its notation, the fields
   * its object writes, its next `count` fire times, and the verdict against the definition's cron.
   */
  scheduleView(job: JobDefinition, now: Date, count: number): ScheduleView;
  /** Strips server-owned fields and fills defaults, so an untouched live object equals its render. */
  normalize(live: Live): Live;
  isEnabled(live: Live): boolean;
  withEnabled(live: Live, enabled: boolean): Live;
  /** Whether a live object is one `migrate` placed (by its labels, where objects other than jobs share the space). */
  isManaged(live: Live): boolean;
  /**
   * Where the system chains jobs (one runs after another's run): the parents and children of
   * every job of one listing that has either, sorted; absent where the system has no chains.
   */
  links?(items: ReadonlyMap<string, Live>): ReadonlyMap<string, JobLinks>;
  /**
   * The object a move or `apply` writes, as the server will hold it (defaults in): rendered from
   * the definition for `scope`, keeping what the live copy must keep (run counters,
   * which a POST would otherwise reset). Throws a UserError when the job cannot run here.
   */
  desired(job: JobDefinition, now: Date, scope: string, live: Live | undefined): Live;
  /** Both sides as a diff compares and shows them (server-owned fields stripped). */
  comparable(live: Live | undefined, desired: Live): { readonly live: unknown; readonly desired: unknown };
  /** The live object's name in this system. */
  nameOf(live: Live): string;
  /** Why `apply` must not write the definition over this live object, if it must not. */
  applyRefusal(live: Live): string | undefined;

  // ---- status -------------------------------------------------------------------------
  observe(live: Live | undefined, now: Date, scope: string): State;
  readonly status: StatusView<State>;

  // ---- effects ------------------------------------------------------------------------
  connect(settings: ConnectionSettings): BackendConnection<Live>;
  /** How a client error of this backend reads (undefined: not this backend's error). */
  failureClass(err: unknown): FailureClass | undefined;
  /** What an operator must be granted in these scopes, where the system has access control migrate's calls need (`migrate rbac`). */
  readonly access?: (scopes: readonly string[], subject: AccessSubject) => AccessGrant;
}

/** A listing that failed, with the client's own summary and its "what to do" line. */
export function failedListing(err: unknown): Extract<Listing<never>, { ok: false }> {
  const error = errorSummary(err);
  const hint = err instanceof UserError ? err.detail?.split('\n').at(-1) : undefined;
  return hint ? { ok: false, error, hint, cause: err } : { ok: false, error, cause: err };
}
