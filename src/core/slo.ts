/**
 * `migrate slo`: is the migration keeping its promise? Per job, over a window and across every
 * system it ran on, the slots its schedule owed, the runs each system started for them, and the
 * objectives: 99.99% of slots started within the job's start window, 99.99% of runs completed, no
 * slot missed or run twice, no pod Pending longer than 5 minutes (docs/slo.md).
 *
 * Pure: it takes the systems' runs (`BackendConnection.runs`), the journal and the instant, so a
 * test, the command and the metrics endpoint judge the same way.
 */
import { previousSlot, slotAfter, slotsBetween } from './handoff.js';
import type { BackendName } from './job.js';
import { foldJournal, type JournalRecord, type MoveHistory } from './journal.js';
import type { ObservedRun, RunEvidence, RunWindow } from './runs.js';
import { parseCron } from './schedule/cron.js';

/** 99.99% of slots start within their start window; 99.99% of runs run to completion. */
export const START_OBJECTIVE = 0.9999;
export const COMPLETION_OBJECTIVE = 0.9999;
/** A pod Pending longer than this is an incident (the team's kube-state-metrics alert). */
export const WAITING_LIMIT_SECONDS = 300;

export interface SloJob {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly startingDeadlineSeconds: number;
  /** Where the definition says it runs now: the owner of every slot when the journal has no move of it. */
  readonly backend: BackendName;
  /** Switched off on purpose (`paused: true`): it owes no slot, so none is missed. */
  readonly paused?: boolean;
}

/** The owner of every slot from `from` (inclusive) on, until the next span. */
export interface OwnerSpan {
  readonly from: Date;
  readonly system: BackendName;
}

/** One run as a slot sees it: the system, the run that started it, and the outcome of its last attempt. */
export interface SlotRun {
  readonly system: BackendName;
  readonly id: string;
  readonly startedAt?: Date;
  readonly outcome: ObservedRun['outcome'];
  readonly reason?: string;
  readonly attempts: number;
}

export interface SlotProblem {
  readonly slot: Date;
  /** The system that owed the slot (the journal's handoffs). */
  readonly owner: BackendName;
}

export interface SystemFigures {
  /** Slots of the window this system owed. */
  readonly owed: number;
  /** Runs it started for slots of the window (a retried attempt is not another run). */
  readonly runs: number;
  readonly missed: number;
  readonly late: number;
  readonly failed: number;
  readonly killed: number;
  /** Pods of the job Pending longer than 5 minutes now; undefined where the system has no pods. */
  readonly waiting?: number;
  /** Why its pods could not be read (then `waiting` is undefined). */
  readonly waitingUnread?: string;
  readonly present?: boolean;
  readonly source?: string;
  /** From when its runs are complete (older ones were cleaned up); undefined: all kept. */
  readonly completeFrom?: Date;
  readonly counters?: Extract<RunEvidence, { ok: true }>['counters'];
  readonly error?: string;
  readonly notes: readonly string[];
}

export interface JobSlo {
  readonly job: string;
  readonly startingDeadlineSeconds: number;
  /** Slots the schedule owed in the window. */
  readonly slots: number;
  /** Slots judged: their start window closed (or they ran) and a system's records cover them. */
  readonly judged: number;
  /** Judged slots whose first run started within the start window. */
  readonly onTime: number;
  /** Slots whose start window is still open and that have not started yet. */
  readonly pending: number;
  /** Slots no system's records cover (cleaned-up history, no task history): neither run nor missed. */
  readonly unverified: number;
  readonly missed: readonly SlotProblem[];
  readonly doubled: readonly (SlotProblem & { readonly runs: readonly SlotRun[] })[];
  readonly late: readonly (SlotProblem & { readonly run: SlotRun; readonly latencySeconds: number })[];
  /** Runs whose last attempt failed or was killed. */
  readonly failed: readonly (SlotProblem & { readonly run: SlotRun })[];
  /** Runs that finished (succeeded, failed or killed). */
  readonly finished: number;
  /** Start latency of each judged slot's first run, in seconds. */
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number } | undefined;
  readonly latencies: readonly number[];
  /** The same latencies, each with the system whose run started the slot, in slot order. */
  readonly startLatencies: readonly { readonly system: BackendName; readonly seconds: number }[];
  readonly waiting: readonly { readonly system: BackendName; readonly pod: string; readonly seconds: number }[];
  /** Runs for no slot of the schedule (started by hand, or for an instant that is not a slot). */
  readonly extra: readonly { readonly system: BackendName; readonly id: string; readonly requestedAt: Date }[];
  readonly systems: Readonly<Partial<Record<BackendName, SystemFigures>>>;
  readonly startAttainment: number;
  readonly completionAttainment: number;
  /** Whether this job alone keeps every objective. */
  readonly met: boolean;
}

