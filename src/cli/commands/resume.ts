/** `migrate resume <job>`: finish a move that was interrupted, from what both systems show now. */
import type { CommandModule } from 'yargs';
import type { ActionConfig } from '../../actions/config.js';
import { describeUnfinished, finishUnfinished } from '../../actions/resume.js';
import type { LoadedDefinition } from '../../core/definition.js';
import { ExitCode, UserError } from '../../core/errors.js';
import { unfinishedMoves, type MoveHistory } from '../../core/journal.js';
import { renderMovePlanHuman } from '../../core/move-plan.js';
import { loadActionConfig } from '../action-config.js';
import { confirm } from '../confirm.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadJob, loadWorkspace } from '../workspace.js';

interface ResumeArgs extends GlobalArgs {
  readonly job: string;
  readonly 'dry-run': boolean;
  readonly 'advance-sandbox': boolean;
}

/** The one output, as `-o` is refused. */
const PRINTS = 'the plan, each step and the outcome, as text';

export function resumeCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ResumeArgs> {
  return {
    command: 'resume <job>',
    describe:
      'finish an interrupted move from where it stopped (both systems are re-read first; a move that had changed nothing yet runs again with a fresh handoff). ' +
      'Exit 0 finished, or nothing to resume; 1 an error, an unknown job, a cancel, or a move that could not be finished (the message says where both systems are)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print what finishing it would do and stop' })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: async (args) => {
      refuseOutputFormat(args, 'resume', PRINTS);
      // The definitions only: the backend lint (a year-long schedule proof a job) is not used here.
      const ws = loadWorkspace(io, args, [], { backendLint: false });
      // By name among the loaded definitions, else the lookup every job command uses (a file path, or `no job named`).
      const { job } = ws.definitions.find((d) => d.job.name === args.job) ?? loadJob(io, args, args.job);
      const name = job.name;
      const config = await loadActionConfig(io, args, ws, { advanceSandbox: args['advance-sandbox'] }, [job]);
      const move = unfinishedMoves(config.journal.read()).get(name);
      if (!move) {
        io.stdout.write(`Nothing to resume: the journal has no unfinished move of ${name}.\n`);
        return;
      }
      const definition = ws.definitions.find((d) => d.job.name === move.job);
      if (!definition) throw new UserError(`the journal's move ${move.id} is of ${move.job}, which has no definition in ${args['jobs-dir']}`);
      exit.code = await finishInteractively(io, args, config, definition, move, 'forward', `migrate resume ${args.job}`, args['dry-run']);
    },
  };
}

/**
 * Shows what finishing the unfinished move will do, confirms, finishes it (with `dryRun`, only
 * shows it). Shared with `rollback` of an unfinished move (direction `back`).
 */
export async function finishInteractively(io: CliIO, args: GlobalArgs, config: ActionConfig, definition: LoadedDefinition, move: MoveHistory, direction: 'forward' | 'back', commandLine: string, dryRun = false): Promise<number> {
  io.stdout.write(describeUnfinished(move, direction, definition.job.paused === true));
  if (dryRun) {
    io.stdout.write('Dry run: nothing changed.\n');
    return ExitCode.Ok;
  }
  if (!(await confirm(io, { yes: args.yes, question: 'Go ahead?', command: commandLine }))) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return ExitCode.Error;
  }
  const result = await finishUnfinished(config, definition, move, direction, (plan) =>
    io.stdout.write(`\nThe move had changed nothing yet: it runs again with a fresh handoff.\n${renderMovePlanHuman(plan, { color: useColor(io, args.color) })}\n`),
  );
  if (result.definitionDiff) io.stdout.write(`\n${result.definitionDiff}\n`);
  io.stdout.write(`${result.ok ? 'done' : 'FAILED'}: ${result.message}\n`);
  return result.ok ? ExitCode.Ok : ExitCode.Error;
}
