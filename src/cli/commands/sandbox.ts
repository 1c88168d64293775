/** `migrate sandbox`: local stand-ins of both APIs in the foreground, until SIGINT or SIGTERM. */
import type { CommandModule } from 'yargs';
import { BACKEND_NAMES } from '../../../backends/names.js';
import { UserError } from '../../core/errors.js';
import { toRfc3339 } from '../../core/time.js';
import { SANDBOX_PORT_FLAGS, sandboxClientSetup, startSandbox } from '../../sandbox/sandbox.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';

type PortFlag = (typeof SANDBOX_PORT_FLAGS)[number]['flag'];

// Optional to the type: each is declared in a loop, whose parser type cannot name it.
type SandboxArgs = GlobalArgs & { readonly [F in PortFlag]?: number } & {
  readonly clock: string;
  readonly 'state-dir'?: string;
};

/** The one output, as `-o` is refused. */
const PRINTS = 'the URLs and exports to use, as text';

export function sandboxCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, SandboxArgs> {
  return {
    command: 'sandbox',
    describe:
      `run local stand-ins of the ${BACKEND_NAMES.identities.map((b) => b.title).join(' and ')} APIs on 127.0.0.1 (foreground; Ctrl-C stops). ` +
      'Exit 0 stopped by SIGINT or SIGTERM; 1 an error (a port in use, a bad flag, unreadable --state-dir state)',
    builder: (y) =>
      SANDBOX_PORT_FLAGS.reduce(
        (parser, p) => parser.option(p.flag, { type: 'number', default: 0, describe: p.describe }),
        y.option('clock', { type: 'string', default: 'real', describe: 'real, or virtual (time moves only through POST /_sandbox/clock/advance)' }),
      )
        .option('state-dir', { type: 'string', describe: 'keep jobs, runs and the virtual time here across restarts' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: async (args) => {
      refuseOutputFormat(args, 'sandbox', PRINTS);
      const clock = args.clock;
      if (clock !== 'real' && clock !== 'virtual') throw new UserError(`--clock must be real or virtual, not "${clock}"`);
      const ports = Object.fromEntries(SANDBOX_PORT_FLAGS.map((p) => [p.option, port(args[p.flag] ?? 0, `--${p.flag}`)]));
      const sandbox = await startSandbox({ clock, ...ports, stateDir: args['state-dir'] }).catch((err: unknown) => {
        if (!isAddressInUse(err)) throw err;
        const flags = SANDBOX_PORT_FLAGS.map((p) => `--${p.flag}`).join('/');
        const flag = SANDBOX_PORT_FLAGS.find((p) => ports[p.option] === err.port);
        const where = `${err.address ?? '127.0.0.1'}:${err.port}${flag ? ` (--${flag.flag})` : ''}`;
        throw new UserError(`port ${where} is already in use`, `Pick other ports with ${flags}, or 0 for any free port.`);
      });
      exit.endsOnItsOwn = true;
      // Listen for the stop signals before telling anyone where we are: a caller that reads the
      // URLs and stops us at once must get a clean shutdown, not the default kill.
      const stopped = new Promise<NodeJS.Signals>((resolve) => {
        const stop = (s: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(s);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      const { urls } = sandbox;
      io.stdout.write(`migrate sandbox: ${clock} clock, now ${toRfc3339(sandbox.ctx.clock.now())}\n`);
      for (const [system, url] of Object.entries(urls)) io.stdout.write(`  ${system.padEnd(10)} ${url}\n`);
      if (args['state-dir']) io.stdout.write(`  state in ${args['state-dir']}\n`);
      io.stdout.write('\nUse it from another shell:\n');
      for (const line of (await sandboxClientSetup(urls, args['state-dir'])).lines) io.stdout.write(`  ${line}\n`);
      const control = Object.values(urls)[0];
      io.stdout.write(`\nControl API (on every port): ${control}/_sandbox/clock, /_sandbox/clock/advance, /_sandbox/runs, /_sandbox/faults, /_sandbox/requests, /_sandbox/imperfections\n`);
      io.stdout.write('Press Ctrl-C to stop.\n');
      const signal = await stopped;
      await sandbox.close();
      io.stdout.write(`migrate sandbox: stopped (${signal})\n`);
    },
  };
}

/** Node's listen error carries the address and port it could not bind. */
function isAddressInUse(err: unknown): err is NodeJS.ErrnoException & { readonly address?: string; readonly port: number } {
  // No instanceof: under jest the error comes from Node's own realm, whose Error is another class.
  const e = err as { readonly code?: unknown; readonly port?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === 'EADDRINUSE' && typeof e.port === 'number';
}

function port(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UserError(`${flag} must be a port number from 0 to 65535`);
  return value;
}