export interface FleetSlo {
  readonly jobs: number;
  readonly slots: number;
  readonly judged: number;
  readonly onTime: number;
  readonly unverified: number;
  readonly missed: number;
  readonly doubled: number;
  readonly late: number;
  readonly failed: number;
  readonly finished: number;
  readonly waiting: number;
  readonly errors: number;
  readonly startAttainment: number;
  readonly completionAttainment: number;
  /** Every objective held and every system answered: the exit status 0. */
  readonly met: boolean;
}

export interface SloReport {
  readonly window: RunWindow;
  readonly now: Date;
  /** Worst first. */
  readonly jobs: readonly JobSlo[];
  readonly fleet: FleetSlo;
}

// ---- who owed which slot -------------------------------------------------------------------

function stepDetail(move: MoveHistory, step: string): Readonly<Record<string, unknown>> | undefined {
  return move.steps.find((s) => s.step === step)?.detail ?? (move.steps.some((s) => s.step === step) ? {} : undefined);
}

const dateOf = (v: unknown): Date | undefined => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t);
};

/**
 * Which system owed which slot, from the journal's moves of the job, oldest first: a completed
 * move hands every slot from the target's first slot (`target-enabled`, else the handoff's next
 * slot) to the target; a move put back hands the slots from its `putBack.firstSlot` back; a move
 * in flight whose source is already disabled, to the target. Before its first move, the job
 * belonged to that move's source; without moves, to the backend its definition names.
 */
export function ownershipFromJournal(job: SloJob, records: readonly JournalRecord[]): OwnerSpan[] {
  const moves = foldJournal(records).filter((m) => m.job === job.name);
  const spans: OwnerSpan[] = [{ from: new Date(0), system: moves[0]?.begin.from ?? job.backend }];
  for (const m of moves) {
    const enabled = stepDetail(m, 'target-enabled');
    const disabled = stepDetail(m, 'source-disabled');
    const first = dateOf(enabled?.firstSlot) ?? dateOf(disabled?.nextSlot) ?? dateOf(m.begin.handoff.nextSlot);
    if (!first) continue;
    const putBack = m.end?.kind === 'aborted' ? m.end.putBack : undefined;
    if (m.outcome === 'done' || (m.outcome === 'in-flight' && disabled) || (m.outcome === 'aborted' && (putBack?.kind === 'restored' || enabled))) {
      spans.push({ from: first, system: m.begin.to });
    }
    const back = putBack?.kind === 'restored' ? dateOf(putBack.firstSlot) : undefined;
    if (back) spans.push({ from: back, system: m.begin.from });
  }
  return spans.sort((a, b) => a.from.getTime() - b.from.getTime());
}

function ownerAt(spans: readonly OwnerSpan[], slot: Date): BackendName {
  let owner = spans[0]!.system;
  for (const s of spans) if (s.from.getTime() <= slot.getTime()) owner = s.system;
  return owner;
}

// ---- runs to slots ---------------------------------------------------------------------------

interface Matched {
  /** Slot (ms) -> the runs started for it, each with its later attempts. */
  readonly bySlot: Map<number, { run: ObservedRun; attempts: ObservedRun[] }[]>;
  readonly extra: ObservedRun[];
}

/**
 * Each run to the slot it was for: the slot the system recorded; else (a run without one) the
 * oldest slot the system owed when it asked for the run. A system that runs late runs the first
 * slot after its previous run (or after it took the job over) and skips the rest, as a system that
 * moves its start past every launch does; the oldest run kept, due at a slot's instant, was that
 * slot's (the runs before it may be gone). A retry belongs to the slot of the run it retries.
 */
