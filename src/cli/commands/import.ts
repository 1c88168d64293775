/**
 * `migrate import --from <backend> [names...] [--write] [--force]`: definitions for live
 * jobs, in the canonical format, each job's translation warnings on stderr. A job whose schedule
 * cannot be written as cron (an interval off the cron grid, a finite `Rn`) or that depends on
 * parents is reported and skipped; the others still import. An imported job diffs clean against
 * the system it came from, or the import says which fields would change and why. Secret-looking
 * env values are written as references to fill in unless `--include-secrets`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { backendOf } from '../../../backends/index.js';
import type { Backend, BackendConnection, Imported, TranslationWarning } from '../../core/backend.js';
import { formatDuration } from '../../core/duration.js';
import { BACKEND_NAMES } from '../../../backends/names.js';
import { BACKEND_CHOICES, backendOption } from '../backend-option.js';
import { UserError, formatDiagnostic } from '../../core/errors.js';
import {
  DEFAULT_CONCURRENCY, DEFAULT_NAMESPACE, DEFAULT_RETRIES, DEFAULT_STARTING_DEADLINE_SECONDS, DEFAULT_TIMEZONE,
  isSecretEnvName, type EnvValue, type JobDefinition,
} from '../../core/job.js';
import { lintName } from '../../core/lint.js';
import { sameObject, sortKeys } from '../../core/live-diff.js';
import { projectNamespace, type ProjectConfig } from '../../core/project.js';
import { toYaml } from '../../core/yaml-write.js';
import { openConnections } from '../connections.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadProject, loadWorkspace } from '../workspace.js';
import { writeFileAtomic } from '../definition-file.js';

interface ImportArgs extends GlobalArgs {
  readonly from: string;
  readonly names: readonly string[];
  readonly write: boolean;
  readonly force: boolean;
  readonly 'include-secrets': boolean;
}

/** Problems with these fields mean the job cannot be defined at all (a name no CronJob can carry, too): it is skipped. */
const BLOCKING_FIELDS = new Set(['schedule', 'parents', 'name']);

/** What `-o` takes, the default first. */
const FORMATS = ['yaml', 'json'] as const;

