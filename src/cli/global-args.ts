/** Options every command takes (docs/commands.md, "Global options"). */
import type { Argv } from 'yargs';
import { BACKEND_NAMES, type BackendFlagName } from '../../backends/names.js';
import { parseDuration } from '../core/duration.js';
import { UserError } from '../core/errors.js';

interface CommonArgs {
  readonly 'jobs-dir': string;
  readonly config: string;
  /** Whether --config was given: a missing default project file is fine, a missing named one is not. */
  readonly configGiven?: boolean;
  /** The scope of the jobs (a namespace), on a backend that has scopes. */
  readonly namespace?: string;
  /** Per request, before the client gives up on it (kubectl's `--request-timeout`): `500ms`, `10s`, `1m`. */
  readonly 'request-timeout'?: string;
  readonly output?: string;
  /** --color (true) or --no-color (false); undefined: colour on a terminal only (`useColor`). */
  readonly color?: boolean;
  readonly yes: boolean;
  readonly debug: boolean;
}

/** The options every command takes: the common ones and each backend's own (`BackendIdentity.flags`), which its connection reads. */
export type GlobalArgs = CommonArgs & { readonly [F in BackendFlagName]?: string };

export const DEFAULT_CONFIG = 'migrate.yaml';

const BACKEND_FLAGS = BACKEND_NAMES.identities.flatMap((b) => b.flags);
const SHORT: Readonly<Record<string, string>> = { n: 'namespace', o: 'output' };
/** The global options that take a value, with what to give: given without one, they are refused, as kubectl refuses them. */
const VALUE_HINTS: Readonly<Record<string, string>> = {
  'jobs-dir': 'Name the folder of job definitions, or leave --jobs-dir out for ./jobs.',
  config: 'Name the project file, or leave --config out for ./migrate.yaml.',
  ...Object.fromEntries(BACKEND_FLAGS.map((f) => [f.name, f.hint])),
  namespace: 'Name a namespace, or leave -n out for the job\'s, migrate.yaml\'s or the context\'s.',
  'request-timeout': 'Give a duration, e.g. 500ms, 10s or 1m, or leave --request-timeout out for the defaults.',
  output: 'Give a format (the command\'s --help lists them), or leave -o out for its default.',
};
const VALUE_OPTIONS = Object.keys(VALUE_HINTS);

/**
 * A value option given without its value (`--context` last, or followed by another flag, or
 * `--context=`); `key` as yargs names it, long or short. Undefined for an option that is not global.
 */
export function missingValue(key: string): UserError | undefined {
  const name = VALUE_OPTIONS.find((o) => o === (SHORT[key] ?? key));
  return name === undefined ? undefined : valueNeeded(name);
}

function valueNeeded(name: string): UserError {
  return new UserError(`--${name} needs a value`, VALUE_HINTS[name]);
}

export function withGlobalOptions(argv: Argv): Argv<GlobalArgs> {
  const withBackendFlags = BACKEND_FLAGS.reduce(
    (y, flag) => y.option(flag.name, { type: 'string', requiresArg: true, describe: flag.describe }),
    argv
      .option('jobs-dir', { type: 'string', requiresArg: true, default: 'jobs', describe: 'folder of job definitions (one YAML file per job)' })
      .option('config', { type: 'string', requiresArg: true, defaultDescription: '"migrate.yaml"', describe: 'project file with shared defaults' }),
  );
  const timeouts = BACKEND_NAMES.identities.map((b) => `${b.requestTimeoutSeconds}s for ${b.title}`).join(', ');
  return withBackendFlags
    .option('namespace', { alias: 'n', type: 'string', requiresArg: true, describe: `${BACKEND_NAMES.native.title} namespace` })
    .option('request-timeout', { type: 'string', requiresArg: true, describe: `how long to wait for each API request before giving up on it, e.g. 500ms, 10s, 1m (default: ${timeouts})` })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'output format: table, json or yaml, where the command supports it (its --help says which)' })
    // No default: --color given is told apart from nothing given, and forces colour into a pipe.
    .option('color', { type: 'boolean', describe: 'colour: on a terminal only; --color forces it, --no-color or NO_COLOR turns it off' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation' })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces' })
    // After validation, so that strict mode does not take configGiven for an unknown option.
    .middleware((a) => {
      // `--context=` says no more than `--context` alone (refused by requiresArg): never silently ignored.
      const empty = VALUE_OPTIONS.find((o) => a[o] === '');
      if (empty) throw valueNeeded(empty);
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
  throw new UserError(`-o ${format} is not supported by ${command}`, `Use ${orList(formats.map((f, i) => `-o ${f}${i === 0 ? ' (default)' : ''}`))}.`);
}

/** For a command with one fixed output: any `-o` is an error saying what it prints instead. */
export function refuseOutputFormat(args: Pick<GlobalArgs, 'output'>, command: string, prints: string): void {
  if (args.output === undefined) return;
  throw new UserError(`-o ${args.output} is not supported by ${command}`, `${command} has one output format (${prints}); leave out -o.`);
}

/** The `-o` line of the --help of a command that takes `formats` (as `outputFormat` is given them). */
export function formatsHelp(formats: readonly [string, ...string[]]): string {
  return `output format: ${orList(formats.map((f, i) => `${f}${i === 0 ? ' (default)' : ''}`))}`;
}

/** The `-o` line of the --help of a command with one output (as `refuseOutputFormat` is given it). */
export function oneFormatHelp(prints: string): string {
  return `one format only: ${prints}`;
}

function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
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
