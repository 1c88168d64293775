/**
 * `migrate diff [job...]`: LIVE vs DESIRED on each job's declared backend, normalised, secrets
 * masked. kubectl's exit contract: 0 no differences, 1 differences, 2 and above an error.
 */
import type { CommandModule } from 'yargs';
import { backendOf } from '../../../backends/index.js';
import { ExitCode, UserError } from '../../core/errors.js';
import { nameOn, type BackendName, type JobDefinition } from '../../core/job.js';
import { diffLive, type LiveDiff } from '../../core/live-diff.js';
import { openConnections } from '../connections.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { declaredSides, listingOf, readLiveSnapshot, scopesOf, translationWarnings } from '../live-view.js';
import type { ExitHolder } from '../exit.js';
import { selectDefinitions } from '../workspace.js';

interface DiffArgs extends GlobalArgs {
  readonly jobs: readonly string[];
}

/** The one output, as `-o` is refused. */
const PRINTS = 'a unified diff, as kubectl diff prints';

export function diffCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, DiffArgs> {
  return {
    command: 'diff [jobs..]',
    describe:
      'live vs desired on each job\'s declared backend, normalised, secrets masked. ' +
      'Exit 0 no differences; 1 differences found; 2 or more an error (as kubectl diff)',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' })
        .describe('output', oneFormatHelp(PRINTS)),
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
  refuseOutputFormat(args, 'diff', PRINTS);
  const { ws, definitions } = selectDefinitions(io, args, args.jobs, ExitCode.DiffError);
  const conn = openConnections(io, args, ws.project);
  const jobs = definitions.map((d) => d.job);
  // Only the declared backends are read, each in the scopes of the jobs declared on it.
  const declaredOn: Partial<Record<BackendName, JobDefinition[]>> = {};
  for (const job of jobs) (declaredOn[job.backend] ??= []).push(job);
  const scopes = scopesOf(conn, declaredOn);
  const snapshot = await readLiveSnapshot(conn, scopes);
  const color = useColor(io, args.color);
  let changed = 0;
  const failures: string[] = [];
  const hints: string[] = [];
  for (const [system, error] of Object.entries(scopes.errors)) failures.push(`${system}: ${error}`);
  for (const job of jobs) {
    const scope = scopes.of(job.backend, job);
    const listing = listingOf(snapshot, scopes, job.backend, job);
    if (!listing.ok) {
      if (scopes.errors[job.backend] === undefined) failures.push(`${backendOf(job.backend).livePath(nameOn(job, job.backend), scope)}: ${listing.error}`);
      if (listing.hint) hints.push(listing.hint);
      continue;
    }
    for (const w of translationWarnings(job, listing.now)) io.stderr.write(`warning: ${job.name}: ${w.message}\n`);
    const sides = declaredSides(job, scope, listing.items.get(nameOn(job, job.backend)), listing.now);
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
