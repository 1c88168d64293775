/**
 * `migrate status`, the pure half: given what each live system says about every job, one verdict
 * per job and the views of it (table, JSON/YAML). Reading the systems is the command's business.
 *
 * Verdicts, worst first (the table is sorted this way, so a double is the first line you read):
 * - `double`: enabled in both systems: every slot runs twice;
 * - `in-flight`: an unfinished move is in the journal (`migrate resume` or `rollback` finishes it);
 * - `orphan`: enabled in neither: every slot is lost;
 * - `drift`: enabled in one system, but not as the definition says (other settings, or the
 *   other system; when a completed move in the journal put it there, that move is named);
 * - `unknown`: a system that could not be read leaves the question open;
 * - `ok`: enabled exactly where declared, matching the definition; or, for a paused job, present
 *   there switched off and enabled nowhere.
 *
 * Jobs that run after another job's run on a system that chains them (`Backend.links`) are shown
 * with their parents and children; one no definition claims is listed as a dependent, not as
 * unmanaged: no definition can carry it, and it stops when a parent does.
 */
import type { Backend, JobLinks, SystemView } from './backend.js';
import type { BackendName } from './job.js';
import type { MoveOperation } from './journal.js';
import { toYaml } from './yaml-write.js';

export const VERDICTS = ['double', 'in-flight', 'orphan', 'drift', 'unknown', 'ok'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * The backends the views show, in the order of their columns: each one's status view (its
 * columns, cells and JSON object) and where its objects live.
 */
export type StatusSystems = readonly Pick<Backend, 'name' | 'livePath' | 'status'>[];

export interface JobObservation {
  readonly name: string;
  readonly declared: BackendName;
  /** What each backend said about the job, or why it could not be asked. */
  readonly systems: Readonly<Record<BackendName, SystemView>>;
  /** The declared system's live object equals the definition after normalisation (undefined: absent or unreadable). */
  readonly matchesDefinition: boolean | undefined;
  /** The definition says `paused`: switched off where declared is as it should be. */
  readonly paused?: boolean;
  /** Its parents and children on each system that chains it to other jobs. */
  readonly links?: Readonly<Partial<Record<BackendName, JobLinks>>>;
  /** An unfinished move of this job is in the journal. */
  readonly inFlight: boolean;
  /** Who began that move and when (its process may still be running it). */
  readonly inFlightBy?: { readonly holder: string; readonly at: string };
  /** The job's last completed move in the journal (this clone's or the shared record): where it put the job, who, and when it ended. */
  readonly lastMove?: { readonly operation: MoveOperation; readonly to: BackendName; readonly by: string; readonly at: string };
}

export interface JobStatus extends JobObservation {
  readonly verdict: Verdict;
  /** One line saying why, and what to run next when something is wrong. */
  readonly reason: string;
}

/** A live object no definition claims, of those its backend counts as migrate's (`Backend.isManaged`). */
export interface UnmanagedObject {
  readonly system: BackendName;
  readonly name: string;
  /** Its scope, where the backend has more than one (a namespace). */
  readonly namespace?: string;
  readonly enabled: boolean;
}

/** A live job that runs after other jobs' runs (not on a schedule) and that no definition claims. */
export interface DependentObject {
  readonly system: BackendName;
  readonly name: string;
  readonly namespace?: string;
  readonly enabled: boolean;
  readonly parents: readonly string[];
  /** Its parents that are absent or switched off there: while any is, it does not run. */
  readonly stoppedBy: readonly string[];
}

export interface StatusReport {
  readonly jobs: readonly JobStatus[];
  readonly unmanaged: readonly UnmanagedObject[];
  readonly dependents: readonly DependentObject[];
  /** Systems that could not be read, with the client's message. */
  readonly unreachable: Readonly<Partial<Record<BackendName, string>>>;
}

