/**
 * `migrate import --from <backend> [names...] [--write] [--force]`: definitions for live
 * jobs, in the canonical format, each job's translation warnings on stderr. A job whose schedule
 * cannot be written as cron (an interval off the cron grid, a finite `Rn`) or that depends on
 * parents is reported and skipped; the others still import. An imported job diffs clean against
 * the system it came from.
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
  isSecretEnvName, type JobDefinition,
} from '../../core/job.js';
import { lintName } from '../../core/lint.js';
import { sameObject } from '../../core/live-diff.js';
import { MASK } from '../../core/secrets.js';
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
        const warnings = [...item.warnings, ...lintName(name, BACKEND_NAMES).map((message) => ({ field: 'name', message }))];
        const blocking = warnings.filter((w) => BLOCKING_FIELDS.has(w.field));
        for (const w of warnings) io.stderr.write(`${blocking.includes(w) ? 'error' : 'warning'}: ${name}: ${w.message}\n`);
        if (blocking.length) {
          io.stderr.write(`error: ${name}: not imported (keep it on ${from}, or change it there so that a definition can express it)\n`);
          failed++;
          continue;
        }
        if (args.write) {
          if (!writeDefinition(io, ws.jobsDir, item.definition, ws.project, args.force)) failed++;
        } else {
          const masked = maskedForOutput(item.definition);
          if (masked.length) io.stderr.write(`warning: ${name}: env ${masked.join(', ')} masked as ${MASK} on stdout; --write puts the values in the file\n`);
          documents.push(definitionDocument(maskEnv(item.definition), ws.project));
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
async function readImports(connection: BackendConnection, scope: string, project: ProjectConfig, backend: Pick<Backend, 'name' | 'toDefinition' | 'nameOf' | 'links'>): Promise<Map<string, Imported>> {
  const listing = (await connection.list([scope])).get(scope)!;
  if (!listing.ok) throw listing.cause ?? new UserError(listing.error);
  const links = backend.links?.(listing.items);
  const out = new Map<string, Imported>();
  for (const live of listing.items.values()) {
    const imported = backend.toDefinition(live, listing.now);
    // The scope it was read from; where the backend has none, the project's namespace, so the file need not name one.
    const definition = { ...imported.definition, namespace: scope || defaultNamespace(project) };
    const warnings: TranslationWarning[] = [...imported.warnings];
    if (!definition.image && project.defaults.image) {
      warnings.push({ field: 'image', message: `it runs without a container, but migrate.yaml's defaults.image (${project.defaults.image}) would give it one; set image in the definition before applying` });
    }
    const children = links?.get(backend.nameOf(live))?.children ?? [];
    if (children.length) {
      warnings.push({
        field: 'children',
        message: `${children.join(', ')} run${children.length === 1 ? 's' : ''} after it on ${backend.name} (dependent jobs, which no definition carries): moving it to another system stops them, so \`migrate move\` refuses it unless --orphan-dependents`,
      });
    }
    out.set(backend.nameOf(live), { definition, warnings });
  }
  return out;
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

function maskedForOutput(job: JobDefinition): string[] {
  return Object.entries(job.env).filter(([name, v]) => typeof v === 'string' && isSecretEnvName(name)).map(([name]) => name);
}

function maskEnv(job: JobDefinition): JobDefinition {
  return { ...job, env: Object.fromEntries(Object.entries(job.env).map(([name, v]) => [name, typeof v === 'string' && isSecretEnvName(name) ? MASK : v])) };
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
  return out;
}