export function importCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ImportArgs> {
  return {
    command: 'import [names..]',
    describe:
      'write definitions for live jobs (stdout as YAML or -o json, or --write into the jobs folder; never overwriting without --force). ' +
      'Exit 0 all imported; 1 a job skipped, or an error',
    builder: (y) =>
      y
        .positional('names', { type: 'string', array: true, default: [], describe: 'live job names (default: every job, in the namespace read where the system has namespaces)' })
        .option('from', { type: 'string', demandOption: true, describe: BACKEND_CHOICES })
        .option('write', { type: 'boolean', default: false, describe: 'write jobs/<name>.yaml instead of printing' })
        .option('force', { type: 'boolean', default: false, describe: 'with --write: overwrite existing files' })
        .option('include-secrets', { type: 'boolean', default: false, describe: 'write secret-looking env values as they are, instead of a secretKeyRef to fill in' })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      const from = backendOption('from', args.from);
      const format = outputFormat(args, 'import', FORMATS);
      if (args.write && args.output !== undefined) throw new UserError(`-o ${args.output} does not apply with --write`, '--write writes each definition as YAML into the jobs folder; -o chooses how definitions are printed without it.');
      const ws = projectOnly(io, args);
      const backend = backendOf(from);
      const connection = openConnections(io, args, ws.project).to(from);
      const scope = connection.scopeOf();
      const imported = await readImports(connection, scope, ws.project, backend);
      const wanted = args.names.length ? args.names : [...imported.keys()].sort();
      let failed = 0;
      const documents: Record<string, unknown>[] = [];
      for (const name of wanted) {
        const item = imported.get(name);
        if (!item) {
          io.stderr.write(`error: ${name}: no such job in ${scope && backend.scopeNoun ? `${backend.scopeNoun} ${scope}` : backend.title}\n`);
          failed++;
          continue;
        }
        const warnings = [...item.warnings, ...lintName(item.definition.name, BACKEND_NAMES).map((message) => ({ field: 'name', message }))];
        const blocking = warnings.filter((w) => BLOCKING_FIELDS.has(w.field));
        for (const w of warnings) io.stderr.write(`${blocking.includes(w) ? 'error' : 'warning'}: ${name}: ${w.message}\n`);
        if (blocking.length) {
          io.stderr.write(`error: ${name}: not imported (keep it on ${from}, or change it there so that a definition can express it)\n`);
          failed++;
          continue;
        }
        const { definition, referenced } = args['include-secrets'] ? { definition: item.definition, referenced: [] } : secretsAsReferences(item.definition);
        if (referenced.length) {
          const refs = referenced.map((env) => `${env} (secret ${definition.name}, key ${env})`).join(', ');
          io.stderr.write(`warning: ${name}: env ${refs} written as a secretKeyRef to fill in, not in clear: create the secret with those keys, or re-import with --include-secrets to write the values\n`);
        }
        for (const w of roundTrip(backend, item, definition, scope)) io.stderr.write(`warning: ${name}: ${w}\n`);
        if (args.write) {
          if (!writeDefinition(io, ws.jobsDir, definition, ws.project, args.force)) failed++;
        } else {
          documents.push(definitionDocument(definition, ws.project));
        }
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(documents, null, 2)}\n`);
      else if (documents.length) io.stdout.write(documents.map((d) => toYaml(d)).join('---\n'));
      exit.code = failed ? 1 : 0;
    },
  };
}

/**
 * Every live job in the scope, as a definition. One LIST, as status reads it; a system that
 * cannot be read fails the import with its client's error.
 */
async function readImports(connection: BackendConnection, scope: string, project: ProjectConfig, backend: Backend): Promise<Map<string, LiveImport>> {
  const listing = (await connection.list([scope])).get(scope)!;
  if (!listing.ok) throw listing.cause ?? new UserError(listing.error);
  const links = backend.links?.(listing.items);
  const out = new Map<string, LiveImport>();
  const names = definitionNames([...listing.items.values()].map((live) => backend.nameOf(live)), backend);
  for (const live of listing.items.values()) {
    const imported = backend.toDefinition(live, listing.now);
    const liveName = backend.nameOf(live);
    const renamed = names.get(liveName);
    // The scope it was read from; where the backend has none, the project's namespace, so the file need not name one.
    const definition: JobDefinition = {
      ...imported.definition,
      namespace: scope || defaultNamespace(project),
      ...(renamed ? { name: renamed, specific: { ...imported.definition.specific, [backend.name]: { name: liveName, ...imported.definition.specific?.[backend.name] } } } : {}),
    };
    const warnings: TranslationWarning[] = [...imported.warnings];
    if (renamed) {
      warnings.push({ field: 'specific', message: `named ${renamed} (a DNS-1123 label of at most 52 characters, as every backend can hold); its ${backend.title} name stays ${liveName}, in specific.${backend.name}.name` });
    }
    if (!definition.image && project.defaults.image) {
      warnings.push({ field: 'image', message: `it runs without a container: written with image: null, so that migrate.yaml's defaults.image (${project.defaults.image}) does not give it one; a move to a system that runs only containers needs an image set` });
    }
    const children = links?.get(backend.nameOf(live))?.children ?? [];
    if (children.length) {
      warnings.push({
        field: 'children',
        message: `${children.join(', ')} run${children.length === 1 ? 's' : ''} after it on ${backend.name} (dependent jobs, which no definition carries): moving it to another system stops them, so \`migrate move\` refuses it unless --orphan-dependents`,
      });
    }
    out.set(liveName, { definition, warnings, live, now: listing.now });
  }
  return out;
}

interface LiveImport extends Imported {
  readonly live: unknown;
  /** The server's clock at the read. */
  readonly now: Date;
}

/**
 * The definition's name for each live name the definition format cannot take as it is (not a
 * DNS-1123 label, or too long for a backend), where the backend keeps its own name in its section:
 * lower case, other characters as '-', at most 52, and a suffix when two would meet.
 */
function definitionNames(liveNames: readonly string[], backend: Backend): Map<string, string> {
  const out = new Map<string, string>();
  if (!backend.specificFields?.includes('name')) return out;
  const taken = new Set(liveNames.filter((n) => lintName(n, BACKEND_NAMES).length === 0));
  for (const name of [...liveNames].sort()) {
    if (taken.has(name)) continue;
    const base = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_DEFINITION_NAME).replace(/-+$/, '') || 'job';
    let label = base;
    for (let n = 2; taken.has(label) || lintName(label, BACKEND_NAMES).length; n++) label = `${base.slice(0, MAX_DEFINITION_NAME - String(n).length - 1).replace(/-+$/, '')}-${n}`;
    taken.add(label);
    out.set(name, label);
  }
  return out;
}

const MAX_DEFINITION_NAME = 52;

/**
 * Secret-looking env values (job.ts `isSecretEnvName`) as references to fill in: a secret named
 * after the job, keyed by the variable's name. Never the value, on stdout or in a file.
 */
function secretsAsReferences(job: JobDefinition): { definition: JobDefinition; referenced: string[] } {
  const referenced: string[] = [];
  const env: Record<string, EnvValue> = {};
  for (const [name, value] of Object.entries(job.env)) {
    if (typeof value === 'string' && isSecretEnvName(name)) {
      referenced.push(name);
      env[name] = { secretKeyRef: { name: job.name, key: name } };
    } else env[name] = value;
  }
  return { definition: referenced.length ? { ...job, env } : job, referenced };
}

