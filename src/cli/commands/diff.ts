/**
 * `migrate diff [job...]`: LIVE vs DESIRED on each job's declared backend, normalised, secrets
 * masked. kubectl's exit contract: 0 no differences, 1 differences, 2 and above an error.
 */
import type { CommandModule } from 'yargs';
import { ExitCode, UserError } from '../../core/errors.js';
import { diffLive, livePath, type LiveDiff } from '../../core/live-diff.js';
import { openConnections } from '../connections.js';
import { refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { declaredListing, declaredSides, namespacesOf, readLiveSnapshot, translationWarnings } from '../live-view.js';
import type { ExitHolder } from '../run.js';
import { selectDefinitions } from '../workspace.js';

interface DiffArgs extends GlobalArgs {
  readonly jobs: readonly string[];
}

export function diffCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, DiffArgs> {
  return {
    command: 'diff [jobs..]',
    describe:
      'live vs desired on each job\'s declared backend, normalised, secrets masked. ' +
      'Exit 0 no differences; 1 differences found; 2 or more an error (as kubectl diff)',
    builder: (y) => y.positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' }),
    handler: async (args) => {
      try {
        exit.code = await runDiff(io, args);
      } catch (err) {
        // kubectl's contract: an error is never confused with "differences found".
        if (err instanceof UserError && err.exitCode < ExitCode.DiffError) throw new UserError(err.summary, err.detail, ExitCode.DiffError);
        exit.code = ExitCode.DiffError; // an unexpected error keeps at least this code
        throw err;
      }
    },
  };
}

async function runDiff(io: CliIO, args: DiffArgs): Promise<number> {
  refuseOutputFormat(args, 'diff', 'a unified diff, as kubectl diff prints');
  const { ws, definitions } = selectDefinitions(io, args, args.jobs, ExitCode.DiffError);
  const conn = openConnections(io, args, ws.project);
  const jobs = definitions.map((d) => d.job);
  const ns = namespacesOf(conn, jobs.filter((j) => j.backend === 'kubernetes'));
  const systems = [...new Set(jobs.map((j) => j.backend))];
  const snapshot = await readLiveSnapshot(conn, ns.namespaces, systems);
  const color = useColor(io, args.color);
  let changed = 0;
  const failures: string[] = [];
  const hints: string[] = [];
  if (ns.error && systems.includes('kubernetes')) failures.push(`kubernetes: ${ns.error}`);
  for (const job of jobs) {
    const namespace = ns.namespaceOf(job);
    const listing = declaredListing(snapshot, job, namespace);
    if (!listing.ok) {
      if (!(ns.error && job.backend === 'kubernetes')) failures.push(`${livePath(job.backend, job.name, namespace)}: ${listing.error}`);
      if (listing.hint) hints.push(listing.hint);
      continue;
    }
    for (const w of translationWarnings(job, listing.now)) io.stderr.write(`warning: ${job.name}: ${w.message}\n`);
    const sides = declaredSides(job, namespace, listing.items.get(job.name), listing.now);
    const d: LiveDiff = diffLive(sides, { color });
    if (d.changed) {
      changed++;
      io.stdout.write(d.patch);
    }
  }
  if (failures.length) {
    const next = hints.length ? [...new Set(hints)] : ['Check that both systems answer (`migrate status`), then re-run.'];
    throw new UserError(`cannot read ${failures.length === 1 ? 'a live system' : 'the live systems'}`, [...new Set(failures), ...next].join('\n'), ExitCode.DiffError);
  }
  return changed ? ExitCode.DiffFound : ExitCode.Ok;
}
