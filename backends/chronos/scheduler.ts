/**
 * The stand-in's job store and its 3.x scheduler (docs/chronos.md, "Scheduling") on the sandbox clock.
 * A run never executes the command: it lasts a simulated duration and then succeeds or fails as
 * configured (globally, or per job through the SANDBOX_* environment variables below).
 *
 * Simplification: real Chronos enqueues a due job and launches it on the next Mesos offer; here
 * the offer is always there, so a due job launches at the instant it is due.
 */
import type { ImperfectionKind, ImperfectionSource, RunImperfection, RunRecorder, StandInClock, TimedParticipant } from '../stand-in-contract.js';
import { CHRONOS_DEFAULTS, isDependentJob, type ChronosJob } from './model.js';
import { readSchedule, rewriteScheduleAtLaunch } from './schedule.js';

/** Per-job switch, set in the job's `environmentVariables`: `success` (default) or `failure`. */
export const OUTCOME_ENV = 'SANDBOX_OUTCOME';
/** Per-job switch: how long a run lasts, in sandbox seconds. */
export const RUN_SECONDS_ENV = 'SANDBOX_RUN_SECONDS';

export type RunOutcome = 'success' | 'failure';

export interface SchedulerOptions {
  /**
   * Whether task history is kept, as a Chronos with Cassandra keeps it (`--cassandra_contact_points`);
   * without it, `GET /job/stat/{name}` answers an empty `taskStatHistory`. Default true.
   */
  readonly taskHistory?: boolean;
  /** How many of a job's most recent tasks `GET /job/stat/{name}` lists (`--job_history_limit`). Default 5, as Chronos 3.x. */
  readonly jobHistoryLimit?: number;
  /** Simulated duration of a run in sandbox seconds (at least 1). Default 30. */
  readonly runSeconds?: number;
  /** Outcome of every run whose job does not set SANDBOX_OUTCOME. Default `success`. */
  readonly outcome?: RunOutcome;
  /** Delay before a retry after a failure (`--failure_retry`). Default 60 s. */
  readonly failureRetryMs?: number;
}

/** What the sandbox's imperfections can do to a Chronos run: it has no pods, so nothing waits Pending. */
export const CHRONOS_IMPERFECTIONS: readonly ImperfectionKind[] = ['late', 'fail', 'kill'];

interface ActiveTask {
  readonly id: string;
  readonly job: string;
  readonly slot: number | null;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly attempt: number;
  readonly outcome: RunOutcome;
  /** An imperfection kills it at `endsAt` (TASK_KILLED): a `Fail` in the history, no retry, no counters. */
  readonly killed?: boolean;
  /** An imperfection fails every attempt of this run, its retries too. */
  readonly failing?: boolean;
}

/**
 * A due task waiting for a Mesos offer (an imperfection's late start): enqueued at `dueAt`, which
 * its task id carries, and launched at `launchAt`. A job is queued once: while it waits, its due
 * occurrence is not enqueued again.
 */
interface QueuedTask {
  readonly job: string;
  readonly slot: number | null;
  readonly dueAt: number;
  readonly launchAt: number;
  readonly imperfections: readonly RunImperfection[];
}

/**
 * One task as Chronos' JobStats keeps it (a Cassandra row per Mesos status update, folded by task
 * id): started at its TASK_RUNNING, ended at its terminal state. A kill (TASK_KILLED) is a `Fail`,
 * as every terminal state but TASK_FINISHED is.
 */
export interface TaskStat {
  readonly taskId: string;
  readonly job: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly status: 'Running' | 'Success' | 'Fail';
}

/** The codahale reservoir behind a job's run-time histogram holds this many samples. */
const HISTOGRAM_SAMPLES = 1028;

interface PendingRetry {
  readonly job: string;
  readonly slot: number | null;
  readonly attempt: number;
  readonly dueAt: number;
  readonly failing?: boolean;
}

interface Entry {
  job: ChronosJob;
  lastOutcome: 'success' | 'failure' | 'fresh';
  /** Parsed schedule cache; undefined for dependent jobs. */
  repeat?: number;
  startMs?: number;
  /** When it last launched: a schedule whose start cannot advance (`PT0S`) reruns a second later, not in a loop. */
  lastLaunch?: number;
  /** Insertion order: jobs due at the same instant launch in this order. */
  readonly seq: number;
  /** Bumped whenever the due time changes; older heap items are stale. */
  gen: number;
}

