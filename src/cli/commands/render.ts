/**
 * `migrate render <job> --to <backend>`: the manifest one backend would get. Secret env
 * values are masked unless `--show-secrets` asks for them (to pipe into `kubectl apply -f -`).
 */
import type { CommandModule } from 'yargs';
import { backendOf } from '../../../backends/index.js';
import { BACKEND_CHOICES, backendOption } from '../backend-option.js';
import { UserError } from '../../core/errors.js';
import { MASK, redactSecretsNamed } from '../../core/secrets.js';
import { toYaml } from '../../core/yaml-write.js';
import { connectionSettings } from '../connection-settings.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadJobWithProject } from '../workspace.js';

interface RenderArgs extends GlobalArgs {
  readonly job: string;
  readonly to: string;
  readonly 'show-secrets': boolean;
}

/** What `-o` takes, the default first. */
const FORMATS = ['yaml', 'json'] as const;

export function renderCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, RenderArgs> {
  return {
    command: 'render <job>',
    describe:
      'print the manifest for one backend (-o yaml|json); translation warnings go to stderr. ' +
      'Exit 0 printed; 1 an error (unknown job, a definition with problems, a schedule the backend cannot express)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true, describe: 'job name or definition file' })
        .option('to', { type: 'string', demandOption: true, describe: BACKEND_CHOICES })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'print secret env values instead of *** (e.g. to pipe into kubectl apply -f -)' })
        .describe('output', formatsHelp(FORMATS)),
    handler: (args) => {
      const to = backendOption('to', args.to);
      const format = outputFormat(args, 'render', FORMATS);
      // Not the declared backend's checks: the backend rendered for refuses what it cannot run
      // (a job runs as a command on one backend and needs an image on another).
      const { definition, project } = loadJobWithProject(io, args, args.job, { backendLint: false });
      const { job } = definition;
      // The scope status and diff read the job from (-n first), never the connection's own default,
      // since a job's namespace always falls back to migrate.yaml's or "default" before that.
      const scope = backendOf(to).connect(connectionSettings(io, args, project)).scopeOf(job);
      const rendered = backendOf(to).render(scope ? { ...job, namespace: scope } : job, io.clock.now());
      for (const w of rendered.warnings) io.stderr.write(`warning: ${w.message}\n`);
      const { redacted, masked } = args['show-secrets'] ? { redacted: rendered.manifest, masked: [] } : redactSecretsNamed(rendered.manifest);
      if (masked.length) io.stderr.write(`note: env ${masked.join(', ')} masked as ${MASK}; --show-secrets prints the values (e.g. to pipe into kubectl apply -f -)\n`);
      io.stdout.write(format === 'json' ? `${JSON.stringify(redacted, null, 2)}\n` : toYaml(redacted));
    },
  };
}
