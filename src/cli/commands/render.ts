/**
 * `migrate render <job> --to chronos|kubernetes`: the manifest one backend would get. Secret env
 * values are masked unless `--show-secrets` asks for them (to pipe into `kubectl apply -f -`).
 */
import type { CommandModule } from 'yargs';
import { renderChronosJob, ChronosRenderError } from '../../../backends/chronos/render.js';
import { renderCronJob } from '../../../backends/kubernetes/render.js';
import type { Rendered } from '../../core/backend.js';
import { UserError } from '../../core/errors.js';
import { parseBackendName } from '../../core/job.js';
import { MASK, redactSecretsNamed } from '../../core/secrets.js';
import { toYaml } from '../../core/yaml-write.js';
import { openConnections } from '../connections.js';
import { outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../run.js';
import { loadJobWithProject } from '../workspace.js';

interface RenderArgs extends GlobalArgs {
  readonly job: string;
  readonly to: string;
  readonly 'show-secrets': boolean;
}

export function renderCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, RenderArgs> {
  return {
    command: 'render <job>',
    describe:
      'print the manifest for one backend (-o yaml|json); translation warnings go to stderr. ' +
      'Exit 0 printed; 1 an error (unknown job, a definition with problems, a schedule Chronos cannot express)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true, describe: 'job name or definition file' })
        .option('to', { type: 'string', demandOption: true, describe: 'chronos | kubernetes (k8s)' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'print secret env values instead of *** (e.g. to pipe into kubectl apply -f -)' }),
    handler: (args) => {
      const backend = parseBackendName(args.to);
      if (!backend) throw new UserError(`--to ${args.to} is not a backend`, 'Use --to chronos or --to kubernetes (k8s).');
      const format = outputFormat(args, 'render', ['yaml', 'json']);
      const { definition, project } = loadJobWithProject(io, args, args.job);
      const { job } = definition;
      let rendered: Rendered<unknown>;
      try {
        // The namespace status and diff read the job from (-n first); never the kubeconfig's, since
        // a job's namespace always falls back to migrate.yaml's or "default" before that.
        const namespace = openConnections(io, args, project).namespaceFor(job.namespace);
        rendered = backend === 'kubernetes' ? renderCronJob({ ...job, namespace }) : renderChronosJob(job, io.clock.now());
      } catch (e) {
        if (e instanceof ChronosRenderError) throw new UserError(e.message, 'Keep the job on Kubernetes, or change its schedule to one with a constant period (`migrate next` shows why).');
        throw e;
      }
      for (const w of rendered.warnings) io.stderr.write(`warning: ${w.message}\n`);
      const { redacted, masked } = args['show-secrets'] ? { redacted: rendered.manifest, masked: [] } : redactSecretsNamed(rendered.manifest);
      if (masked.length) io.stderr.write(`note: env ${masked.join(', ')} masked as ${MASK}; --show-secrets prints the values (e.g. to pipe into kubectl apply -f -)\n`);
      io.stdout.write(format === 'json' ? `${JSON.stringify(redacted, null, 2)}\n` : toYaml(redacted));
    },
  };
}
