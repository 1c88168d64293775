/**
 * The explicit registry of commands. A command's module is loaded only when that command runs (all
 * of them when the command line names none, for the list in --help): a command that reaches no
 * server never loads the client libraries the others need.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { withGlobalOptions, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder, RunCommandLine } from '../exit.js';

/**
 * A command as the parser takes it. Each command's own arguments type is checked where the command
 * is written (its builder must yield what its handler reads); the parser needs only its name and a
 * way to add it, so that type stays inside and the registry is one list.
 */
export interface Command {
  /** Its name, as typed: `validate`. */
  readonly command: string;
  /** Its usage line, `render <job>`, once its module is loaded (`commandsFor`); shell completion reads it. */
  readonly usage: () => string | undefined;
  /** Adds it to the parser; its module must have been loaded (`commandsFor`). */
  readonly addTo: (parser: Argv<GlobalArgs>) => Argv<GlobalArgs>;
}

export type CommandFactory = (io: CliIO, exit: ExitHolder, runLine: RunCommandLine) => Command;

type CommandModuleFactory<A> = (io: CliIO, exit: ExitHolder, runLine: RunCommandLine) => CommandModule<GlobalArgs, A>;

interface Entry {
  readonly name: string;
  readonly load: () => Promise<void>;
  readonly factory: CommandFactory;
}

function registered<A>(name: string, load: () => Promise<CommandModuleFactory<A>>): Entry {
  let loaded: CommandModuleFactory<A> | undefined;
  return {
    name,
    load: async () => {
      loaded ??= await load();
    },
    factory: (io, exit, runLine) => ({
      command: name,
      usage: () => (loaded ? String(loaded(io, exit, runLine).command) : undefined),
      addTo: (parser) => {
        if (!loaded) throw new Error(`the ${name} command is not loaded: commandsFor() loads the commands a command line needs`);
        return parser.command(loaded(io, exit, runLine));
      },
    }),
  };
}

const ENTRIES: readonly Entry[] = [
  registered('validate', async () => (await import('./validate.js')).validateCommand),
  registered('render', async () => (await import('./render.js')).renderCommand),
  registered('next', async () => (await import('./next.js')).nextCommand),
  registered('status', async () => (await import('./status.js')).statusCommand),
  registered('diff', async () => (await import('./diff.js')).diffCommand),
  registered('apply', async () => (await import('./apply.js')).applyCommand),
  registered('import', async () => (await import('./import.js')).importCommand),
  registered('move', async () => (await import('./move.js')).moveCommand),
  registered('rollback', async () => (await import('./rollback.js')).rollbackCommand),
  registered('resume', async () => (await import('./resume.js')).resumeCommand),
  registered('history', async () => (await import('./history.js')).historyCommand),
  registered('slo', async () => (await import('./slo.js')).sloCommand),
  registered('load', async () => (await import('./load.js')).loadCommand),
  registered('rbac', async () => (await import('./rbac.js')).rbacCommand),
  registered('sandbox', async () => (await import('./sandbox.js')).sandboxCommand),
  registered('demo', async () => (await import('./demo.js')).demoCommand),
  registered('completion', async () => (await import('./completion.js')).completionCommand),
];

/** Every command, in the order of --help. */
export const commands: readonly CommandFactory[] = ENTRIES.map((e) => e.factory);

/**
 * The commands to parse `argv` with, loaded: the one it names, when it names one, else all of them
 * (no command, an unknown one, --help: the messages list or suggest every command).
 */
export async function commandsFor(argv: readonly string[]): Promise<readonly CommandFactory[]> {
  const name = commandName(argv);
  // `--version` alone needs no command: answered before any is loaded (start-up time).
  if (name === undefined && argv.includes('--version') && !argv.includes('--help')) return [];
  const wanted = ENTRIES.filter((e) => name === undefined || e.name === name);
  const entries = wanted.length ? wanted : ENTRIES;
  // One at a time: jest's ESM loader fails ('not in cache') when two imports link a shared module at once.
  for (const entry of entries) await entry.load();
  return entries.map((e) => e.factory);
}

/**
 * The command's name as the parser will read it: the first word that is neither a global option
 * nor its value (a command's own options are declared only once it is chosen, so the parser's
 * choice does not depend on which commands are registered).
 */
function commandName(argv: readonly string[]): string | undefined {
  // Shell completion (yargs' --get-yargs-completions) offers every command.
  if (argv.includes('--get-yargs-completions')) return undefined;
  try {
    const parsed = withGlobalOptions(yargs([...argv])).help(false).version(false).exitProcess(false).fail(false).parseSync();
    const first = parsed._[0];
    return first === undefined ? undefined : String(first);
  } catch {
    return undefined;
  }
}
