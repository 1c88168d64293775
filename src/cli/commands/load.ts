/**
 * `migrate load [jobs..] [-l selector --to <backend>]`: each system's starts per minute over the
 * coming days, from the definitions' schedules (no system is asked); the busiest minutes and
 * the jobs in them; with a wave, the same after it and the minutes it pushes above capacity.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { BACKEND_NAMES } from '../../../backends/names.js';
import { formatDiagnostic, UserError } from '../../core/errors.js';
import type { BackendName } from '../../core/job.js';
import { buildLoadReport, loadWindow, type Wave } from '../../core/load.js';
import { renderLoadJson, renderLoadTable, renderLoadYaml } from '../../core/load-output.js';
import { BACKEND_CHOICES, backendOption } from '../backend-option.js';
import type { ExitHolder } from '../exit.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { selectJobs } from '../job-selection.js';
import { loadWorkspace } from '../workspace.js';

interface LoadArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly selector?: string;
  readonly to?: string;
  readonly days: number;
  readonly top: number;
}

const FORMATS = ['table', 'json', 'yaml'] as const;

export function loadCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, LoadArgs> {
  return {
    command: 'load [jobs..]',
    describe:
      'runs each system starts per minute over the coming day(s), from the definitions\' schedules: the busiest minutes and their jobs, ' +
      'against capacity.startsPerMinute in migrate.yaml; with a wave (jobs or -l, and --to), the same after it and the minutes it pushes above capacity ' +
      '(-o table|json|yaml). Exit 0 shown; 1 an error',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'the wave: job names' })
        .option('selector', { alias: 'l', type: 'string', describe: 'the wave: jobs whose labels (or tier) match, e.g. tier=low' })
        .option('to', { type: 'string', describe: `where the wave goes: ${BACKEND_CHOICES}` })
        .option('days', { type: 'number', default: 1, describe: 'how many days to count, from the next minute (1-31; 7 takes in weekly schedules)' })
        .option('top', { type: 'number', default: 5, describe: 'busiest minutes listed per system' })
        .describe('output', formatsHelp(FORMATS)),
    handler: (args) => {
      const format = outputFormat(args, 'load', FORMATS);
      const days = args.days;
      if (!Number.isInteger(days) || days < 1 || days > 31) throw new UserError(`--days ${days} is not a whole number of days from 1 to 31`);
      const top = Math.max(1, Math.min(100, Math.floor(args.top)));
      // Only the schedules count: the per-backend checks (a year-long schedule proof each) are skipped.
      const ws = loadWorkspace(io, args, [], { backendLint: false });
      // The capacities come from the project file: a problem there is no count to show.
      const projectFile = path.relative(io.cwd, path.resolve(io.cwd, args.config)) || args.config;
      const projectErrors = ws.diagnostics.filter((d) => d.severity === 'error' && d.file === projectFile);
      if (projectErrors.length) throw new UserError(`${projectFile} has problems; fix them first`, projectErrors.map(formatDiagnostic).join('\n'));
      const broken = new Set(ws.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
      if (broken.size) io.stderr.write(`warning: ${broken.size} definition file(s) have problems and are not counted; run \`migrate validate\`\n`);
      const definitions = ws.definitions.filter((d) => !broken.has(d.file)).map((d) => d.job);
      const report = buildLoadReport(definitions, {
        window: loadWindow(io.clock.now(), days),
        systems: BACKEND_NAMES.identities.map((b) => b.name),
        capacity: ws.project.capacity.startsPerMinute,
        top,
        ...waveOf(args, definitions),
      });
      if (format === 'json') io.stdout.write(renderLoadJson(report));
      else if (format === 'yaml') io.stdout.write(renderLoadYaml(report));
      else io.stdout.write(renderLoadTable(report, title));
      exit.code = 0;
    },
  };
}

function title(system: BackendName): string {
  return BACKEND_NAMES.identities.find((b) => b.name === system)?.title ?? system;
}

/** The wave the command line names, if any: its jobs and `--to`, both or neither. */
function waveOf(args: LoadArgs, definitions: Parameters<typeof selectJobs>[0]): { wave?: Wave } {
  const named = args.jobs.length > 0 || args.selector !== undefined;
  if (!named && args.to === undefined) return {};
  if (!named) throw new UserError(`--to ${args.to} needs a wave: name its jobs or select them with -l`, 'e.g. migrate load -l tier=low --to <backend>');
  if (args.to === undefined) throw new UserError('a wave needs --to: where its jobs would go', `e.g. migrate load ${args.selector ? `-l ${args.selector}` : args.jobs.join(' ')} --to <backend>`);
  const to = backendOption('to', args.to);
  const jobs = selectJobs(definitions, args.jobs, args.selector).filter((j) => j.backend !== to).map((j) => j.name);
  return { wave: { to, jobs } };
}
