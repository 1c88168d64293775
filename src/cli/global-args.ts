/** Options every command takes (docs/commands.md, "Global options"). */
import type { Argv } from 'yargs';
import { parseDuration } from '../core/duration.js';
import { UserError } from '../core/errors.js';

export interface GlobalArgs {
  readonly 'jobs-dir': string;
  readonly config: string;
  /** Whether --config was given: a missing default project file is fine, a missing named one is not. */
  readonly configGiven?: boolean;
  readonly 'chronos-url'?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  /** Per request, before the client gives up on it (kubectl's `--request-timeout`): `500ms`, `10s`, `1m`. */
  readonly 'request-timeout'?: string;
  readonly output?: string;
  readonly color: boolean;
  readonly yes: boolean;
  readonly debug: boolean;
}

export const DEFAULT_CONFIG = 'migrate.yaml';

export function withGlobalOptions(argv: Argv): Argv<GlobalArgs> {
  return argv
    .option('jobs-dir', { type: 'string', default: 'jobs', describe: 'folder of job definitions (one YAML file per job)' })
    .option('config', { type: 'string', defaultDescription: '"migrate.yaml"', describe: 'project file with shared defaults' })
    .option('chronos-url', { type: 'string', describe: 'Chronos base URL (env MIGRATE_CHRONOS_URL)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (env KUBECONFIG)' })
    .option('context', { type: 'string', describe: 'kubeconfig context' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Kubernetes namespace' })
    .option('request-timeout', { type: 'string', describe: 'how long to wait for each API request before giving up on it, e.g. 500ms, 10s, 1m (default: 10s for Chronos, 15s for Kubernetes)' })
    .option('output', { alias: 'o', type: 'string', describe: 'output format: table, json or yaml, where the command supports it (its --help says which)' })
    .option('color', { type: 'boolean', default: true, describe: 'colour on a terminal (--no-color, or NO_COLOR, turns it off)' })
    .option('yes', { type: 'boolean', default: false, describe: 'do not ask for confirmation' })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces' })
    // After validation, so that strict mode does not take configGiven for an unknown option.
    .middleware((a) => {
      a.configGiven = a.config !== undefined;
      a.config ??= DEFAULT_CONFIG;
    }, false) as unknown as Argv<GlobalArgs>;
}

/**
 * The `-o` format asked for, or the command's default (the first of `formats`). One the command
 * does not support is an error naming those it does, never silently ignored.
 */
export function outputFormat<F extends string>(args: Pick<GlobalArgs, 'output'>, command: string, formats: readonly [F, ...F[]]): F {
  const format = args.output ?? formats[0];
  if ((formats as readonly string[]).includes(format)) return format as F;
  const shown = formats.map((f, i) => `-o ${f}${i === 0 ? ' (default)' : ''}`);
  const list = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
  throw new UserError(`-o ${format} is not supported by ${command}`, `Use ${list}.`);
}

/** For a command with one fixed output: any `-o` is an error saying what it prints instead. */
export function refuseOutputFormat(args: Pick<GlobalArgs, 'output'>, command: string, prints: string): void {
  if (args.output === undefined) return;
  throw new UserError(`-o ${args.output} is not supported by ${command}`, `${command} has one output format (${prints}); leave out -o.`);
}

/** `--request-timeout` in milliseconds (undefined: each client's default); a value that is not a duration is an error. */
export function requestTimeoutMs(args: Pick<GlobalArgs, 'request-timeout'>): number | undefined {
  const text = args['request-timeout'];
  if (text === undefined) return undefined;
  const ms = /^\s*(\d+)\s*ms\s*$/.exec(text);
  const seconds = ms ? undefined : parseDuration(text);
  const value = ms ? Number(ms[1]) : seconds !== undefined ? seconds * 1000 : undefined;
  if (value === undefined || value <= 0) throw new UserError(`--request-timeout ${text} is not a duration`, 'Use e.g. 500ms, 10s or 1m.');
  return value;
}