/** An item of the due-heap: when `entry` (as of generation `gen`) is due. */
interface DueItem {
  readonly at: number;
  readonly seq: number;
  readonly gen: number;
  readonly entry: Entry;
}

export interface SchedulerSnapshot {
  readonly jobs: readonly ChronosJob[];
  readonly lastOutcome: Readonly<Record<string, Entry['lastOutcome']>>;
  readonly tasks: readonly ActiveTask[];
  readonly retries: readonly PendingRetry[];
  readonly firedEdges: Readonly<Record<string, readonly string[]>>;
  readonly taskSeq: number;
  /** Each job's most recent tasks (what Cassandra keeps for it); absent in state saved before it was kept. */
  readonly history?: Readonly<Record<string, readonly TaskStat[]>>;
  /** Tasks waiting for an offer; absent in state saved before imperfections. */
  readonly queued?: readonly QueuedTask[];
}

/** Fields a dependent child loses when its scheduled parent is deleted (JobManagementResource.delete). */
const DROPPED_ON_ADOPTION = {
  ownerName: '', description: '', runAsUser: CHRONOS_DEFAULTS.runAsUser, environmentVariables: [], shell: CHRONOS_DEFAULTS.shell,
  arguments: [], constraints: [], concurrent: false, dataProcessingJobType: false,
} as const;

export class ChronosScheduler implements TimedParticipant {
  private readonly entries = new Map<string, Entry>();
  private tasks: ActiveTask[] = [];
  private retries: PendingRetry[] = [];
  private queued: QueuedTask[] = [];
  /** Multi-parent children: which parent edges fired since the child last ran (in memory on the server too). */
  private firedEdges = new Map<string, Set<string>>();
  private taskSeq = 0;
  private entrySeq = 0;
  /** Scheduled jobs by due time, so a step of the clock costs log(n), not a scan of every job. */
  private heap: DueItem[] = [];
  /** Running tasks per job, kept beside `tasks` because the scheduler asks on every step. */
  private running = new Map<string, number>();
  private readonly runSeconds: number;
  private readonly outcome: RunOutcome;
  private readonly failureRetryMs: number;
  private readonly keepHistory: boolean;
  readonly jobHistoryLimit: number;
  /** Per job, its most recent tasks, oldest first: only the last `jobHistoryLimit` are ever served. */
  private history = new Map<string, TaskStat[]>();
  /** Per job, the run times (ms) of its successful tasks since the scheduler started: in memory, as the server's metrics. */
  private runTimes = new Map<string, number[]>();

  constructor(
    private readonly clock: StandInClock,
    private readonly ledger: RunRecorder,
    options: SchedulerOptions = {},
    private readonly imperfections?: ImperfectionSource,
  ) {
    this.runSeconds = Math.max(1, options.runSeconds ?? 30);
    this.outcome = options.outcome ?? 'success';
    this.failureRetryMs = options.failureRetryMs ?? CHRONOS_DEFAULTS.failureRetryMs;
    this.keepHistory = options.taskHistory ?? true;
    this.jobHistoryLimit = Math.max(0, options.jobHistoryLimit ?? 5);
  }

