/**
 * A Chronos job's runs, for `slo`: its task history (`GET /job/stat/{name}`) when the server keeps
 * one (Chronos with Cassandra), else what the job's own fields say (`lastSuccess`, `lastError`
 * and the counters). Pure: the connection reads, this reads what was read.
 */
import type { ObservedRun, RunCounters, RunEvidence, RunOutcome } from '../../src/core/runs.js';
import type { ChronosJobStat, ChronosTaskStat } from './client.js';
import type { ChronosJob } from './model.js';

/** `ct:<due ms>:<attempt>:<job>:<arguments>` (TaskUtils.taskIdTemplate, 3.x). */
const TASK_ID = /^ct:(\d+):(\d+):/;
/** Joda `MM/dd/yy HH:mm:ss`, as JobStatWrapperSerializer prints a task's start and end. */
const JODA_TIME = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const OUTCOMES: Readonly<Record<string, RunOutcome>> = { Running: 'running', Success: 'succeeded', Fail: 'failed', Idle: 'queued' };

/**
 * A task time as the serializer prints it: without a zone, in the server JVM's zone. Read as UTC,
 * the zone of the Chronos images (docs/slo.md says so); two-digit years are 20yy.
 */
function readTaskTime(text: string): Date | undefined {
  const m = JODA_TIME.exec(text);
  if (!m) return undefined;
  const [, month, day, year, h, min, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(2000 + year, month - 1, day, h, min, s));
}

function taskRun(task: ChronosTaskStat): ObservedRun | undefined {
  const id = TASK_ID.exec(task.taskId);
  const startedAt = readTaskTime(task.startTime);
  const requestedAt = id ? new Date(Number(id[1])) : startedAt;
  if (!requestedAt) return undefined;
  const endedAt = readTaskTime(task.endTime);
  const outcome = OUTCOMES[task.status] ?? 'running';
  return {
    id: task.taskId,
    requestedAt,
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    outcome,
    // Chronos records TASK_FAILED, TASK_KILLED and TASK_LOST alike as `Fail`.
    ...(outcome === 'failed' ? { reason: 'Fail' } : {}),
    ...(id && Number(id[2]) > 0 ? { retry: true } : {}),
  };
}

const time = (iso: string): Date | undefined => {
  const t = iso === '' ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t);
};

function countersOf(job: ChronosJob): RunCounters {
  const lastSuccess = time(job.lastSuccess);
  const lastError = time(job.lastError);
  return {
    ...(lastSuccess ? { lastSuccess } : {}),
    ...(lastError ? { lastError } : {}),
    successCount: job.successCount,
    errorCount: job.errorCount,
    errorsSinceLastSuccess: job.errorsSinceLastSuccess,
  };
}

/**
 * `stat` is the job's `GET /job/stat/{name}` (undefined when the job does not exist), `where`
 * that request as messages name it. A history keeps only the newest tasks (--job_history_limit,
 * 5 by default), so it is complete only from its oldest task on.
 */
export function chronosRuns(live: ChronosJob | undefined, stat: ChronosJobStat | undefined, where: string): RunEvidence {
  if (!live || !stat) return { ok: true, present: false, runs: [], source: 'the job is not in Chronos', notes: [] };
  const runs = stat.taskStatHistory.map(taskRun).filter((r): r is ObservedRun => r !== undefined);
  if (runs.length > 0) {
    const oldest = new Date(Math.min(...runs.map((r) => r.requestedAt.getTime())));
    return {
      ok: true,
      present: true,
      runs,
      completeFrom: oldest,
      source: `task history (${where})`,
      notes: ['Chronos keeps only the newest tasks (--job_history_limit) and cannot tell a killed task from a failed one'],
    };
  }
  const counters = countersOf(live);
  if (counters.successCount + counters.errorCount === 0 && !counters.lastSuccess && !counters.lastError) {
    return { ok: true, present: true, runs: [], source: `task history (${where}): the job never ran`, notes: [] };
  }
  return {
    ok: true,
    present: true,
    runs: [],
    counters,
    source: 'lastSuccess, lastError and the counters (no task history: a Chronos without Cassandra)',
    notes: [],
  };
}