export function matchRuns(job: SloJob, system: BackendName, runs: readonly ObservedRun[], spans: readonly OwnerSpan[]): Matched {
  const bySlot = new Map<number, { run: ObservedRun; attempts: ObservedRun[] }[]>();
  const extra: ObservedRun[] = [];
  const add = (slot: Date, run: ObservedRun) => {
    const list = bySlot.get(slot.getTime()) ?? [];
    list.push({ run, attempts: [run] });
    bySlot.set(slot.getTime(), list);
    return list.at(-1)!;
  };
  const ordered = [...runs].sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
  const takeovers = spans.filter((s) => s.system === system && s.from.getTime() > 0).map((s) => s.from.getTime());
  const spec = parseCron(job.schedule);
  let previous: { at: number; entry?: { run: ObservedRun; attempts: ObservedRun[] } } | undefined;
  for (const run of ordered) {
    const at = run.requestedAt.getTime();
    if (run.retry) {
      if (previous?.entry) previous.entry.attempts.push(run);
      else extra.push(run);
      continue;
    }
    if (run.slot) {
      previous = { at, entry: add(run.slot, run) };
      continue;
    }
    if (run.manual) {
      extra.push(run);
      previous = { at };
      continue;
    }
    const takeover = takeovers.filter((t) => t <= at).at(-1);
    // The oldest run kept may not follow the takeover: older ones may be gone (a history that keeps
    // the last N). Due at a slot's instant, it was that slot's; later runs follow it.
    const onSlot = previous === undefined && slotAfter(job.schedule, job.timezone, new Date(at - 1))?.getTime() === at;
    if (onSlot && (takeover === undefined || at >= takeover)) {
      previous = { at, entry: add(run.requestedAt, run) };
      continue;
    }
    const after = Math.max(previous?.at ?? -Infinity, takeover !== undefined ? takeover - 1 : -Infinity);
    const slot = after === -Infinity ? previousSlot(spec, job.timezone, run.requestedAt) : slotAfter(job.schedule, job.timezone, new Date(after));
    if (slot && slot.getTime() <= at) previous = { at, entry: add(slot, run) };
    else {
      extra.push(run);
      previous = { at };
    }
  }
  return { bySlot, extra };
}

// ---- judging -------------------------------------------------------------------------------

