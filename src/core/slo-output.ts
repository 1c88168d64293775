/** `migrate slo`'s outputs: the table with a line per problem and the summary, and the same as JSON or YAML. */
import { formatDuration } from './duration.js';
import type { BackendName } from './job.js';
import { COMPLETION_OBJECTIVE, START_OBJECTIVE, WAITING_LIMIT_SECONDS, type JobSlo, type SloReport, type SystemFigures } from './slo.js';
import { rfc3339OrNull, toRfc3339 } from './time.js';
import { toYaml } from './yaml-write.js';

/** A system as the output names it: its registry name and its title. */
export interface SloSystem {
  readonly name: BackendName;
  readonly title: string;
}

export type SloVerdict = 'error' | 'missed' | 'doubled' | 'waiting' | 'late' | 'failed' | 'unverified' | 'ok';

export function verdictOf(j: JobSlo): SloVerdict {
  if (Object.values(j.systems).some((s) => s?.error !== undefined)) return 'error';
  if (j.missed.length) return 'missed';
  if (j.doubled.length) return 'doubled';
  if (j.waiting.length) return 'waiting';
  if (j.late.length) return 'late';
  if (j.failed.length) return 'failed';
  if (j.judged === 0 && j.unverified > 0) return 'unverified';
  return 'ok';
}

const percent = (x: number) => `${(Math.floor(x * 100_000) / 1000).toFixed(3)}%`;
const objective = (x: number) => `${+(x * 100).toFixed(4)}%`;
const seconds = (s: number | undefined) => (s === undefined ? '-' : formatDuration(Math.round(s)));

function systemRecord(s: SystemFigures): Record<string, unknown> {
  return {
    owed: s.owed, runs: s.runs, missed: s.missed, late: s.late, failed: s.failed, killed: s.killed,
    waiting: s.waiting ?? null,
    ...(s.waitingUnread !== undefined ? { waitingUnread: s.waitingUnread } : {}),
    ...(s.error !== undefined
      ? { error: s.error }
      : {
          present: s.present ?? null, source: s.source ?? null, completeFrom: rfc3339OrNull(s.completeFrom),
          ...(s.counters
            ? { counters: { lastSuccess: rfc3339OrNull(s.counters.lastSuccess), lastError: rfc3339OrNull(s.counters.lastError), successCount: s.counters.successCount, errorCount: s.counters.errorCount, errorsSinceLastSuccess: s.counters.errorsSinceLastSuccess } }
            : {}),
          notes: s.notes,
        }),
  };
}

/** One job as `-o json` shows it; times RFC 3339, durations in seconds. */
export function sloJobRecord(j: JobSlo): Record<string, unknown> {
  return {
    job: j.job,
    verdict: verdictOf(j),
    met: j.met,
    startingDeadlineSeconds: j.startingDeadlineSeconds,
    slots: j.slots,
    judged: j.judged,
    onTime: j.onTime,
    pending: j.pending,
    unverified: j.unverified,
    startAttainment: j.startAttainment,
    completionAttainment: j.completionAttainment,
    latencySeconds: j.latency ?? null,
    finished: j.finished,
    missed: j.missed.map((p) => ({ slot: rfc3339OrNull(p.slot), owner: p.owner })),
    doubled: j.doubled.map((p) => ({ slot: rfc3339OrNull(p.slot), owner: p.owner, runs: p.runs.map((r) => ({ system: r.system, id: r.id })) })),
    late: j.late.map((p) => ({ slot: rfc3339OrNull(p.slot), owner: p.owner, system: p.run.system, id: p.run.id, latencySeconds: p.latencySeconds })),
    failed: j.failed.map((p) => ({ slot: rfc3339OrNull(p.slot), owner: p.owner, system: p.run.system, id: p.run.id, outcome: p.run.outcome, reason: p.run.reason ?? null, attempts: p.run.attempts })),
    waiting: j.waiting.map((w) => ({ system: w.system, pod: w.pod, pendingSeconds: w.seconds })),
    extra: j.extra.map((e) => ({ system: e.system, id: e.id, requestedAt: rfc3339OrNull(e.requestedAt) })),
    systems: Object.fromEntries(Object.entries(j.systems).map(([name, s]) => [name, systemRecord(s!)])),
  };
}

export function sloRecord(report: SloReport): Record<string, unknown> {
  const { fleet } = report;
  return {
    window: { from: rfc3339OrNull(report.window.from), until: rfc3339OrNull(report.window.until) },
    objectives: { startWithinWindow: START_OBJECTIVE, completion: COMPLETION_OBJECTIVE, waitingPodSeconds: WAITING_LIMIT_SECONDS, missed: 0, doubled: 0 },
    fleet,
    jobs: report.jobs.map(sloJobRecord),
  };
}

export function renderSloJson(report: SloReport): string {
  return `${JSON.stringify(sloRecord(report), null, 2)}\n`;
}

