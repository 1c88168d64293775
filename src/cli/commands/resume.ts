/** `migrate resume <job>`: finish a move that was interrupted, from what both systems show now. */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type { MoveRequest } from '../../actions/move.js';
import { finishMove } from '../../actions/resume.js';
import { desiredTargetFor, planMove, sidesFor, type Sides } from '../../actions/move-setup.js';
import type { LoadedDefinition } from '../../core/definition.js';
import { ExitCode, UserError } from '../../core/errors.js';
import { unfinishedMoves, type MoveHistory } from '../../core/journal.js';
import { renderMovePlanHuman } from '../../core/move-plan.js';
import { confirm } from '../confirm.js';
import { openConnections } from '../connections.js';
import { refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { projectJournal, readJournal } from '../journal-file.js';
import { moveDeps, report } from '../move-runner.js';
import type { ExitHolder } from '../run.js';
import { loadJob, loadWorkspace, type Workspace } from '../workspace.js';

interface ResumeArgs extends GlobalArgs {
  readonly job: string;
  readonly 'advance-sandbox': boolean;
}

export function resumeCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ResumeArgs> {
  return {
    command: 'resume <job>',
    describe:
      'finish an interrupted move from where it stopped (both systems are re-read first; a move that had changed nothing yet runs again with a fresh handoff). ' +
      'Exit 0 finished, or nothing to resume; 1 an error, an unknown job, a cancel, or a move that could not be finished (the message says where both systems are)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`' }),
    handler: async (args) => {
      refuseOutputFormat(args, 'resume', 'the plan, each step and the outcome, as text');
      // The definitions only: the backend lint (a year-long schedule proof a job) is not used here.
      const ws = loadWorkspace(io, args, [], { backendLint: false });
      // By name among the loaded definitions, else the lookup every job command uses (a file path, or `no job named`).
      const name = (ws.definitions.find((d) => d.job.name === args.job) ?? loadJob(io, args, args.job)).job.name;
      const move = unfinishedMoves(readJournal(projectJournal(io, args))).get(name);
      if (!move) {
        io.stdout.write(`Nothing to resume: the journal has no unfinished move of ${name}.\n`);
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
      `  ${direction === 'forward' ? `${move.begin.to} will be enabled (if it is not) and the definition set to ${move.begin.to}` : `${move.begin.to} will be disabled (if it runs) and ${move.begin.from} re-enabled from the first slot ${move.begin.to} has not run`}; both systems are re-read first.\n` +
      (direction === 'forward' && (last === 'begin' || last === 'locked')
        ? `  If nothing changed yet (${move.begin.from} still enabled, ${move.begin.to} not), the move runs again as a new one: a fresh handoff on the API server's clock, through the whole protocol.\n`
        : ''),
  );
  if (!(await confirm(io, { yes: args.yes, question: 'Go ahead?', command: commandLine }))) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return ExitCode.Error;
  }
  const connections = openConnections(io, args, ws.project);
  const sides = sidesFor(connections, definition.job);
  const target = { definition, from: move.begin.from, to: move.begin.to, operation: 'resume' as const, undoes: move.begin.undoes };
  const deps = moveDeps(io, connections, sides, target, projectJournal(io, args), { advanceSandbox }, (event) => report(io, move.job, event));
  const desiredTarget = desiredTargetFor(definition.job, move.begin.to, move.begin.operation, () => io.clock.now());
  const result = await finishMove(move, definition.job, direction, desiredTarget, deps, () => planAgain(io, ws, definition, sides, move));
  if (result.definitionDiff) io.stdout.write(`\n${result.definitionDiff}\n`);
  io.stdout.write(`${result.ok ? 'done' : 'FAILED'}: ${result.message}\n`);
  return result.ok ? ExitCode.Ok : ExitCode.Error;
}

/** The interrupted move planned afresh, as `move` (or `rollback`) plans it; a refusal stops here, before any change. */
async function planAgain(io: CliIO, ws: Workspace, definition: LoadedDefinition, sides: Sides, move: MoveHistory): Promise<MoveRequest> {
  const { from, to, undoes } = move.begin;
  const operation = move.begin.operation === 'rollback' ? 'rollback' : 'move';
  const guardSeconds = ws.project.handoff.guardSeconds;
  const { plan, desiredTarget } = await planMove({ definition, from, to, operation, guardSeconds, sides, snapshot: move.begin.snapshots[to] });
  io.stdout.write(`\nThe move had changed nothing yet: it runs again with a fresh handoff.\n${renderMovePlanHuman(plan)}\n`);
  if (plan.refusal) throw new UserError(`${operation} of ${move.job} refused: ${plan.refusal}`, `Nothing changed. \`migrate rollback ${move.job}\` closes the interrupted move and leaves ${move.job} on ${from}.`);
  const text = fs.readFileSync(path.resolve(io.cwd, definition.file), 'utf8');
  return { job: definition.job, operation, from, to, guardSeconds, desiredTarget, definition: { file: definition.file, text }, undoes };
}