function quantile(sorted: readonly number[], q: number): number {
  // Nearest rank: the smallest value with at least q of the values at or below it.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const finishedOutcome = (o: ObservedRun['outcome']) => o === 'succeeded' || o === 'failed' || o === 'killed';

/** Judges one job over `window` at `now` from each system's evidence (a system missing from `evidence` was not asked). */
export function judgeJob(job: SloJob, window: RunWindow, now: Date, evidence: Readonly<Partial<Record<BackendName, RunEvidence>>>, spans: readonly OwnerSpan[]): JobSlo {
  const deadlineMs = job.startingDeadlineSeconds * 1000;
  const owed = job.paused ? [] : slotsBetween(job.schedule, job.timezone, window.from, window.until);
  const systems = Object.keys(evidence) as BackendName[];
  const matched = new Map<BackendName, Matched>();
  for (const system of systems) {
    const e = evidence[system]!;
    if (e.ok) matched.set(system, matchRuns(job, system, e.runs, spans));
  }
  const covers = (system: BackendName, slot: Date): boolean => {
    const e = evidence[system];
    return e !== undefined && e.ok && e.counters === undefined && (e.completeFrom === undefined || slot.getTime() >= e.completeFrom.getTime());
  };

  const figures = new Map<BackendName, { owed: number; runs: number; missed: number; late: number; failed: number; killed: number }>(
    systems.map((s) => [s, { owed: 0, runs: 0, missed: 0, late: 0, failed: 0, killed: 0 }]),
  );
  const missed: SlotProblem[] = [];
  const doubled: JobSlo['doubled'][number][] = [];
  const late: JobSlo['late'][number][] = [];
  const failed: JobSlo['failed'][number][] = [];
  const latencies: number[] = [];
  const startLatencies: { system: BackendName; seconds: number }[] = [];
  let judged = 0;
  let onTime = 0;
  let pending = 0;
  let unverified = 0;
  let finished = 0;
  for (const slot of owed) {
    const owner = ownerAt(spans, slot);
    const f = figures.get(owner);
    if (f) f.owed++;
    const runs: SlotRun[] = [];
    for (const [system, m] of matched) {
      for (const { run, attempts } of m.bySlot.get(slot.getTime()) ?? []) {
        const last = attempts.at(-1)!;
        runs.push({ system, id: run.id, ...(run.startedAt ? { startedAt: run.startedAt } : {}), outcome: last.outcome, ...(last.reason ? { reason: last.reason } : {}), attempts: attempts.length });
      }
    }
    const windowOpen = slot.getTime() + deadlineMs > now.getTime();
    if (runs.length === 0) {
      if (windowOpen) pending++;
      else if (covers(owner, slot)) {
        judged++;
        missed.push({ slot, owner });
        if (f) f.missed++;
      } else unverified++;
      continue;
    }
    for (const r of runs) figures.get(r.system)!.runs++;
    if (runs.length > 1) doubled.push({ slot, owner, runs });
    const started = runs.filter((r) => r.startedAt).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
    const first = started[0];
    if (!first && windowOpen) {
      pending++;
    } else {
      judged++;
      // Not started yet and past its window: late by at least as long as it has waited.
      const latencyMs = first ? first.startedAt!.getTime() - slot.getTime() : now.getTime() - slot.getTime();
      const run = first ?? runs[0]!;
      if (first) {
        latencies.push(Math.max(0, latencyMs) / 1000);
        startLatencies.push({ system: first.system, seconds: Math.max(0, latencyMs) / 1000 });
      }
      if (latencyMs > deadlineMs) {
        late.push({ slot, owner, run, latencySeconds: Math.round(latencyMs / 1000) });
        figures.get(run.system)!.late++;
      } else onTime++;
    }
    for (const r of runs) {
      if (!finishedOutcome(r.outcome)) continue;
      finished++;
      if (r.outcome === 'failed' || r.outcome === 'killed') {
        failed.push({ slot, owner, run: r });
        const sf = figures.get(r.system)!;
        if (r.outcome === 'killed') sf.killed++;
        else sf.failed++;
      }
    }
  }

  const waiting: JobSlo['waiting'][number][] = [];
  const extra: JobSlo['extra'][number][] = [];
  const systemFigures: Partial<Record<BackendName, SystemFigures>> = {};
  for (const system of systems) {
    const e = evidence[system]!;
    const f = figures.get(system)!;
    if (!e.ok) {
      systemFigures[system] = { ...f, error: e.error, notes: [] };
      continue;
    }
    const long = (e.waiting ?? [])
      .map((w) => ({ system, pod: w.name, seconds: Math.round((now.getTime() - w.since.getTime()) / 1000) }))
      .filter((w) => w.seconds > WAITING_LIMIT_SECONDS);
    waiting.push(...long);
    for (const run of matched.get(system)!.extra) {
      if (run.requestedAt.getTime() > window.from.getTime()) extra.push({ system, id: run.id, requestedAt: run.requestedAt });
    }
    systemFigures[system] = {
      ...f,
      ...(e.waiting ? { waiting: long.length } : {}),
      ...(e.waitingUnread !== undefined ? { waitingUnread: e.waitingUnread } : {}),
      present: e.present,
      source: e.source,
      ...(e.completeFrom ? { completeFrom: e.completeFrom } : {}),
      ...(e.counters ? { counters: e.counters } : {}),
      notes: e.notes,
    };
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  const startAttainment = judged === 0 ? 1 : onTime / judged;
  const completionAttainment = finished === 0 ? 1 : (finished - failed.length) / finished;
  const errors = systems.filter((s) => !evidence[s]!.ok).length;
  return {
    job: job.name,
    startingDeadlineSeconds: job.startingDeadlineSeconds,
    slots: owed.length,
    judged,
    onTime,
    pending,
    unverified,
    missed,
    doubled,
    late,
    failed,
    finished,
    latency: sorted.length ? { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1)! } : undefined,
    latencies: sorted,
    startLatencies,
    waiting,
    extra,
    systems: systemFigures,
    startAttainment,
    completionAttainment,
    met: errors === 0 && missed.length === 0 && doubled.length === 0 && waiting.length === 0 &&
      startAttainment >= START_OBJECTIVE && completionAttainment >= COMPLETION_OBJECTIVE,
  };
}

/** How bad a job is, for "worst first": scheduling errors, then the lowest attainment, then the rest. */
function badness(j: JobSlo): number[] {
  const errors = Object.values(j.systems).filter((s) => s?.error !== undefined).length;
  return [errors, j.missed.length + j.doubled.length, 1 - j.startAttainment, 1 - j.completionAttainment, j.waiting.length, j.late.length, j.failed.length];
}

export function buildSloReport(jobs: readonly JobSlo[], window: RunWindow, now: Date): SloReport {
  const sorted = [...jobs].sort((a, b) => {
    const x = badness(a);
    const y = badness(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return a.job.localeCompare(b.job);
  });
  const sum = (f: (j: JobSlo) => number) => jobs.reduce((n, j) => n + f(j), 0);
  const judged = sum((j) => j.judged);
  const onTime = sum((j) => j.onTime);
  const finished = sum((j) => j.finished);
  const failed = sum((j) => j.failed.length);
  const fleet: Omit<FleetSlo, 'met'> = {
    jobs: jobs.length,
    slots: sum((j) => j.slots),
    judged,
    onTime,
    unverified: sum((j) => j.unverified),
    missed: sum((j) => j.missed.length),
    doubled: sum((j) => j.doubled.length),
    late: sum((j) => j.late.length),
    failed,
    finished,
    waiting: sum((j) => j.waiting.length),
    errors: sum((j) => Object.values(j.systems).filter((s) => s?.error !== undefined).length),
    startAttainment: judged === 0 ? 1 : onTime / judged,
    completionAttainment: finished === 0 ? 1 : (finished - failed) / finished,
  };
  const met = fleet.errors === 0 && fleet.missed === 0 && fleet.doubled === 0 && fleet.waiting === 0 &&
    fleet.startAttainment >= START_OBJECTIVE && fleet.completionAttainment >= COMPLETION_OBJECTIVE;
  return { window, now, jobs: sorted, fleet: { ...fleet, met } };
}
