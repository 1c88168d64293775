/**
 * The CLI's one entry: parse, dispatch to a command, and map every error to the documented exit
 * codes in one place. A stack trace is shown only with --debug.
 */
import yargs from 'yargs';
import { ExitCode, UserError } from '../core/errors.js';
import { withGlobalOptions } from './global-args.js';
import type { CliIO } from './io.js';
import { commandsFor } from './commands/index.js';
import type { ExitHolder } from './exit.js';

export type { ExitHolder } from './exit.js';

export interface RunOutcome {
  readonly code: number;
  /** See ExitHolder.endsOnItsOwn. */
  readonly endsOnItsOwn: boolean;
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  return (await runCommand(argv, io)).code;
}

/** `run`, and whether the process may be ended once the command has finished (main.ts does). */
export async function runCommand(argv: readonly string[], io: CliIO): Promise<RunOutcome> {
  const exit: ExitHolder = { code: ExitCode.Ok };
  const outcome = (code: number): RunOutcome => ({ code, endsOnItsOwn: exit.endsOnItsOwn ?? false });
  const debug = argv.includes('--debug');
  let parser = withGlobalOptions(yargs([...argv]))
    .scriptName('migrate')
    .usage('$0 <command> [options]\n\nMove cron jobs between Mesos Chronos and Kubernetes, one job at a time, never losing or doubling a run.')
    .strict()
    .demandCommand(1, 'Name a command; `migrate --help` lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(
      'Exit codes: 0 success or nothing to do; 1 an error (for validate: problems found); ' +
        'for diff, 1 means differences found and 2 or more an error.',
    )
    .exitProcess(false)
    .fail((msg, err) => {
      // diff follows kubectl: a usage error must not read as "differences found" (1).
      const usageExit = argv.find((a) => !a.startsWith('-')) === 'diff' ? ExitCode.DiffError : ExitCode.Error;
      throw err ?? new UserError(msg ?? 'invalid command line', 'Run `migrate --help` for usage.', usageExit);
    });
  for (const factory of await commandsFor(argv)) parser = factory(io, exit, run).addTo(parser);
  let helpText = '';
  parser = parser.showHelpOnFail(false);
  try {
    await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.stdout.write(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
    return outcome(exit.code);
  } catch (err) {
    return outcome(reportError(err, io, debug, exit.code));
  }
}

function reportError(err: unknown, io: CliIO, debug: boolean, current: number): number {
  if (err instanceof UserError) {
    io.stderr.write(`error: ${err.summary}\n`);
    if (err.detail) io.stderr.write(`${err.detail}\n`);
    if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: ${message.split('\n')[0]}\n`);
  io.stderr.write(debug && err instanceof Error && err.stack ? `${err.stack}\n` : 'Run again with --debug for details.\n');
  return current === ExitCode.Ok ? ExitCode.Error : Math.max(current, ExitCode.Error);
}