export function judgeJob(o: JobObservation): JobStatus {
  const enabled = (s: BackendName) => {
    const view = o.systems[s];
    return view.reachable ? view.state.enabled : undefined;
  };
  const declared = enabled(o.declared);
  const systems = Object.keys(o.systems);
  const others = systems.filter((s) => s !== o.declared);
  // Where else it runs; whether it runs anywhere else: true, false, or undefined when a system that could say was not read.
  const running = others.filter((s) => enabled(s) === true);
  const other = running.length > 0 ? true : others.some((s) => enabled(s) === undefined) ? undefined : false;
  const verdict = (v: Verdict, reason: string): JobStatus => ({ ...o, verdict: v, reason });
  if (declared === true && other === true) {
    return verdict('double', `enabled in both systems: every slot runs twice; disable it on ${running.join(' and ')} now`);
  }
  if (o.inFlight) {
    const by = o.inFlightBy ? ` (begun ${o.inFlightBy.at} by ${o.inFlightBy.holder}: if that process is still running, let it finish)` : '';
    return verdict('in-flight', `a move is unfinished${by}: finish it with \`migrate resume ${o.name}\` or undo it with \`migrate rollback ${o.name}\``);
  }
  if (declared === undefined || other === undefined) {
    const down = systems.filter((s) => !o.systems[s]!.reachable);
    return verdict('unknown', `${down.join(' and ')} could not be read`);
  }
  if (!declared && !other && o.paused) {
    const view = o.systems[o.declared]!;
    if (view.reachable && !view.state.present) return verdict('drift', `absent on ${o.declared}, where the definition places it paused: \`migrate apply ${o.name}\` places it, switched off`);
    if (o.matchesDefinition === false) return verdict('drift', `differs from the definition: see \`migrate diff ${o.name}\``);
    return verdict('ok', `paused on ${o.declared} as defined: it runs no slot`);
  }
  if (!declared && !other) return verdict('orphan', `enabled in neither system: every slot is lost; \`migrate apply ${o.name}\` enables it on ${o.declared}`);
  if (other) {
    // A move this clone's definition has not caught up with (made from another clone, not pulled yet).
    const moved = o.lastMove && o.lastMove.to !== o.declared && running.includes(o.lastMove.to) ? o.lastMove : undefined;
    if (moved) {
      const undo = moved.operation === 'rollback' ? `migrate move ${o.name} --to ${o.declared}` : `migrate rollback ${o.name}`;
      return verdict('drift', `${moved.operation === 'rollback' ? 'rolled back' : 'moved'} to ${moved.to} by ${moved.by} at ${moved.at}; this clone's definition still says ${o.declared}: pull, or run \`${undo}\``);
    }
    return verdict('drift', `runs on ${running.join(' and ')}, but the definition says ${o.declared}: \`migrate move ${o.name} --to ${o.declared}\`, or fix backend:`);
  }
  if (o.paused) return verdict('drift', `enabled on ${o.declared}, but the definition says paused: \`migrate apply ${o.name}\` switches it off`);
  if (o.matchesDefinition === false) return verdict('drift', `differs from the definition: see \`migrate diff ${o.name}\``);
  return verdict('ok', `enabled on ${o.declared} as defined`);
}

/** Worst verdict first, then by name. */
export function sortStatuses(jobs: readonly JobStatus[]): JobStatus[] {
  return [...jobs].sort((a, b) => VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict) || a.name.localeCompare(b.name));
}

export function buildStatusReport(
  observations: readonly JobObservation[],
  unmanaged: readonly UnmanagedObject[],
  unreachable: StatusReport['unreachable'],
  dependents: readonly DependentObject[] = [],
): StatusReport {
  const order = (a: { system: string; namespace?: string; name: string }, b: { system: string; namespace?: string; name: string }) =>
    a.system.localeCompare(b.system) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
  return {
    jobs: sortStatuses(observations.map(judgeJob)),
    unmanaged: [...unmanaged].sort(order),
    dependents: [...dependents].sort(order),
    unreachable,
  };
}

/** 0 when every job is `ok` and every system answered; 1 otherwise. Unmanaged and dependent objects do not count. */
export function statusExitCode(report: StatusReport): number {
  return report.jobs.every((j) => j.verdict === 'ok') && Object.keys(report.unreachable).length === 0 ? 0 : 1;
}

// ---- views ---------------------------------------------------------------------------------

/**
 * The machine-readable form: one object per job (and per unmanaged object, with `declared: null`),
 * with each backend's own object under its name.
 */
function statusRecords(report: StatusReport, systems: StatusSystems): Record<string, unknown>[] {
  return [
    ...report.jobs.map((j) => ({
      name: j.name,
      declared: j.declared,
      ...Object.fromEntries(systems.map((b) => [b.name, b.status.record(j.systems[b.name])])),
      ...(j.links && Object.keys(j.links).length ? { links: j.links } : {}),
      verdict: j.verdict,
      reason: j.reason,
    })),
    ...report.unmanaged.map((u) => ({
      name: u.name,
      declared: null,
      [u.system]: { reachable: true, present: true, enabled: u.enabled, ...(u.namespace ? { namespace: u.namespace } : {}) },
      ...Object.fromEntries(systems.filter((b) => b.name !== u.system).map((b) => [b.name, null])),
      verdict: 'unmanaged',
      reason: `no definition in jobs/ claims it: \`migrate import --from ${u.system} ${u.name}\``,
    })),
    ...report.dependents.map((d) => ({
      name: d.name,
      declared: null,
      [d.system]: { reachable: true, present: true, enabled: d.enabled, ...(d.namespace ? { namespace: d.namespace } : {}) },
      ...Object.fromEntries(systems.filter((b) => b.name !== d.system).map((b) => [b.name, null])),
      parents: d.parents,
      verdict: 'dependent',
      reason: dependentReason(d),
    })),
  ];
}