  // --- the store -------------------------------------------------------------------------------

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * Whether GET shows the job: a dependent job whose parents do not all exist is persisted but
   * dropped from the graph on every loop, so it is invisible (and undeletable) until they do.
   */
  visible(name: string, seen: Set<string> = new Set()): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    const parents = entry.job.parents;
    if (parents === undefined) return true;
    if (seen.has(name)) return true;
    seen.add(name);
    return parents.every((p) => this.visible(p, seen));
  }

  get(name: string): ChronosJob | undefined {
    return this.visible(name) ? this.entries.get(name)?.job : undefined;
  }

  /** Every visible job, sorted by name (the server's order is unspecified). */
  list(): ChronosJob[] {
    return [...this.entries.keys()].sort().filter((n) => this.visible(n)).map((n) => this.entries.get(n)!.job);
  }

  /** Create or replace (the whole job, counters included), then run whatever became due. */
  put(job: ChronosJob): void {
    const previous = this.entries.get(job.name);
    const entry: Entry = { job, lastOutcome: previous?.lastOutcome ?? 'fresh', seq: previous?.seq ?? ++this.entrySeq, gen: 0 };
    this.cacheSchedule(entry);
    this.entries.set(job.name, entry);
    this.dependentsCache = undefined;
    this.fireDue(this.clock.now());
  }

  /** DELETE /job/{name} with its side effects on the children. */
  remove(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    const removed = entry.job;
    this.entries.delete(name);
    this.setTasks(this.tasks.filter((t) => t.job !== name));
    this.retries = this.retries.filter((r) => r.job !== name);
    this.queued = this.queued.filter((q) => q.job !== name);
    this.firedEdges.delete(name);
    for (const child of this.childrenOf(name)) {
      const c = this.entries.get(child)!;
      if (removed.parents !== undefined) {
        // A deleted dependent job hands its children to its own parents.
        const parents = [...new Set([...c.job.parents!.filter((p) => p !== name), ...removed.parents])];
        c.job = { ...c.job, parents };
      } else {
        // A deleted scheduled job turns its children into scheduled jobs on its own schedule.
        const { parents: _dropped, ...rest } = c.job;
        c.job = { ...rest, ...DROPPED_ON_ADOPTION, schedule: removed.schedule, scheduleTimeZone: removed.scheduleTimeZone ?? '' };
        this.cacheSchedule(c);
      }
    }
    this.dependentsCache = undefined;
    this.fireDue(this.clock.now());
  }

  // --- API actions ---------------------------------------------------------------------------

  /** PUT /job/{name}: a manual run (no slot). Dropped silently for a disabled job or an overlap. */
  startManually(name: string, args?: string): void {
    const entry = this.entries.get(name);
    if (!entry || entry.job.disabled) return;
    if (!entry.job.concurrent && this.busy(name)) return;
    void args; // appended to the command on the server; the sandbox never runs the command
    this.start(entry, this.clock.now().getTime(), null);
  }

  /** DELETE /task/kill/{name}: the running tasks end without bookkeeping (their TASK_KILLED is a `Fail` in the task history). */
  kill(name: string): void {
    const now = this.clock.now().getTime();
    for (const t of this.tasks) if (t.job === name) this.noteEnd(t, now, 'Fail');
    this.setTasks(this.tasks.filter((t) => t.job !== name));
    const entry = this.entries.get(name);
    if (entry) this.index(entry);
  }

  /** PUT /job/success/{name}: success bookkeeping without a run, then the dependents. */
  markSuccess(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry || !this.visible(name)) return false;
    const now = this.clock.now().getTime();
    this.recordSuccess(entry, now);
    this.triggerChildren(name, now);
    return true;
  }

  runningCount(name: string): number {
    return this.running.get(name) ?? 0;
  }

  /** Whether a task of the job waits for an offer (the summary's `queued`). */
  isQueued(name: string): boolean {
    return this.queued.some((q) => q.job === name);
  }

  /** Running, or queued: a job that is not concurrent starts nothing else meanwhile. */
  private busy(name: string): boolean {
    return this.runningCount(name) > 0 || this.isQueued(name);
  }

  private setTasks(tasks: ActiveTask[]): void {
    this.tasks = tasks;
    this.running = new Map();
    for (const t of tasks) this.running.set(t.job, (this.running.get(t.job) ?? 0) + 1);
  }

  lastOutcome(name: string): Entry['lastOutcome'] {
    return this.entries.get(name)?.lastOutcome ?? 'fresh';
  }

  /** The job's most recent tasks, newest start first, at most `jobHistoryLimit` (`getMostRecentTaskStatsByJob`). */
  taskHistory(name: string): readonly TaskStat[] {
    return [...(this.history.get(name) ?? [])].sort((a, b) => b.startedAt - a.startedAt).slice(0, this.jobHistoryLimit);
  }

  /** Run times (ms, from the task's due time to its success) since the scheduler started. */
  runTimesOf(name: string): readonly number[] {
    return this.runTimes.get(name) ?? [];
  }

  // --- TimedParticipant --------------------------------------------------------------------

  nextDueAt(): Date | undefined {
    let min = this.peek()?.at ?? Infinity;
    for (const t of this.tasks) if (t.endsAt < min) min = t.endsAt;
    for (const r of this.retries) if (r.dueAt < min) min = r.dueAt;
    for (const q of this.queued) if (q.launchAt < min) min = q.launchAt;
    return min === Infinity ? undefined : new Date(min);
  }

  fireDue(nowDate: Date): void {
    const now = nowDate.getTime();
    // 1. Runs that ended: bookkeeping, retries, dependents.
    const ended = this.tasks.filter((t) => t.endsAt <= now).sort((a, b) => a.endsAt - b.endsAt);
    if (ended.length > 0) {
      this.setTasks(this.tasks.filter((t) => t.endsAt > now));
      for (const task of ended) {
        this.finish(task, now);
        const entry = this.entries.get(task.job);
        if (entry) this.index(entry); // a blocked occurrence may launch now
      }
    }
    // 2. Retries that are due.
    if (this.retries.length > 0) {
      const due = this.retries.filter((r) => r.dueAt <= now);
      this.retries = this.retries.filter((r) => r.dueAt > now);
      for (const r of due) {
        const entry = this.entries.get(r.job);
        if (entry && !entry.job.disabled) this.launch(entry, now, r.slot, r.attempt, { rewrite: false, failing: r.failing ?? false });
      }
    }
    // 3. Queued tasks whose offer came.
    if (this.queued.length > 0) {
      const due = this.queued.filter((q) => q.launchAt <= now);
      this.queued = this.queued.filter((q) => q.launchAt > now);
      for (const q of due) {
        const entry = this.entries.get(q.job);
        if (entry) this.launch(entry, now, q.slot, 0, { dueAt: q.dueAt, imperfections: q.imperfections });
      }
    }
    // 4. Scheduled jobs whose start has passed: `!disabled && repeat != 0 && start <= now`.
    for (let top = this.peek(); top !== undefined && top.at <= now; top = this.peek()) {
      heapPop(this.heap);
      const entry = top.entry;
      this.start(entry, now, entry.startMs!);
    }
  }

  // --- state for --state-dir -----------------------------------------------------------------

  snapshot(): SchedulerSnapshot {
    return {
      jobs: [...this.entries.values()].map((e) => e.job),
      lastOutcome: Object.fromEntries([...this.entries].map(([n, e]) => [n, e.lastOutcome])),
      tasks: this.tasks,
      retries: this.retries,
      firedEdges: Object.fromEntries([...this.firedEdges].map(([n, s]) => [n, [...s]])),
      taskSeq: this.taskSeq,
      history: Object.fromEntries(this.history),
      queued: this.queued,
    };
  }

  restore(state: SchedulerSnapshot): void {
    this.entries.clear();
    this.heap = [];
    for (const job of state.jobs) {
      const entry: Entry = { job, lastOutcome: state.lastOutcome[job.name] ?? 'fresh', seq: ++this.entrySeq, gen: 0 };
      this.cacheSchedule(entry);
      this.entries.set(job.name, entry);
    }
    this.setTasks([...state.tasks]);
    for (const entry of this.entries.values()) this.index(entry);
    this.retries = [...state.retries];
    this.queued = [...(state.queued ?? [])];
    this.firedEdges = new Map(Object.entries(state.firedEdges).map(([n, ps]) => [n, new Set(ps)]));
    this.taskSeq = state.taskSeq;
    this.history = new Map(Object.entries(state.history ?? {}).map(([n, h]) => [n, [...h]]));
    this.runTimes = new Map();
    this.dependentsCache = undefined;
  }

  // --- internals -----------------------------------------------------------------------------

  private dependentsCache: Entry[] | undefined;

  private isScheduledCandidate(entry: Entry): boolean {
    return entry.startMs !== undefined && !entry.job.disabled && entry.repeat !== 0;
  }

  private cacheSchedule(entry: Entry): void {
    if (isDependentJob(entry.job) || entry.job.schedule === undefined) {
      entry.repeat = undefined;
      entry.startMs = undefined;
    } else {
      const parsed = readSchedule(entry.job.schedule, entry.job.scheduleTimeZone ?? '', this.clock.now());
      entry.repeat = parsed.repeat;
      entry.startMs = parsed.start.getTime();
    }
    this.index(entry);
  }

  /** (Re)files the entry in the due-heap under a new generation. */
  private index(entry: Entry): void {
    entry.gen += 1;
    if (!this.isScheduledCandidate(entry)) return;
    const at = Math.max(entry.startMs!, (entry.lastLaunch ?? -Infinity) + 1000);
    heapPush(this.heap, { at, seq: entry.seq, gen: entry.gen, entry });
  }

  /**
   * The earliest launchable item. Stale items go; so do blocked ones: while a non-concurrent job
   * runs, its dequeued task is dropped, and the occurrence stays due (its start only advances at
   * launch), so it is filed again when the run ends and runs late, after it.
   */
  private peek(): DueItem | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      const entry = top.entry;
      const stale = top.gen !== entry.gen || this.entries.get(entry.job.name) !== entry || !this.isScheduledCandidate(entry);
      const blocked = this.isQueued(entry.job.name) || (!entry.job.concurrent && this.runningCount(entry.job.name) > 0);
      if (!stale && !blocked) return top;
      heapPop(this.heap);
    }
    return undefined;
  }

  /**
   * A due run: it launches now, or, when an imperfection says it starts late, waits in the queue
   * for its offer (the schedule stays as it is until the launch rewrites it).
   */
  private start(entry: Entry, now: number, slot: number | null): void {
    const imperfections = this.imperfections?.take('chronos', entry.job.name, slot === null ? null : new Date(slot), CHRONOS_IMPERFECTIONS) ?? [];
    const late = imperfections.find((i) => i.kind === 'late')?.seconds;
    if (late === undefined) {
      this.launch(entry, now, slot, 0, { imperfections });
      return;
    }
    this.queued.push({ job: entry.job.name, slot, dueAt: now, launchAt: now + late * 1000, imperfections });
  }

  private launch(entry: Entry, now: number, slot: number | null, attempt: number, how: LaunchOptions = {}): void {
    const rewrite = how.rewrite ?? true;
    const failing = how.failing ?? how.imperfections?.some((i) => i.kind === 'fail') ?? false;
    const killAfter = how.imperfections?.find((i) => i.kind === 'kill')?.seconds;
    const job = entry.job;
    entry.lastLaunch = now;
    if (rewrite && job.schedule !== undefined && !isDependentJob(job)) {
      // At launch the start moves past now and a finite count drops by exactly one.
      // The real server always launches a little after the start it was due for, so its
      // skip-forward moves past that start; launching at the very instant must do the same.
      const launchedAt = slot === null ? now : Math.max(now, slot + 1);
      entry.job = { ...job, schedule: rewriteScheduleAtLaunch(job.schedule, job.scheduleTimeZone ?? '', new Date(launchedAt)) };
      this.cacheSchedule(entry);
    }
    this.ledger.record('chronos', job.name, slot === null ? null : new Date(slot), new Date(now));
    const seconds = Math.max(1, envNumber(job, RUN_SECONDS_ENV) ?? this.runSeconds);
    const outcome = failing ? 'failure' : envOutcome(job) ?? this.outcome;
    const killed = killAfter !== undefined && killAfter < seconds;
    this.taskSeq += 1;
    this.running.set(job.name, this.runningCount(job.name) + 1);
    const id = `ct:${how.dueAt ?? now}:${attempt}:${job.name}:${this.taskSeq}`;
    this.noteStart(job.name, id, now);
    this.tasks.push({
      id,
      job: job.name,
      slot,
      startedAt: now,
      endsAt: now + (killed ? killAfter : seconds) * 1000,
      attempt,
      outcome,
      ...(killed ? { killed } : {}),
      ...(failing ? { failing } : {}),
    });
  }

  private finish(task: ActiveTask, now: number): void {
    if (task.killed) {
      this.noteEnd(task, now, 'Fail');
      return;
    }
    this.noteEnd(task, now, task.outcome === 'success' ? 'Success' : 'Fail');
    if (task.outcome === 'success') this.noteRunTime(task.job, now - task.startedAt);
    const entry = this.entries.get(task.job);
    if (!entry) return;
    if (task.outcome === 'success') {
      this.recordSuccess(entry, now);
      // An exhausted R0 job disables itself after a success (not after a failure).
      if (entry.repeat === 0 && entry.job.schedule !== undefined) entry.job = { ...entry.job, disabled: true };
      this.triggerChildren(task.job, now);
      return;
    }
    const job = entry.job;
    if (task.attempt < job.retries && (job.lastError === '' || job.lastSuccess >= job.lastError)) {
      this.retries.push({ job: job.name, slot: task.slot, attempt: task.attempt + 1, dueAt: now + this.failureRetryMs, ...(task.failing ? { failing: true } : {}) });
      return;
    }
    entry.lastOutcome = 'failure';
    entry.job = {
      ...job,
      errorCount: job.errorCount + 1,
      errorsSinceLastSuccess: job.errorsSinceLastSuccess + 1,
      lastError: new Date(now).toISOString(),
    };
    if (job.softError) this.triggerChildren(job.name, now);
  }

  /** TASK_RUNNING: the task enters the job's history (the offer is always there, so it runs at launch). */
  private noteStart(job: string, taskId: string, at: number): void {
    if (!this.keepHistory) return;
    const kept = this.history.get(job) ?? [];
    kept.push({ taskId, job, startedAt: at, status: 'Running' });
    // Older rows stay in Cassandra (for --cassandra_ttl), but only the newest are ever served.
    if (kept.length > this.jobHistoryLimit) kept.splice(0, kept.length - this.jobHistoryLimit);
    this.history.set(job, kept);
  }

  private noteEnd(task: ActiveTask, at: number, status: 'Success' | 'Fail'): void {
    const kept = this.history.get(task.job);
    const i = kept?.findIndex((t) => t.taskId === task.id) ?? -1;
    if (kept && i >= 0) kept[i] = { ...kept[i]!, endedAt: at, status };
  }

  private noteRunTime(job: string, ms: number): void {
    const times = this.runTimes.get(job) ?? [];
    times.push(ms);
    if (times.length > HISTOGRAM_SAMPLES) times.shift();
    this.runTimes.set(job, times);
  }

  private recordSuccess(entry: Entry, now: number): void {
    entry.lastOutcome = 'success';
    entry.job = { ...entry.job, successCount: entry.job.successCount + 1, lastSuccess: new Date(now).toISOString(), errorsSinceLastSuccess: 0 };
  }

  private childrenOf(parent: string): string[] {
    this.dependentsCache ??= [...this.entries.values()].filter((e) => e.job.parents !== undefined);
    return this.dependentsCache.filter((e) => e.job.parents!.includes(parent)).map((e) => e.job.name);
  }

  /** A one-parent child runs after each parent success; a multi-parent one once every edge fired. */
  private triggerChildren(parent: string, now: number): void {
    for (const name of this.childrenOf(parent)) {
      const child = this.entries.get(name)!;
      if (child.job.disabled || !this.visible(name)) continue;
      const parents = child.job.parents!;
      if (parents.length > 1) {
        const fired = this.firedEdges.get(name) ?? new Set<string>();
        fired.add(parent);
        this.firedEdges.set(name, fired);
        if (!parents.every((p) => fired.has(p))) continue;
        this.firedEdges.delete(name);
      }
      if (!child.job.concurrent && this.busy(name)) continue;
      this.start(child, now, null);
    }
  }
}

interface LaunchOptions {
  /** Move the schedule's start past the launch (a retry does not). Default true. */
  readonly rewrite?: boolean;
  /** When the task was enqueued, for its id (default: the launch). */
  readonly dueAt?: number;
  readonly imperfections?: readonly RunImperfection[];
  /** A retry of a run an imperfection fails. */
  readonly failing?: boolean;
}

function envValue(job: ChronosJob, name: string): string | undefined {
  return job.environmentVariables.find((e) => e.name === name)?.value;
}

function envNumber(job: ChronosJob, name: string): number | undefined {
  const v = envValue(job, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function envOutcome(job: ChronosJob): RunOutcome | undefined {
  const v = envValue(job, OUTCOME_ENV)?.toLowerCase();
  return v === 'failure' || v === 'success' ? v : undefined;
}

function before(a: DueItem, b: DueItem): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function heapPush(heap: DueItem[], item: DueItem): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: DueItem[]): DueItem | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last !== undefined) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}