/**
 * The round trip: what `apply` of this definition would change on the system it came from, as
 * the fields `diff` would show (none: it diffs clean), with the reasons the render gave.
 */
function roundTrip(backend: Backend, item: LiveImport, definition: JobDefinition, scope: string): string[] {
  let sides: { readonly live: unknown; readonly desired: unknown };
  try {
    sides = backend.comparable(item.live, backend.desired(definition, item.now, scope, item.live));
  } catch {
    return [];
  }
  const changed = differingPaths(sortKeys(sides.live), sortKeys(sides.desired));
  if (!changed.length) return [];
  const reasons = backend.render(definition, item.now).warnings.map((w) => w.message);
  return [
    `applied back as written, it changes ${changed.join(', ')} on ${backend.title} (\`migrate diff ${definition.name}\` shows how)${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
  ];
}

/** The paths (`container.volumes`, `environmentVariables`) at which two plain values differ, two levels deep. */
function differingPaths(a: unknown, b: unknown, prefix = '', depth = 2): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (depth === 0 || !isMap(a) || !isMap(b)) return [prefix || '(the whole object)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differingPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k, depth - 1));
}

/** The project file and the jobs folder, which need not exist yet. */
function projectOnly(io: CliIO, args: GlobalArgs): { project: ProjectConfig; jobsDir: string } {
  const jobsDir = path.resolve(io.cwd, args['jobs-dir']);
  if (fs.existsSync(jobsDir)) return loadWorkspace(io, args, []);
  const { project, diagnostics } = loadProject(io, args);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new UserError(`${args.config} has problems; fix them first`, errors.map(formatDiagnostic).join('\n'));
  return { project, jobsDir };
}


function defaultNamespace(project: ProjectConfig): string {
  return projectNamespace(project) ?? DEFAULT_NAMESPACE;
}

function writeDefinition(io: CliIO, jobsDir: string, job: JobDefinition, project: ProjectConfig, force: boolean): boolean {
  const file = path.join(jobsDir, `${job.name}.yaml`);
  const shown = path.relative(io.cwd, file) || file;
  const other = path.join(jobsDir, `${job.name}.yml`);
  const existing = [file, other].find((f) => fs.existsSync(f));
  if (!force && existing) {
    io.stderr.write(`error: ${job.name}: ${path.relative(io.cwd, existing) || existing} exists; not overwritten (--force overwrites it)\n`);
    return false;
  }
  fs.mkdirSync(jobsDir, { recursive: true });
  // An interrupted import never leaves half a definition.
  writeFileAtomic(file, formatDefinition(job, project));
  io.stdout.write(`wrote ${shown}\n`);
  return true;
}

/**
 * The canonical definition text: fields in the order of docs/format.md ("Canonical form"), and only those that differ from
 * what the loader would fill in from migrate.yaml and the built-in defaults, so that loading the
 * text gives back exactly `job`. Pure.
 */
export function formatDefinition(job: JobDefinition, project: ProjectConfig): string {
  return toYaml(definitionDocument(job, project));
}

/** The fields of `formatDefinition`'s text, as data (`import -o json` prints these). Pure. */
export function definitionDocument(job: JobDefinition, project: ProjectConfig): Record<string, unknown> {
  const d = project.defaults;
  const out: Record<string, unknown> = { name: job.name, backend: job.backend, schedule: job.schedule };
  if (job.timezone !== (d.timezone ?? DEFAULT_TIMEZONE)) out.timezone = job.timezone;
  out.command = typeof job.command === 'string' ? job.command : [...job.command];
  if (job.image !== undefined && job.image !== d.image) out.image = job.image;
  // Without one, the default would give it an image: null keeps it a command job.
  if (job.image === undefined && d.image !== undefined) out.image = null;
  if (job.pullPolicy) out.pullPolicy = job.pullPolicy;
  if (job.network) out.network = job.network;
  if (job.volumes?.length) out.volumes = job.volumes;
  if (Object.keys(job.env).length) out.env = job.env;
  const resources = job.resources;
  const defaultResources = d.resources ?? {};
  if (!sameObject(resources, defaultResources)) out.resources = resources;
  if (job.retries !== (d.retries ?? DEFAULT_RETRIES)) out.retries = job.retries;
  if (job.concurrency !== (d.concurrency ?? DEFAULT_CONCURRENCY)) out.concurrency = job.concurrency;
  if (job.startingDeadlineSeconds !== (d.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS)) out.startingDeadline = formatDuration(job.startingDeadlineSeconds);
  if (job.owner) out.owner = job.owner;
  if (job.tier) out.tier = job.tier;
  if (job.description) out.description = job.description;
  if (Object.keys(job.labels).length) out.labels = job.labels;
  if (job.namespace !== defaultNamespace(project)) out.namespace = job.namespace;
  if (job.paused) out.paused = true;
  if (job.specific && Object.keys(job.specific).length) out.specific = job.specific;
  return out;
}
