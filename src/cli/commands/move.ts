/** `migrate move <job...> --to <backend>`: the cutover protocol, with a preview first. */
import type { CommandModule } from 'yargs';
import { ExitCode, formatDiagnostic, UserError } from '../../core/errors.js';
import type { JobDefinition } from '../../core/job.js';
import { capacityBreaches, capacityWarningLines, loadWindow } from '../../core/load.js';
import { toYaml } from '../../core/yaml-write.js';
import { BACKEND_CHOICES, backendOption } from '../backend-option.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { selectJobs } from '../job-selection.js';
import { runMoves } from '../move-runner.js';
import type { ExitHolder } from '../exit.js';
import { loadWorkspace } from '../workspace.js';

export interface MoveArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly to: string;
  readonly selector?: string;
  readonly 'dry-run': boolean;
  readonly details: boolean;
  readonly concurrency: number;
  readonly 'advance-sandbox': boolean;
  readonly watch: boolean;
  readonly 'auto-rollback': boolean;
  readonly 'orphan-dependents': boolean;
  readonly strict: boolean;
}

/** How far ahead a wave's starts are counted against capacity: a week, so weekly schedules are in. */
const CAPACITY_DAYS = 7;

/** What `-o` takes, the default first. */
const FORMATS = ['table', 'json', 'yaml'] as const;

export function moveCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, MoveArgs> {
  return {
    command: 'move [jobs..]',
    describe:
      'hand jobs over to the other scheduler without losing or doubling a run (preview, confirm, then move), least important tier first. ' +
      'Exit 0 moved, or nothing to do (every job already on the target; --dry-run with nothing refused); 1 an error, a refusal, a cancel, or a move that failed and was put back',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names' })
        .option('to', { type: 'string', demandOption: true, describe: BACKEND_CHOICES })
        .option('selector', { alias: 'l', type: 'string', describe: 'jobs whose labels (or tier) match, e.g. tier=low,team=core' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and stop' })
        .option('details', { type: 'boolean', default: false, describe: "with more than one job: each job's full plan after the wave's summary" })
        .option('concurrency', { type: 'number', default: 4, describe: 'jobs moved at once' })
        .option('watch', { type: 'boolean', default: false, describe: "after the move, wait for the target's first run inside the start window" })
        .option('auto-rollback', { type: 'boolean', default: false, describe: 'roll back when that first run does not come (implies --watch)' })
        .option('orphan-dependents', { type: 'boolean', default: false, describe: 'move a job although jobs that run after it on its system stop running (named in the plan)' })
        .option('strict', { type: 'boolean', default: false, describe: "refuse a wave that pushes a minute of the target above capacity.startsPerMinute (migrate.yaml); without it the plan warns" })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`: advance its clock instead of waiting' })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      const format = outputFormat(args, 'move', FORMATS);
      const to = backendOption('to', args.to);
      const ws = loadWorkspace(io, args);
      const chosen = selectJobs(ws.definitions.map((d) => d.job), args.jobs, args.selector);
      const problems = ws.diagnostics.filter((d) => d.severity === 'error' && chosen.some((j) => ws.definitions.find((x) => x.job === j)?.file === d.file));
      if (problems.length) throw new UserError('the definitions have problems; fix them first', problems.map(formatDiagnostic).join('\n'));
      // A job already declared on the target has nothing to move (a wave re-run after a partial
      // one, or a selector that matches moved jobs too): said, not refused.
      const already = chosen.filter((job) => job.backend === to);
      if (already.length && format === 'table') {
        io.stdout.write(`Already on ${to} (nothing to do): ${already.map((j) => j.name).join(', ')}\n`);
      }
      const targets = leastImportantFirst(chosen.filter((job) => job.backend !== to)).map((job) => ({
        definition: ws.definitions.find((d) => d.job === job)!,
        from: job.backend,
        to,
        operation: 'move' as const,
        ...(args['orphan-dependents'] ? { orphanDependents: true } : {}),
      }));
      const valid = ws.definitions.filter((d) => !ws.diagnostics.some((x) => x.severity === 'error' && x.file === d.file)).map((d) => d.job);
      const breaches = capacityBreaches(valid, { to, jobs: targets.map((t) => t.definition.job.name) }, ws.project.capacity.startsPerMinute, loadWindow(io.clock.now(), CAPACITY_DAYS));
      if (args.strict && breaches.length) {
        throw new UserError(
          `the wave pushes ${breaches.length} minute${breaches.length === 1 ? '' : 's'} of ${to} above its capacity (--strict); nothing changed`,
          `${capacityWarningLines(breaches).join('\n')}\nMove fewer jobs at once, raise capacity.startsPerMinute in migrate.yaml, or leave out --strict to move with a warning.`,
        );
      }
      if (targets.length === 0) {
        if (format === 'json') io.stdout.write('[]\n');
        else if (format === 'yaml') io.stdout.write(toYaml([]));
        else io.stdout.write(`Nothing to do: ${already.length === 1 ? `${already[0]!.name} already runs` : `all ${already.length} jobs already run`} on ${to}.\n`);
        exit.code = ExitCode.Ok;
        return;
      }
      exit.code = await runMoves(io, args, ws, targets, {
        dryRun: args['dry-run'],
        details: args.details,
        concurrency: Math.max(1, Math.min(16, Math.floor(args.concurrency))),
        advanceSandbox: args['advance-sandbox'],
        watch: args.watch || args['auto-rollback'],
        autoRollback: args['auto-rollback'],
        commandLine: moveCommandLine(args),
        capacity: breaches,
      });
    },
  };
}

/** Tiers as the operators rank them; a job with another tier, or none, goes between medium and high. */
const TIER_ORDER: Readonly<Record<string, number>> = { low: 0, medium: 1, high: 3, critical: 4 };
const UNRANKED_TIER = 2;

/** Moves go least important first (docs/commands.md, "move"): a wave's low-tier jobs are handed over before its critical ones. Stable otherwise. */
export function leastImportantFirst(jobs: readonly JobDefinition[]): JobDefinition[] {
  const rank = (j: JobDefinition) => TIER_ORDER[j.tier ?? ''] ?? UNRANKED_TIER;
  return jobs.map((job, i) => ({ job, i })).sort((a, b) => rank(a.job) - rank(b.job) || a.i - b.i).map(({ job }) => job);
}

/** The command line a hint tells the operator to run again: the same jobs, target and rehearsal flags. */
function moveCommandLine(args: MoveArgs): string {
  const parts = ['migrate move', ...args.jobs];
  if (args.selector) parts.push(`-l ${args.selector}`);
  parts.push(`--to ${args.to}`);
  if (args['orphan-dependents']) parts.push('--orphan-dependents');
  if (args.strict) parts.push('--strict');
  if (args['advance-sandbox']) parts.push('--advance-sandbox');
  if (args['auto-rollback']) parts.push('--watch --auto-rollback');
  else if (args.watch) parts.push('--watch');
  return parts.join(' ');
}
