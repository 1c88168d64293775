/**
 * The CLI's one entry: parse, dispatch to a command, and map every error to the documented exit
 * codes in one place. A stack trace is shown only with --debug.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { BACKEND_NAMES } from '../../backends/names.js';
import { ExitCode, UserError } from '../core/errors.js';
import { missingValue, withGlobalOptions } from './global-args.js';
import type { CliIO } from './io.js';
import { commandsFor } from './commands/index.js';
import { COMPLETION_REQUEST, completer, jobArgumentsOf } from './completion.js';
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
export async function runCommand(given: readonly string[], io: CliIO): Promise<RunOutcome> {
  const exit: ExitHolder = { code: ExitCode.Ok };
  const outcome = (code: number): RunOutcome => ({ code, endsOnItsOwn: exit.endsOnItsOwn ?? false });
  const debug = given.includes('--debug');
  // `migrate -v` alone asks for the version, as `terraform -v`, `node -v` and `docker -v` answer it.
  const argv = given.length === 1 && given[0] === '-v' ? ['--version'] : given;
  // diff follows kubectl: a usage error must not read as "differences found" (1).
  const usageExit = argv.find((a) => !a.startsWith('-')) === 'diff' ? ExitCode.DiffError : ExitCode.Error;
  const completing = argv.indexOf(COMPLETION_REQUEST);
  const verbosity = completing < 0 ? argv.find((a) => /^-v+(=.*|\d+)?$/.test(a)) : undefined;
  if (verbosity) return outcome(reportError(verbosityFlag(verbosity, usageExit), io, debug, exit.code));
  let parser = withGlobalOptions(yargs([...argv]))
    .scriptName('migrate')
    .usage(`$0 <command> [options]\n\nMove cron jobs between ${BACKEND_NAMES.identities.map((b) => b.title).join(' and ')}, one job at a time, never losing or doubling a run.`)
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
      // yargs-parser's words for a value option given without its value (requiresArg).
      const valueMissing = /^Not enough arguments following: (\S+)$/.exec(msg ?? err?.message ?? '');
      const error = (valueMissing && missingValue(valueMissing[1]!)) ?? err ?? new UserError(msg ?? 'invalid command line', 'Run `migrate --help` for usage.');
      throw error instanceof UserError && error.exitCode < usageExit ? new UserError(error.summary, error.detail, usageExit) : error;
    });
  // Only for a completion request: yargs' own `completion` command would stand in for ours. The
  // command is chosen from the words being completed (after the program's name), never from the
  // request itself, which any parser would answer.
  const registry = (await commandsFor(completing >= 0 ? argv.slice(completing + 2) : argv)).map((factory) => factory(io, exit, run));
  if (completing >= 0) parser = parser.completion('completion', false, completer(io, argv.slice(completing + 1), jobArgumentsOf(registry.map((c) => c.usage()))));
  // yargs guesses the version from the process's main file, which under a test runner or a
  // wrapper is not migrate: give it migrate's own, read only when it is asked for.
  if (argv.includes('--version')) parser = parser.version(ownVersion());
  for (const command of registry) parser = command.addTo(parser);
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

/**
 * kubectl's `-v=6` is a log level; a hand used to it gets a clear refusal here, not "Unknown
 * argument: v" nor, after a command, the version instead of the command it asked for.
 */
function verbosityFlag(flag: string, exitCode: number): UserError {
  return new UserError(
    `${flag} is not an option of migrate: -v alone prints the version, and there are no log levels as kubectl's -v=N`,
    'For the version: migrate --version (or migrate -v, alone). For the details of an error: --debug.',
    exitCode,
  );
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

/** The version in migrate's own package.json, the nearest one above this module named migrate. */
function ownVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'migrate' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
