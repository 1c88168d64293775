/** What a command's handler hands back to the parser's caller (yargs handlers return void). */
import type { CliIO } from './io.js';

/** A command's handler reports its exit code through this holder. */
export interface ExitHolder {
  code: number;
  /**
   * Set by a command that serves until a signal (`sandbox`): it closes everything it opened, and
   * its process ends by itself, never by the forced exit that ends every other command.
   */
  endsOnItsOwn?: boolean;
}

/** Runs one command line in-process, as `migrate` would (the demo rehearses through it). */
export type RunCommandLine = (argv: readonly string[], io: CliIO) => Promise<number>;
