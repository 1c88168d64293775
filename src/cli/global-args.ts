/** Options every command takes (design.md, "Commands"). */
import type { Argv } from 'yargs';

export interface GlobalArgs {
  readonly 'jobs-dir': string;
  readonly config: string;
  readonly 'chronos-url'?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly output?: string;
  readonly color: boolean;
  readonly yes: boolean;
  readonly debug: boolean;
}

export function withGlobalOptions(argv: Argv): Argv<GlobalArgs> {
  return argv
    .option('jobs-dir', { type: 'string', default: 'jobs', describe: 'folder of job definitions (one YAML file per job)' })
    .option('config', { type: 'string', default: 'migrate.yaml', describe: 'project file with shared defaults' })
    .option('chronos-url', { type: 'string', describe: 'Chronos base URL (env MIGRATE_CHRONOS_URL)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (env KUBECONFIG)' })
    .option('context', { type: 'string', describe: 'kubeconfig context' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Kubernetes namespace' })
    .option('output', { alias: 'o', type: 'string', describe: 'output format: table|json|yaml' })
    .option('color', { type: 'boolean', default: true, describe: 'colour on a terminal (--no-color, or NO_COLOR, turns it off)' })
    .option('yes', { type: 'boolean', default: false, describe: 'do not ask for confirmation' })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces' }) as unknown as Argv<GlobalArgs>;
}
