/** `migrate completion bash|zsh`: the shell completion script, as kubectl and helm print theirs. */
import type { CommandModule } from 'yargs';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';

interface CompletionArgs extends GlobalArgs {
  readonly shell: Shell;
}

/** The one output, as `-o` is refused. */
const PRINTS = 'a shell script';

export function completionCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, CompletionArgs> {
  return {
    command: 'completion <shell>',
    describe:
      'print the shell completion script for bash or zsh: command names, options, and the job names of the jobs folder. ' +
      'Exit 0 printed; 1 an error (a shell other than bash or zsh)',
    builder: (y) =>
      y
        .positional('shell', { type: 'string', choices: SHELLS, demandOption: true, describe: 'bash or zsh' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: (args) => {
      refuseOutputFormat(args, 'completion', PRINTS);
      io.stdout.write(completionScript(args.shell));
    },
  };
}
