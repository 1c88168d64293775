/**
 * `migrate status [job...]`: where every job runs now, in both systems, and one verdict each.
 * One LIST call per system and scope, and one for the shared record of moves (per scope too);
 * a system that cannot be read is shown as unreachable
 * and the other half still shows.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ALL_BACKENDS } from '../../../backends/index.js';
import type { Backend, JobLinks, Listing, SystemView } from '../../core/backend.js';
import { UserError, formatDiagnostic } from '../../core/errors.js';
import { nameOn, type BackendName, type JobDefinition } from '../../core/job.js';
import { foldJournal, unfinishedMoves } from '../../core/journal.js';
import { sameObject } from '../../core/same-object.js';
import {
  buildStatusReport, renderStatusJson, renderStatusTable, renderStatusYaml, statusExitCode,
  type DependentObject, type JobObservation, type StatusReport, type UnmanagedObject,
} from '../../core/status.js';
import { openConnections, type Connections } from '../connections.js';
import { projectJournal } from '../journal-file.js';
import { readMergedJournal } from '../shared-journal.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { declaredSides, everywhere, listingOf, readLiveSnapshot, scopesOf } from '../live-view.js';
import type { ExitHolder } from '../exit.js';
import { loadWorkspace } from '../workspace.js';

interface StatusArgs extends GlobalArgs {
  readonly jobs: readonly string[];
}

/** What `-o` takes, the default first. */
const FORMATS = ['table', 'json', 'yaml'] as const;

export function statusCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, StatusArgs> {
  return {
    command: 'status [jobs..]',
    describe:
      `per job: declared backend, state in ${ALL_BACKENDS.map((b) => b.title).join(' and ')}, and a verdict ` +
      '(double, in-flight, orphan, drift, unknown, ok; worst first). -o table|json|yaml. ' +
      'Exit 0 every job ok and both systems answered; 1 any other verdict, a system unreachable, or an error',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job, and unmanaged live objects)' })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      const format = outputFormat(args, 'status', FORMATS);
      const report = await readStatus(io, args, args.jobs);
      if (format === 'json') io.stdout.write(renderStatusJson(report, ALL_BACKENDS));
      else if (format === 'yaml') io.stdout.write(renderStatusYaml(report, ALL_BACKENDS));
      else io.stdout.write(renderStatusTable(report, ALL_BACKENDS, { color: useColor(io, args.color) }));
      exit.code = statusExitCode(report);
    },
  };
}

/** Reads every backend once and judges every selected job. */
export async function readStatus(io: CliIO, args: GlobalArgs, names: readonly string[]): Promise<StatusReport> {
  // Backend lint is skipped: a job a backend cannot run shows as drift against the live system.
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
  const scopes = scopesOf(conn, everywhere(jobs));
  const [snapshot, moves] = await Promise.all([readLiveSnapshot(conn, scopes), readMoves(io, args, conn, jobs)]);
  const { inFlight, lastMove } = moves;

  const unreachable: Partial<Record<BackendName, string>> = {};
  for (const b of ALL_BACKENDS) {
    const error = scopes.errors[b.name];
    if (error !== undefined) unreachable[b.name] = error;
    for (const [scope, listing] of snapshot[b.name] ?? []) if (!listing.ok) unreachable[b.name] = scope && b.scopeNoun ? `${b.scopeNoun} ${scope}: ${listing.error}` : listing.error;
  }

  const linksOf = linkReader();
  const observations: JobObservation[] = jobs.map((job) => {
    const systems = Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, view(b, listingOf(snapshot, scopes, b.name, job), nameOn(job, b.name), scopes.of(b.name, job))])) as Record<BackendName, SystemView>;
    const matchesDefinition = matches(job, scopes.of(job.backend, job), listingOf(snapshot, scopes, job.backend, job));
    const last = lastMove.get(job.name);
    const links = Object.fromEntries(ALL_BACKENDS.flatMap((b) => {
      const l = linksOf(b, listingOf(snapshot, scopes, b.name, job)).get(nameOn(job, b.name));
      return l ? [[b.name, l]] : [];
    }));
    return {
      name: job.name, declared: job.backend, systems, matchesDefinition, inFlight: inFlight.has(job.name),
      ...(inFlight.has(job.name) ? { inFlightBy: inFlight.get(job.name)! } : {}), ...(last ? { lastMove: last } : {}),
      ...(job.paused ? { paused: true } : {}), ...(Object.keys(links).length ? { links } : {}),
    };
  });

  const unmanaged: UnmanagedObject[] = [];
  const dependents: DependentObject[] = [];
  if (names.length === 0) {
    for (const b of ALL_BACKENDS) {
      const claimed = new Set(ws.definitions.map((d) => nameOn(d.job, b.name)));
      for (const [scope, listing] of snapshot[b.name] ?? []) {
        if (!listing.ok) continue;
        const links = linksOf(b, listing);
        for (const live of listing.items.values()) {
          const name = b.nameOf(live);
          if (claimed.has(name)) continue;
          const parents = links.get(name)?.parents ?? [];
          const where = scope ? { namespace: scope } : {};
          if (parents.length) {
            const stoppedBy = parents.filter((p) => {
              const parent = listing.items.get(p);
              return parent === undefined || !b.isEnabled(parent);
            });
            dependents.push({ system: b.name, name, ...where, enabled: b.isEnabled(live), parents, stoppedBy });
          } else if (b.isManaged(live)) {
            unmanaged.push({ system: b.name, name, ...where, enabled: b.isEnabled(live) });
          }
        }
      }
    }
  }
  return buildStatusReport(observations, unmanaged, unreachable, dependents);
}