export function renderStatusJson(report: StatusReport, systems: StatusSystems): string {
  return `${JSON.stringify(statusRecords(report, systems), null, 2)}\n`;
}

export function renderStatusYaml(report: StatusReport, systems: StatusSystems): string {
  return toYaml(statusRecords(report, systems));
}

/** Verdict colours: the compiler checks every verdict has one. */
const VERDICT_COLOR: Record<Verdict, string> = { double: '1;31', 'in-flight': '1;33', orphan: '1;31', drift: '33', unknown: '35', ok: '32' };

/** The table: one row per job, worst verdict first, each backend's columns in turn; unmanaged objects and a summary line below. */
export function renderStatusTable(report: StatusReport, systems: StatusSystems, options: { readonly color?: boolean } = {}): string {
  const header = ['NAME', 'DECLARED', ...systems.flatMap((b) => b.status.columns), 'VERDICT'];
  const rows = report.jobs.map((j) => [j.name, j.declared, ...systems.flatMap((b) => b.status.cells(j.systems[b.name])), j.verdict]);
  const out: string[] = [];
  out.push(...formatColumns([header, ...rows], (row, col, text) => (options.color && row > 0 && col === header.length - 1 ? `\u001b[${VERDICT_COLOR[text as Verdict]}m${text}\u001b[0m` : text)));
  const attention = report.jobs.filter((j) => j.verdict !== 'ok');
  if (attention.length) {
    out.push('');
    for (const j of attention) out.push(`${j.name}: ${j.verdict}: ${j.reason}`);
  }
  const chained = report.jobs.filter((j) => j.links && Object.keys(j.links).length);
  if (chained.length) {
    out.push('', 'Chained to other jobs (a child runs after its parent\'s run, and stops when the parent stops):');
    for (const j of chained) {
      for (const [system, l] of Object.entries(j.links!) as [BackendName, JobLinks][]) {
        const parts = [l.parents.length ? `runs after ${l.parents.join(', ')}` : '', l.children.length ? `${l.children.join(', ')} run${l.children.length === 1 ? 's' : ''} after it` : ''].filter(Boolean);
        out.push(`  ${j.name} on ${system}: ${parts.join('; ')}`);
      }
    }
  }
  if (report.dependents.length) {
    out.push('', 'Dependent (live, run after another job instead of on a schedule; no definition can carry them):');
    const of = (d: DependentObject) => systems.find((b) => b.name === d.system)!;
    out.push(...formatColumns(report.dependents.map((d) => [`  ${of(d).livePath(d.name, d.namespace ?? '')}`, of(d).status.stateWord(d.enabled), dependentReason(d)])));
  }
  if (report.unmanaged.length) {
    out.push('', 'Unmanaged (live, but no definition claims them):');
    const of = (u: UnmanagedObject) => systems.find((b) => b.name === u.system)!;
    out.push(...formatColumns(report.unmanaged.map((u) => [`  ${of(u).livePath(u.name, u.namespace ?? '')}`, of(u).status.stateWord(u.enabled)])));
  }
  for (const [system, error] of Object.entries(report.unreachable)) out.push('', `${system}: unreachable: ${error}`);
  out.push('', summaryLine(report));
  return `${out.join('\n')}\n`;
}

export function summaryLine(report: StatusReport): string {
  const counts = VERDICTS.map((v) => [v, report.jobs.filter((j) => j.verdict === v).length] as const).filter(([, n]) => n > 0);
  const jobs = `${report.jobs.length} job${report.jobs.length === 1 ? '' : 's'}`;
  const parts = counts.map(([v, n]) => `${n} ${v}`).join(', ');
  const unmanaged = report.unmanaged.length ? `; ${report.unmanaged.length} unmanaged` : '';
  const dependents = report.dependents.length ? `; ${report.dependents.length} dependent` : '';
  return `${jobs}${parts ? `: ${parts}` : ''}${dependents}${unmanaged}.`;
}

function dependentReason(d: DependentObject): string {
  const stopped = d.stoppedBy.length ? `; stopped: ${d.stoppedBy.join(', ')} ${d.stoppedBy.length === 1 ? 'is' : 'are'} absent or switched off on ${d.system}` : '';
  return `runs after ${d.parents.join(', ')}${stopped}`;
}

function formatColumns(rows: readonly (readonly string[])[], decorate: (row: number, col: number, text: string) => string = (_r, _c, t) => t): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row, r) =>
    row
      .map((cell, i) => (i === row.length - 1 ? decorate(r, i, cell) : decorate(r, i, cell) + ' '.repeat(widths[i] - cell.length + 2)))
      .join('')
      .trimEnd(),
  );
}
