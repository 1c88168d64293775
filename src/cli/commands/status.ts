/**
 * `migrate status [job...]`: where every job runs now, in both systems, and one verdict each.
 * One LIST call per system (per namespace on Kubernetes); a system that cannot be read is shown
 * as unreachable and the other half still shows.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type { ChronosJob } from '../../../backends/chronos/model.js';
import { readSchedule } from '../../../backends/chronos/schedule.js';
import { MANAGED_BY_LABEL, type CronJobManifest } from '../../../backends/kubernetes/render.js';
import { UserError, formatDiagnostic } from '../../core/errors.js';
import type { JobDefinition } from '../../core/job.js';
import { unfinishedMoves } from '../../core/journal.js';
import { sameObject } from '../../core/live-diff.js';
import { cronNext, parseCron } from '../../core/schedule/cron.js';
import {
  buildStatusReport, renderStatusJson, renderStatusTable, renderStatusYaml, statusExitCode,
  type ChronosState, type JobObservation, type KubernetesState, type StatusReport, type SystemView, type UnmanagedObject,
} from '../../core/status.js';
import { openConnections } from '../connections.js';
import { projectJournal, readJournal } from '../journal-file.js';
import { outputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { declaredSides, namespacesOf, readLiveSnapshot, type Listing } from '../live-view.js';
import type { ExitHolder } from '../run.js';
import { loadWorkspace } from '../workspace.js';

interface StatusArgs extends GlobalArgs {
  readonly jobs: readonly string[];
}

export function statusCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, StatusArgs> {
  return {
    command: 'status [jobs..]',
    describe:
      'per job: declared backend, state in Chronos and Kubernetes, and a verdict ' +
      '(double, in-flight, orphan, drift, unknown, ok; worst first). -o table|json|yaml. ' +
      'Exit 0 every job ok and both systems answered; 1 any other verdict, a system unreachable, or an error',
    builder: (y) => y.positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job, and unmanaged live objects)' }),
    handler: async (args) => {
      const format = outputFormat(args, 'status', ['table', 'json', 'yaml']);
      const report = await readStatus(io, args, args.jobs);
      if (format === 'json') io.stdout.write(renderStatusJson(report));
      else if (format === 'yaml') io.stdout.write(renderStatusYaml(report));
      else io.stdout.write(renderStatusTable(report, { color: useColor(io, args.color) }));
      exit.code = statusExitCode(report);
    },
  };
}

/** Reads both systems once and judges every selected job. */
export async function readStatus(io: CliIO, args: GlobalArgs, names: readonly string[]): Promise<StatusReport> {
  // Backend lint is skipped: a job Chronos cannot run shows as drift against the live system.
  const ws = loadWorkspace(io, args, names, { backendLint: false });
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  // A job the operator named is never dropped quietly; unnamed ones are, with a warning, so that one
  // broken file does not hide the state of every other job.
  if (names.length && errors.length) {
    throw new UserError(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the named definitions; fix them first`, `${errors.map(formatDiagnostic).join('\n')}\n(\`migrate validate\` lists them)`);
  }
  const broken = new Set(errors.map((d) => d.file));
  if (broken.size) io.stderr.write(`warning: ${broken.size} definition file(s) have problems and are not shown; run \`migrate validate\`\n`);
  const jobs = ws.definitions.filter((d) => !broken.has(d.file)).map((d) => d.job);
  const conn = openConnections(io, args, ws.project);
  const ns = namespacesOf(conn, jobs);
  const snapshot = await readLiveSnapshot(conn, ns.namespaces);
  const inFlight = readInFlight(io, args);

  const unreachable: Partial<Record<'chronos' | 'kubernetes', string>> = {};
  if (!snapshot.chronos.ok) unreachable.chronos = snapshot.chronos.error;
  if (ns.error) unreachable.kubernetes = ns.error;
  for (const [namespace, listing] of snapshot.kubernetes) if (!listing.ok) unreachable.kubernetes = `namespace ${namespace}: ${listing.error}`;

  const observations: JobObservation[] = jobs.map((job) => {
    const namespace = ns.namespaceOf(job);
    const k8s = snapshot.kubernetes.get(namespace) ?? { ok: false as const, error: ns.error ?? 'not read' };
    const chronos = chronosView(snapshot.chronos, job.name);
    const kubernetes = kubernetesView(k8s, job.name, namespace);
    const declared = job.backend === 'chronos' ? snapshot.chronos : k8s;
    return { name: job.name, declared: job.backend, chronos, kubernetes, matchesDefinition: matches(job, namespace, declared), inFlight: inFlight.has(job.name), ...(inFlight.has(job.name) ? { inFlightBy: inFlight.get(job.name)! } : {}) };
  });

  const unmanaged: UnmanagedObject[] = [];
  if (names.length === 0) {
    const claimed = new Set(ws.definitions.map((d) => d.job.name));
    if (snapshot.chronos.ok) {
      for (const j of snapshot.chronos.items.values()) if (!claimed.has(j.name)) unmanaged.push({ system: 'chronos', name: j.name, enabled: !j.disabled });
    }
    for (const [namespace, listing] of snapshot.kubernetes) {
      if (!listing.ok) continue;
      for (const cj of listing.items.values()) {
        if (claimed.has(cj.metadata.name) || cj.metadata.labels?.[MANAGED_BY_LABEL] !== 'migrate') continue;
        unmanaged.push({ system: 'kubernetes', name: cj.metadata.name, namespace, enabled: cj.spec.suspend !== true });
      }
    }
  }
  return buildStatusReport(observations, unmanaged, unreachable);
}

function matches(job: JobDefinition, namespace: string, listing: Listing<ChronosJob | CronJobManifest>): boolean | undefined {
  if (!listing.ok) return undefined;
  const live = listing.items.get(job.name);
  if (!live) return undefined;
  try {
    const sides = declaredSides(job, namespace, live, listing.now);
    return sameObject(sides.live, sides.desired);
  } catch {
    return false;
  }
}

function chronosView(listing: Listing<ChronosJob>, name: string): SystemView<ChronosState> {
  if (!listing.ok) return { reachable: false, error: listing.error };
  const job = listing.items.get(name);
  if (!job) return { reachable: true, state: { present: false, enabled: false } };
  const runs = [job.lastSuccess, job.lastError].filter((t) => t !== '').map((t) => new Date(t)).filter((d) => !Number.isNaN(d.getTime()));
  const lastRun = runs.length ? new Date(Math.max(...runs.map((d) => d.getTime()))) : undefined;
  let nextRun: Date | undefined;
  if (job.schedule !== undefined && !job.disabled) {
    try {
      const s = readSchedule(job.schedule, job.scheduleTimeZone ?? '', listing.now);
      // Chronos moves the start to the next run at every launch; a start in the past is a run due now.
      if (s.repeat !== 0) nextRun = s.start;
    } catch {
      nextRun = undefined;
    }
  }
  return { reachable: true, state: { present: true, enabled: !job.disabled, ...(lastRun ? { lastRun } : {}), ...(nextRun ? { nextRun } : {}) } };
}

function kubernetesView(listing: Listing<CronJobManifest>, name: string, namespace: string): SystemView<KubernetesState> {
  if (!listing.ok) return { reachable: false, error: listing.error };
  const cj = listing.items.get(name);
  if (!cj) return { reachable: true, state: { present: false, enabled: false, namespace, activeRuns: 0 } };
  const status = (cj.status ?? {}) as { lastScheduleTime?: string; active?: unknown[] };
  const enabled = cj.spec.suspend !== true;
  let nextRun: Date | undefined;
  if (enabled) {
    try {
      nextRun = cronNext(parseCron(cj.spec.schedule), cj.spec.timeZone ?? 'Etc/UTC', listing.now);
    } catch {
      nextRun = undefined;
    }
  }
  return {
    reachable: true,
    state: {
      present: true,
      enabled,
      namespace,
      ...(status.lastScheduleTime ? { lastScheduleTime: new Date(status.lastScheduleTime) } : {}),
      ...(nextRun ? { nextRun } : {}),
      activeRuns: status.active?.length ?? 0,
    },
  };
}

/**
 * Jobs with an unfinished move in the journal beside the project file, with who began it and
 * when. A damaged journal is a warning here (status must still show the systems); the commands
 * that act on the journal refuse it.
 */
function readInFlight(io: CliIO, args: GlobalArgs): Map<string, { holder: string; at: string }> {
  const file = projectJournal(io, args);
  const records = readJournal(file, { tolerant: (problem) => io.stderr.write(`warning: ${path.relative(io.cwd, file)}: ${problem}\n`) });
  return new Map([...unfinishedMoves(records)].map(([job, move]) => [job, { holder: move.begin.holder, at: move.begin.at }]));
}
