/** `migrate demo`: a full rehearsal of a move and a rollback on the sandbox, the README's first command. */
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.js';
import { DEFAULT_JOB, DEMO_START, runDemo, type DemoHost } from '../../demo/demo.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import type { ExitHolder, RunCommandLine } from '../exit.js';
import { loadWorkspace } from '../workspace.js';

interface DemoArgs extends GlobalArgs {
  readonly job: string;
  readonly start?: string;
  readonly keep: boolean;
}

/** The one output, as `-o` is refused. */
const PRINTS = 'a narrated rehearsal, as text';

export function demoCommand(io: CliIO, exit: ExitHolder, runLine: RunCommandLine): CommandModule<GlobalArgs, DemoArgs> {
  return {
    command: 'demo',
    describe:
      'rehearse a move and a rollback on local stand-ins with a virtual clock (no network, no kubectl), ' +
      "then print the run ledger's verdict. Exit 0 every slot ran exactly once; 1 otherwise, or an error",
    builder: (y) =>
      y
        .option('job', { type: 'string', default: DEFAULT_JOB, describe: 'the example job to move and roll back' })
        .option('start', { type: 'string', describe: `where the virtual clock starts (RFC 3339; default ${DEMO_START.toISOString()})` })
        .option('keep', { type: 'boolean', default: false, describe: 'keep the temporary repository (jobs, journal) for a look afterwards' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: async (args) => {
      refuseOutputFormat(args, 'demo', PRINTS);
      const start = args.start === undefined ? DEMO_START : new Date(args.start);
      if (Number.isNaN(start.getTime())) throw new UserError(`--start ${args.start} is not a date`, 'Use RFC 3339, e.g. --start 2026-03-29T00:58:00Z.');
      const result = await runDemo(io, { job: args.job, start, hourSeconds: 3600, keep: args.keep, color: useColor(io, args.color) }, demoHost(io, runLine));
      exit.code = result.code;
    },
  };
}

/** The CLI as the demo uses it: each command runs in-process, exactly as an operator would type it. */
export function demoHost(io: CliIO, runLine: RunCommandLine): DemoHost {
  const args: GlobalArgs = { 'jobs-dir': 'jobs', config: 'migrate.yaml', color: false, yes: true, debug: false };
  return {
    runCommand: (argv, world) => runLine(argv, { ...world, isTTY: io.isTTY }),
    loadJobs: (dir) => loadWorkspace({ ...io, cwd: dir }, args, [], { backendLint: false }).definitions.map((d) => d.job),
  };
}
