/** `migrate rollback <job>`: undo the job's last completed move, through the same protocol. */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { decideRollback } from '../../actions/rollback.js';
import { UserError } from '../../core/errors.js';
import { loadActionConfig } from '../action-config.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { runMoves } from '../move-runner.js';
import type { ExitHolder } from '../exit.js';
import { finishInteractively } from './resume.js';
import { loadWorkspace } from '../workspace.js';

interface RollbackArgs extends GlobalArgs {
  readonly job: string;
  readonly 'dry-run': boolean;
  readonly force: boolean;
  readonly 'advance-sandbox': boolean;
}

/** What `-o` takes, the default first. */
const FORMATS = ['table', 'json', 'yaml'] as const;

export function rollbackCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, RollbackArgs> {
  return {
    command: 'rollback <job>',
    describe:
      "undo the job's last completed move (or finish an interrupted one backwards): back where it was, every slot still run exactly once; safe to re-run. " +
      'Exit 0 rolled back, or nothing to roll back (that move was already rolled back); 1 an error, a refusal, a cancel, or a rollback that failed and was put back',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and stop' })
        .option('force', { type: 'boolean', default: false, describe: 'go ahead although the system being left is unreachable (it cannot be disabled)' })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`' })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      outputFormat(args, 'rollback', FORMATS);
      // The definitions only: the backend lint (a year-long schedule proof a job) is not used here.
      const ws = loadWorkspace(io, args, [], { backendLint: false });
      const definition = ws.definitions.find((d) => d.job.name === args.job);
      if (!definition) throw new UserError(`no job named "${args.job}" in ${path.relative(io.cwd, ws.jobsDir) || '.'}`);
      const commandLine = `migrate rollback ${args.job}${args.force ? ' --force' : ''}${args['advance-sandbox'] ? ' --advance-sandbox' : ''}`;
      const config = await loadActionConfig(io, args, ws, { advanceSandbox: args['advance-sandbox'] }, [definition.job]);
      const decision = await decideRollback(config, definition, args.force);
      switch (decision.kind) {
        case 'unfinished':
          exit.code = await finishInteractively(io, args, config, definition, decision.move, decision.direction, commandLine, args['dry-run']);
          return;
        case 'already-rolled-back': {
          const { move, by } = decision;
          io.stdout.write(
            `Nothing to roll back: the last move of ${args.job} (${move.id}, ${move.begin.from} -> ${move.begin.to}) was already rolled back ` +
              `by ${by.id} at ${by.begin.at}; it runs on ${move.begin.from}. To move it again: migrate move ${args.job} --to ${move.begin.to}\n`,
          );
          return;
        }
        case 'move':
          if (decision.forced) io.stderr.write(`warning: ${decision.forced} is unreachable; going ahead because of --force\n`);
          exit.code = await runMoves(io, args, ws, [decision.target], { dryRun: args['dry-run'], concurrency: 1, advanceSandbox: args['advance-sandbox'], commandLine, reuse: config });
      }
    },
  };
}
