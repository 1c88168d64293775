/** `migrate rollback <job>`: undo the job's last completed move, through the same protocol. */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.js';
import { moveToUndo, unfinishedMoves } from '../../core/journal.js';
import { ChronosUnavailableError } from '../../../backends/chronos/client.js';
import { KubernetesApiError } from '../../../backends/kubernetes/client.js';
import { openConnections } from '../connections.js';
import { outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { projectJournal, readJournal } from '../journal-file.js';
import { runMoves } from '../move-runner.js';
import type { ExitHolder } from '../run.js';
import { finishUnfinished } from './resume.js';
import { loadWorkspace } from '../workspace.js';

interface RollbackArgs extends GlobalArgs {
  readonly job: string;
  readonly 'dry-run': boolean;
  readonly force: boolean;
  readonly 'advance-sandbox': boolean;
}

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
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`' }),
    handler: async (args) => {
      outputFormat(args, 'rollback', ['table', 'json']);
      // The definitions only: the backend lint (a year-long schedule proof a job) is not used here.
      const ws = loadWorkspace(io, args, [], { backendLint: false });
      const definition = ws.definitions.find((d) => d.job.name === args.job);
      if (!definition) throw new UserError(`no job named "${args.job}" in ${path.relative(io.cwd, ws.jobsDir) || '.'}`);
      const journal = readJournal(projectJournal(io, args));
      const commandLine = `migrate rollback ${args.job}${args.force ? ' --force' : ''}${args['advance-sandbox'] ? ' --advance-sandbox' : ''}`;
      // An interrupted move is undone from where it stopped.
      const unfinished = unfinishedMoves(journal).get(args.job);
      if (unfinished) {
        exit.code = await finishUnfinished(io, args, ws, unfinished, 'back', args['advance-sandbox'], commandLine);
        return;
      }
      const toUndo = moveToUndo(journal, args.job);
      if (!toUndo) throw new UserError(`there is no completed move of ${args.job} in the journal`, 'Nothing to roll back. `migrate history` lists what the journal holds.');
      if (toUndo.undoneBy) {
        // Re-running a rollback (a wave's loop after fixing one job) must not move the job forward again.
        io.stdout.write(
          `Nothing to roll back: the last move of ${args.job} (${toUndo.move.id}, ${toUndo.move.begin.from} -> ${toUndo.move.begin.to}) was already rolled back ` +
            `by ${toUndo.undoneBy.id} at ${toUndo.undoneBy.begin.at}; it runs on ${toUndo.move.begin.from}. To move it again: migrate move ${args.job} --to ${toUndo.move.begin.to}\n`,
        );
        return;
      }
      const last = toUndo.move;
      const from = last.begin.to;
      const to = last.begin.from;
      // When the system we leave is down, say what cannot be guaranteed, and go on only if told to.
      // Refused credentials or a broken kubeconfig are not "down": --force would enable the job a
      // second time while the other system, which is up, keeps running it.
      const connections = openConnections(io, args, ws.project);
      const probe = async (system: 'chronos' | 'kubernetes'): Promise<unknown> => {
        try {
          if (system === 'chronos') await connections.chronos().ping();
          else await connections.kubernetes(definition.job.namespace).listCronJobs(undefined, 1);
          return undefined;
        } catch (err) {
          return err ?? new Error('unknown error');
        }
      };
      const [fromError, toError] = await Promise.all([probe(from), probe(to)]);
      if (toError) {
        throw new UserError(
          `${to} ${isUnreachable(toError) ? 'is unreachable' : 'cannot be used'}, so ${args.job} cannot be put back there: ${summaryOf(toError)}`,
          `It keeps running on ${from}. ${isUnreachable(toError) ? `Retry when ${to} answers.` : (detailOf(toError) ?? `Fix access to ${to}, then retry.`)}`,
        );
      }
      if (fromError && !isUnreachable(fromError)) {
        throw new UserError(
          `${from} answered but cannot be used: ${summaryOf(fromError)}`,
          `${detailOf(fromError) ?? `Fix access to ${from}.`}\nNothing changed; ${args.job} keeps running on ${from}. --force is only for a system that is down: here it would leave ${args.job} enabled on both.`,
        );
      }
      const downFrom = fromError ? summaryOf(fromError) : undefined;
      if (downFrom && !args.force) {
        throw new UserError(
          `${from} is unreachable: ${downFrom}`,
          `Rolling back now re-enables ${args.job} on ${to} but cannot disable it on ${from}. ` +
            `If ${from} is still running it, slots will run twice until it is disabled by hand; if it is down, nothing is doubled. ` +
            `Re-run with --force to go ahead anyway.`,
        );
      }
      if (downFrom) io.stderr.write(`warning: ${from} is unreachable; going ahead because of --force\n`);
      exit.code = await runMoves(io, args, ws, [{ definition, from, to, operation: 'rollback', undoes: last.id, sourceUnreachable: Boolean(downFrom), snapshot: last.begin.snapshots[to] }], {
        dryRun: args['dry-run'],
        concurrency: 1,
        advanceSandbox: args['advance-sandbox'],
        commandLine,
      });
    },
  };
}

/**
 * A system that does not answer (refused connection, timeout, a server error) as opposed to one
 * that answers and refuses (credentials, permissions, a kubeconfig that does not load): each
 * client says which when it builds the error.
 */
function isUnreachable(err: unknown): boolean {
  if (err instanceof KubernetesApiError) return err.code === 0 || err.code >= 500;
  return err instanceof ChronosUnavailableError;
}

function summaryOf(err: unknown): string {
  return err instanceof UserError ? err.summary : err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function detailOf(err: unknown): string | undefined {
  return err instanceof UserError ? err.detail : undefined;
}