export function renderSloYaml(report: SloReport): string {
  return toYaml(sloRecord(report));
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const last = widths.length - 1;
  return rows.map((r) => r.map((c, i) => (i === 0 || i === last ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** Every problem of a job, one line each, naming the slot and the system. */
function problemLines(j: JobSlo, systems: readonly SloSystem[]): string[] {
  const title = (name: BackendName) => systems.find((s) => s.name === name)?.title ?? name;
  const out: string[] = [];
  for (const [name, s] of Object.entries(j.systems) as [BackendName, SystemFigures][]) {
    if (s.error !== undefined) out.push(`${j.job}: ${title(name)} could not be read: ${s.error}`);
  }
  for (const p of j.missed) out.push(`${j.job}: slot ${toRfc3339(p.slot)} never ran (${title(p.owner)} owed it)`);
  for (const p of j.doubled) out.push(`${j.job}: slot ${toRfc3339(p.slot)} ran ${p.runs.length} times: ${p.runs.map((r) => `${title(r.system)} ${r.id}`).join(', ')}`);
  for (const p of j.late) {
    const how = p.run.startedAt ? `started ${formatDuration(p.latencySeconds)} after it` : `has not started ${formatDuration(p.latencySeconds)} after it`;
    out.push(`${j.job}: slot ${toRfc3339(p.slot)} ${how} on ${title(p.run.system)} (start window ${formatDuration(j.startingDeadlineSeconds)})`);
  }
  for (const p of j.failed) {
    const tries = p.run.attempts > 1 ? ` after ${p.run.attempts} attempts` : '';
    out.push(`${j.job}: slot ${toRfc3339(p.slot)} ${p.run.outcome === 'killed' ? 'was killed' : 'failed'}${tries} on ${title(p.run.system)} (${p.run.id}${p.run.reason ? `: ${p.run.reason}` : ''})`);
  }
  for (const w of j.waiting) out.push(`${j.job}: pod ${w.pod} Pending for ${formatDuration(w.seconds)} on ${title(w.system)}`);
  for (const [name, s] of Object.entries(j.systems) as [BackendName, SystemFigures][]) {
    if (s.waitingUnread !== undefined) out.push(`${j.job}: pods waiting on ${title(name)} not checked: ${s.waitingUnread}`);
  }
  for (const e of j.extra) out.push(`${j.job}: ${title(e.system)} ran ${e.id} at ${toRfc3339(e.requestedAt)} for no slot of the schedule (started by hand?)`);
  if (j.unverified > 0) {
    const why = (Object.entries(j.systems) as [BackendName, SystemFigures][])
      .filter(([, s]) => s.error === undefined && (s.completeFrom !== undefined || s.counters !== undefined))
      .map(([name, s]) => (s.counters ? `${title(name)} keeps no task history` : `${title(name)} keeps runs only from ${toRfc3339(s.completeFrom!)}`));
    out.push(`${j.job}: ${j.unverified} slot${j.unverified === 1 ? '' : 's'} unverified${why.length ? ` (${why.join('; ')})` : ''}`);
  }
  for (const [name, s] of Object.entries(j.systems) as [BackendName, SystemFigures][]) {
    const c = s.counters;
    if (!c) continue;
    const last = (d: Date | undefined) => (d ? toRfc3339(d) : 'never');
    out.push(`${j.job}: ${title(name)} (from ${s.source}): last success ${last(c.lastSuccess)}, last error ${last(c.lastError)}, ${c.successCount} successes and ${c.errorCount} errors in all, ${c.errorsSinceLastSuccess} errors since the last success`);
  }
  return out;
}

/** The fleet in one line: the attainments against the objectives, and the verdict the exit status gives. */
export function sloSummary(report: SloReport): string {
  const f = report.fleet;
  const span = formatDuration(Math.round((report.window.until.getTime() - report.window.from.getTime()) / 1000));
  const parts = [
    `${f.onTime} of ${f.judged} slots started within their start window (${percent(f.startAttainment)}, objective ${objective(START_OBJECTIVE)})`,
    `${f.missed} missed, ${f.doubled} doubled, ${f.late} late`,
    `${f.finished - f.failed} of ${f.finished} finished runs completed (${percent(f.completionAttainment)}, objective ${objective(COMPLETION_OBJECTIVE)})`,
    `${f.waiting} pod${f.waiting === 1 ? '' : 's'} Pending over ${formatDuration(WAITING_LIMIT_SECONDS)}`,
    ...(f.unverified ? [`${f.unverified} slot${f.unverified === 1 ? '' : 's'} unverified`] : []),
    ...(f.errors ? [`${f.errors} system read${f.errors === 1 ? '' : 's'} failed`] : []),
  ];
  return `Objectives ${f.met ? 'met' : 'NOT met'} over ${span} across ${f.jobs} job${f.jobs === 1 ? '' : 's'}: ${parts.join('; ')}.`;
}

/** One row per job, worst first, each system's runs in its own column; every problem below; the summary last. */
export function renderSloTable(report: SloReport, systems: readonly SloSystem[]): string {
  const header = ['JOB', 'SLOTS', ...systems.map((s) => s.title.toUpperCase()), 'MISSED', 'DOUBLED', 'LATE', 'P50', 'P99', 'MAX', 'FAILED', 'PENDING', 'VERDICT'];
  const rows = report.jobs.map((j) => [
    j.job,
    String(j.slots),
    ...systems.map((s) => {
      const f = j.systems[s.name];
      return f?.error !== undefined ? '?' : String(f?.runs ?? 0);
    }),
    String(j.missed.length),
    String(j.doubled.length),
    String(j.late.length),
    seconds(j.latency?.p50),
    seconds(j.latency?.p99),
    seconds(j.latency?.max),
    String(j.failed.length),
    String(j.waiting.length),
    verdictOf(j),
  ]);
  const out = columns([header, ...rows]);
  const problems = report.jobs.flatMap((j) => problemLines(j, systems));
  if (problems.length) out.push('', ...problems);
  out.push('', sloSummary(report));
  return `${out.join('\n')}\n`;
}
