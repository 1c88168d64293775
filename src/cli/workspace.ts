/**
 * The edge where definitions come from disk: `migrate.yaml` and `jobs/*.yaml`, read once and
 * handed to the pure loader and linter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { backendLinters } from '../../backends/index.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { readDefinition, type LoadedDefinition, type UnloadedDefinition } from '../core/definition.js';
import { ExitCode, UserError, formatDiagnostic, type Diagnostic } from '../core/errors.js';
import { lintDefinitions } from '../core/lint.js';
import { emptyProject, parseProjectConfig, type ProjectConfig } from '../core/project.js';
import { openDefinitionCache } from './definition-cache.js';
import type { GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';

export interface Workspace {
  readonly project: ProjectConfig;
  readonly definitions: readonly LoadedDefinition[];
  readonly diagnostics: readonly Diagnostic[];
  readonly jobsDir: string;
}

const JOB_FILE = /\.ya?ml$/;

export interface LoadOptions {
  /** False skips the per-backend checks (see loadWorkspace). */
  readonly backendLint?: boolean;
}

/**
 * Loads and lints every definition in the jobs folder (or only `paths`, which may also name jobs).
 * `backendLint: false` skips the per-backend checks (for some, a year-long schedule proof per job),
 * for read-only views over thousands of jobs that judge each job against the live system anyway.
 */