/** Each listing's chains, worked out once per listing (`Backend.links`); none where a backend has none. */
function linkReader(): (backend: Backend, listing: Listing<unknown>) => ReadonlyMap<string, JobLinks> {
  const none: ReadonlyMap<string, JobLinks> = new Map();
  const seen = new Map<Listing<unknown>, ReadonlyMap<string, JobLinks>>();
  return (backend, listing) => {
    if (!listing.ok || !backend.links) return none;
    let links = seen.get(listing);
    if (!links) seen.set(listing, (links = backend.links(listing.items)));
    return links;
  };
}

function matches(job: JobDefinition, scope: string, listing: Listing<unknown>): boolean | undefined {
  if (!listing.ok) return undefined;
  const live = listing.items.get(nameOn(job, job.backend));
  if (!live) return undefined;
  try {
    const sides = declaredSides(job, scope, live, listing.now);
    return sameObject(sides.live, sides.desired);
  } catch {
    return false;
  }
}

/** What one backend says about a job, at its server's clock. */
function view(backend: Backend, listing: Listing<unknown>, name: string, scope: string): SystemView {
  if (!listing.ok) return { reachable: false, error: listing.error };
  return { reachable: true, state: backend.observe(listing.items.get(name), listing.now, scope) };
}

/**
 * From the journal beside the project file merged with the shared record of moves (another
 * clone's moves included): jobs with an unfinished move, with who began it and when, and each
 * job's last completed move. A damaged journal, or a shared record that cannot be read, is a
 * warning here (status must still show the systems); the commands that act on the journal refuse
 * a damaged one.
 */
async function readMoves(io: CliIO, args: GlobalArgs, conn: Connections, jobs: readonly JobDefinition[]): Promise<{
  inFlight: Map<string, { holder: string; at: string }>;
  lastMove: Map<string, NonNullable<JobObservation['lastMove']>>;
}> {
  const file = projectJournal(io, args);
  const warn = (line: string) => io.stderr.write(`warning: ${line}\n`);
  const records = await readMergedJournal(file, { tolerant: (problem) => warn(`${path.relative(io.cwd, file)}: ${problem}`) }, conn, jobs, warn);
  const inFlight = new Map([...unfinishedMoves(records)].map(([job, move]) => [job, { holder: move.begin.holder, at: move.begin.at }]));
  const lastMove = new Map<string, NonNullable<JobObservation['lastMove']>>();
  for (const m of foldJournal(records)) {
    // The holder is `user@host pid N move <id>`: the operator is the first word.
    if (m.outcome === 'done' && m.end) lastMove.set(m.job, { operation: m.begin.operation, to: m.begin.to, by: m.begin.holder.split(' ')[0]!, at: m.end.at });
  }
  return { inFlight, lastMove };
}
