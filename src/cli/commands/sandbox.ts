/** `migrate sandbox`: local stand-ins of both APIs in the foreground, until SIGINT or SIGTERM. */
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { writeSandboxKubeconfig } from '../../../backends/kubernetes/kubeconfig.js';
import { UserError } from '../../core/errors.js';
import { toRfc3339 } from '../../core/time.js';
import { startSandbox } from '../../sandbox/sandbox.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';

interface SandboxArgs extends GlobalArgs {
  readonly clock: string;
  readonly 'chronos-port': number;
  readonly 'k8s-port': number;
  readonly 'state-dir'?: string;
}

/** The one output, as `-o` is refused. */
const PRINTS = 'the URLs and exports to use, as text';

export function sandboxCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, SandboxArgs> {
  return {
    command: 'sandbox',
    describe:
      'run local stand-ins of the Chronos and Kubernetes APIs on 127.0.0.1 (foreground; Ctrl-C stops). ' +
      'Exit 0 stopped by SIGINT or SIGTERM; 1 an error (a port in use, a bad flag, unreadable --state-dir state)',
    builder: (y) =>
      y
        .option('clock', { type: 'string', default: 'real', describe: 'real, or virtual (time moves only through POST /_sandbox/clock/advance)' })
        .option('chronos-port', { type: 'number', default: 0, describe: 'port of the Chronos API (0: any free port)' })
        .option('k8s-port', { type: 'number', default: 0, describe: 'port of the Kubernetes API (0: any free port)' })
        .option('state-dir', { type: 'string', describe: 'keep jobs, runs and the virtual time here across restarts' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: async (args) => {
      refuseOutputFormat(args, 'sandbox', PRINTS);
      const clock = args.clock;
      if (clock !== 'real' && clock !== 'virtual') throw new UserError(`--clock must be real or virtual, not "${clock}"`);
      const sandbox = await startSandbox({
        clock,
        chronosPort: port(args['chronos-port'], '--chronos-port'),
        k8sPort: port(args['k8s-port'], '--k8s-port'),
        stateDir: args['state-dir'],
      }).catch((err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UserError('a sandbox port is already in use', 'Pick other ports with --chronos-port/--k8s-port, or 0 for any free port.');
        throw err;
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
      if (urls.chronos) io.stdout.write(`  export MIGRATE_CHRONOS_URL=${urls.chronos}\n`);
      if (urls.kubernetes) {
        const dir = args['state-dir'] ?? path.join(os.tmpdir(), `migrate-sandbox-${new URL(urls.kubernetes).port}`);
        const kubeconfig = await writeSandboxKubeconfig(dir, urls.kubernetes);
        io.stdout.write(`  export KUBECONFIG=${kubeconfig}    # kubectl --kubeconfig ${kubeconfig} get cronjobs\n`);
      }
      const control = urls.chronos ?? Object.values(urls)[0];
      io.stdout.write(`\nControl API (on every port): ${control}/_sandbox/clock, /_sandbox/clock/advance, /_sandbox/runs, /_sandbox/faults, /_sandbox/requests\n`);
      io.stdout.write('Press Ctrl-C to stop.\n');
      const signal = await stopped;
      await sandbox.close();
      io.stdout.write(`migrate sandbox: stopped (${signal})\n`);
    },
  };
}

function port(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UserError(`${flag} must be a port number from 0 to 65535`);
  return value;
}
