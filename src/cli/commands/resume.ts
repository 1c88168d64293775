/** `migrate resume <job>`: finish a move that was interrupted, from what both systems show now. */
import type { CommandModule } from 'yargs';
import { finishMove } from '../../actions/resume.js';
import { desiredTargetFor, sidesFor } from '../../actions/move-setup.js';
import { ExitCode, UserError } from '../../core/errors.js';
import { unfinishedMoves, type MoveHistory } from '../../core/journal.js';
import { confirm } from '../confirm.js';
import { openConnections } from '../connections.js';
import type { GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { journalPath, readJournal } from '../journal-file.js';
import { moveDeps, repositoryDir } from '../move-runner.js';
import type { ExitHolder } from '../run.js';
import { loadWorkspace, type Workspace } from '../workspace.js';

interface ResumeArgs extends GlobalArgs {
  readonly job: string;
  readonly 'advance-sandbox': boolean;
}

export function resumeCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ResumeArgs> {
  return {
    command: 'resume <job>',
    describe: 'finish an interrupted move from where it stopped (both systems are re-read first)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`' }) as never,
    handler: async (args) => {
      const ws = loadWorkspace(io, args);
      const move = unfinishedMoves(readJournal(journalPath(repositoryDir(io, args)))).get(args.job);
      if (!move) {
        io.stdout.write(`Nothing to resume: the journal has no unfinished move of ${args.job}.\n`);
        return;
      }
      exit.code = await finishUnfinished(io, args, ws, move, 'forward', args['advance-sandbox'], `migrate resume ${args.job}`);
    },
  };
}

/** Shared with `rollback` of an unfinished move (direction `back`). */
export async function finishUnfinished(io: CliIO, args: GlobalArgs, ws: Workspace, move: MoveHistory, direction: 'forward' | 'back', advanceSandbox: boolean, commandLine: string): Promise<number> {
  const definition = ws.definitions.find((d) => d.job.name === move.job);
  if (!definition) throw new UserError(`the journal's move ${move.id} is of ${move.job}, which has no definition in ${args['jobs-dir']}`);
  const last = move.steps.at(-1)?.step ?? 'begin';
  io.stdout.write(
    `${direction === 'forward' ? 'Resume' : 'Roll back'} the unfinished move ${move.id} of ${move.job}: ${move.begin.from} -> ${move.begin.to}\n` +
      `  begun ${move.begin.at} by ${move.begin.holder}; last recorded step: ${last}; handoff was ${move.begin.handoff.at} (first slot for ${move.begin.to}: ${move.begin.handoff.nextSlot})\n` +
      `  ${direction === 'forward' ? `${move.begin.to} will be enabled (if it is not) and the definition set to ${move.begin.to}` : `${move.begin.to} will be disabled (if it runs) and ${move.begin.from} re-enabled from the first slot ${move.begin.to} has not run`}; both systems are re-read first.\n`,
  );
  if (!(await confirm(io, { yes: args.yes, question: 'Go ahead?', command: commandLine }))) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return ExitCode.Error;
  }
  const connections = openConnections(io, args, ws.project);
  const sides = sidesFor(connections, definition.job);
  const deps = moveDeps(io, connections, sides, { definition, from: move.begin.from, to: move.begin.to, operation: 'resume' }, journalPath(repositoryDir(io, args)), { advanceSandbox }, () => undefined);
  const result = await finishMove(move, definition.job, direction, desiredTargetFor(definition.job, move.begin.to, move.begin.operation, () => io.clock.now()), deps);
  if (result.definitionDiff) io.stdout.write(`\n${result.definitionDiff}\n`);
  io.stdout.write(`${result.ok ? 'done' : 'FAILED'}: ${result.message}\n`);
  return result.ok ? ExitCode.Ok : ExitCode.Error;
}
