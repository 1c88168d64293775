/** The explicit registry of commands: no dynamic loading. */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder, RunCommandLine } from '../exit.js';
import { sandboxCommand } from './sandbox.js';
import { historyCommand } from './history.js';
import { moveCommand } from './move.js';
import { nextCommand } from './next.js';
import { resumeCommand } from './resume.js';
import { rollbackCommand } from './rollback.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';
import { statusCommand } from './status.js';
import { diffCommand } from './diff.js';
import { applyCommand } from './apply.js';
import { importCommand } from './import.js';
import { demoCommand } from './demo.js';

/**
 * A command as the parser takes it. Each command's own arguments type is checked where the command
 * is written (its builder must yield what its handler reads); the parser needs only its usage line
 * and a way to add it, so that type stays inside and the registry is one list.
 */
export interface Command {
  readonly command: string;
  readonly addTo: (parser: Argv<GlobalArgs>) => Argv<GlobalArgs>;
}

export type CommandFactory = (io: CliIO, exit: ExitHolder, runLine: RunCommandLine) => Command;

function registered<A>(factory: (io: CliIO, exit: ExitHolder, runLine: RunCommandLine) => CommandModule<GlobalArgs, A>): CommandFactory {
  return (io, exit, runLine) => {
    const module = factory(io, exit, runLine);
    return { command: String(module.command), addTo: (parser) => parser.command(module) };
  };
}

export const commands: readonly CommandFactory[] = [
  registered(validateCommand), registered(renderCommand), registered(nextCommand), registered(statusCommand),
  registered(diffCommand), registered(applyCommand), registered(importCommand), registered(moveCommand),
  registered(rollbackCommand), registered(resumeCommand), registered(historyCommand), registered(sandboxCommand),
  registered(demoCommand),
];