export function loadWorkspace(io: CliIO, args: GlobalArgs, paths: readonly string[] = [], options: LoadOptions = {}): Workspace {
  const jobsDir = path.resolve(io.cwd, args['jobs-dir']);
  const { project, diagnostics: projectDiagnostics, text: projectText } = loadProject(io, args);
  const files = paths.length ? resolvePaths(io, jobsDir, paths) : listJobFiles(io, jobsDir, args['jobs-dir']);
  const diagnostics: Diagnostic[] = [...projectDiagnostics];
  const definitions: LoadedDefinition[] = [];
  const unloaded: UnloadedDefinition[] = [];
  const cache = openDefinitionCache(io, jobsDir, projectText);
  for (const file of files) {
    const display = path.relative(io.cwd, file) || file;
    let text: string;
    let stat: fs.BigIntStats;
    let result: ReturnType<typeof readDefinition> | undefined;
    try {
      stat = fs.statSync(file, { bigint: true });
      result = cache.lookup(file, display, stat);
      text = result ? '' : fs.readFileSync(file, 'utf8');
    } catch (e) {
      diagnostics.push({ file: display, line: 1, col: 1, severity: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (!result) {
      result = readDefinition(display, text, project);
      cache.remember(file, display, stat, result);
    }
    diagnostics.push(...result.diagnostics);
    if (result.definition) definitions.push(result.definition);
    if (result.unloaded) unloaded.push(result.unloaded);
  }
  cache.save({ seenOnly: paths.length === 0 });
  const linters = options.backendLint === false ? {} : backendLinters(() => io.clock.now());
  diagnostics.push(...lintDefinitions(definitions, project.backends, linters, unloaded));
  // Each file's problems in line order, wherever they were found.
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { project, definitions, diagnostics, jobsDir };
}

/** Definitions named on the command line (all when none), refusing any with problems. */
export function selectDefinitions(io: CliIO, args: GlobalArgs, names: readonly string[], exitCode: number = ExitCode.Error): { ws: Workspace; definitions: LoadedDefinition[] } {
  const ws = loadWorkspace(io, args, names);
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    throw new UserError(`${errors.length} problem(s) in the definitions; fix them first`, `${errors.map(formatDiagnostic).join('\n')}\n(\`migrate validate\` lists them)`, exitCode);
  }
  return { ws, definitions: [...ws.definitions].sort((a, b) => a.job.name.localeCompare(b.job.name)) };
}

/**
 * Finds one job, named the way `status` and `validate` name it: a definition file (inside the jobs
 * folder or anywhere else), or a job name (`jobs/<name>.yaml`, or whichever file declares that
 * name). Fails with the file's own problems when it does not load cleanly.
 */
export function loadJob(io: CliIO, args: GlobalArgs, nameOrPath: string): LoadedDefinition {
  return loadJobWithProject(io, args, nameOrPath).definition;
}

/** `loadJob`, and the project file the job was read with. */
export function loadJobWithProject(io: CliIO, args: GlobalArgs, nameOrPath: string, options: LoadOptions = {}): { readonly definition: LoadedDefinition; readonly project: ProjectConfig } {
  const jobsDir = path.resolve(io.cwd, args['jobs-dir']);
  const given = path.resolve(io.cwd, nameOrPath);
  const explicitFile = isFile(given) ? given : undefined;
  const fileOf = (d: { readonly file: string }) => path.resolve(io.cwd, d.file);
  // A file inside the jobs folder is loaded with the files named after its job, so that a name
  // used twice is caught; one elsewhere (a copy being tried out) is loaded alone.
  const ws =
    explicitFile && path.dirname(explicitFile) !== jobsDir
      ? loadWorkspace(io, args, [explicitFile], options)
      : (loadByFileNames(io, args, jobsDir, explicitFile ? { file: explicitFile } : { name: nameOrPath }, options) ?? loadWorkspace(io, args, [], options));
  const file = explicitFile ?? (ws.definitions.find((d) => d.job.name === nameOrPath) ? undefined : findJobFile(jobsDir, nameOrPath));
  const def = file ? ws.definitions.find((d) => fileOf(d) === file) : ws.definitions.find((d) => d.job.name === nameOrPath);
  const problemFile = file ?? (def && fileOf(def));
  const problems = ws.diagnostics.filter((d) => d.severity === 'error' && fileOf(d) === problemFile);
  if (problems.length) {
    const shown = path.relative(io.cwd, problemFile!) || problemFile!;
    throw new UserError(`${shown} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix ${problems.length === 1 ? 'it' : 'them'} first`, problems.map(formatDiagnostic).join('\n'));
  }
  if (!def) {
    const known = ws.definitions.map((d) => d.job.name).sort();
    throw new UserError(`no job named "${nameOrPath}" in ${path.relative(io.cwd, ws.jobsDir) || '.'}`, known.length ? `Known jobs: ${known.join(', ')}` : 'Run `migrate validate` to see why no definition loaded.');
  }
  return { definition: def, project: ws.project };
}

/**
 * One job of the jobs folder, read from the files named after it (`<name>.yaml`, `<name>.yml`)
 * instead of the whole folder, which may hold thousands: the file given and those named after
 * the job it declares, or those named after the name given. Undefined when they do not hold a
 * loadable job of that name (and for a file given that does not load): then the caller reads the
 * folder. A second definition of the name in a file named otherwise is not seen here; `validate`
 * of the folder reports it.
 */
function loadByFileNames(io: CliIO, args: GlobalArgs, jobsDir: string, job: { readonly file: string } | { readonly name: string }, options: LoadOptions): Workspace | undefined {
  if ('file' in job) {
    const alone = loadWorkspace(io, args, [job.file], options);
    const name = alone.definitions[0]?.job.name;
    if (name === undefined) return undefined;
    const namedAfter = jobFilesNamed(jobsDir, name).filter((f) => f !== job.file);
    return namedAfter.length ? loadWorkspace(io, args, [job.file, ...namedAfter].sort(), options) : alone;
  }
  const files = jobFilesNamed(jobsDir, job.name);
  if (!files.length) return undefined;
  const ws = loadWorkspace(io, args, files, options);
  return ws.definitions.some((d) => d.job.name === job.name) ? ws : undefined;
}

/** `migrate.yaml`, which may be absent; a project file named with --config must exist. */
export function loadProject(io: CliIO, args: Pick<GlobalArgs, 'config' | 'configGiven'>): { project: ProjectConfig; diagnostics: Diagnostic[]; text?: string } {
  const file = path.resolve(io.cwd, args.config);
  if (!isFile(file)) {
    if (args.configGiven) throw new UserError(`no project file at ${args.config}`, 'Fix the --config path, or leave --config out to use ./migrate.yaml (which may be absent).');
    return { project: emptyProject(BACKEND_NAMES), diagnostics: [] };
  }
  const text = fs.readFileSync(file, 'utf8');
  const { config, diagnostics } = parseProjectConfig(path.relative(io.cwd, file) || file, text, BACKEND_NAMES);
  return { project: config, diagnostics, text };
}

function listJobFiles(io: CliIO, jobsDir: string, shown: string): string[] {
  if (!fs.existsSync(jobsDir)) throw new UserError(`no jobs folder at ${shown}`, 'Create it with one YAML file per job, or point --jobs-dir at yours.');
  return fs
    .readdirSync(jobsDir)
    .filter((f) => JOB_FILE.test(f))
    .sort()
    .map((f) => path.join(jobsDir, f));
}

function resolvePaths(io: CliIO, jobsDir: string, paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(io.cwd, p);
    if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) files.push(...listJobFiles(io, abs, p));
    else if (fs.existsSync(abs)) files.push(abs);
    else {
      const byName = findJobFile(jobsDir, p);
      if (!byName) throw new UserError(`no such file or job: ${p}`, `Name a file, a folder, or a job in ${path.relative(io.cwd, jobsDir) || '.'}.`);
      files.push(byName);
    }
  }
  return files;
}

/** The file a job name stands for: `<jobs>/<name>.yaml` or `.yml`; undefined when neither exists. */
function findJobFile(jobsDir: string, name: string): string | undefined {
  return jobFilesNamed(jobsDir, name)[0];
}

/** `<jobs>/<name>.yaml` and `.yml`, those that exist, in the folder's order. */
function jobFilesNamed(jobsDir: string, name: string): string[] {
  return ['.yaml', '.yml'].map((ext) => path.join(jobsDir, `${name}${ext}`)).filter(isFile);
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}
