/**
 * What the backend conformance suite compares, and where it runs the backends: the example
 * definitions, the definition a backend's copy must give back, and connection settings built as
 * the CLI builds them (`connectionSettings`) from a sandbox's environment. Only this file knows
 * how the sandbox is reached (through `startSandboxRepo`'s environment); the suite names no backend.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionSettings } from '../../src/cli/connections.js';
import type { CliIO } from '../../src/cli/io.js';
import type { Backend, ConnectionSettings, TranslationWarning } from '../../src/core/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { JOB_FIELDS, readDefinition } from '../../src/core/definition.js';
import type { JobDefinition, ResourceAmounts } from '../../src/core/job.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { parseProjectConfig } from '../../src/core/project.js';
import { parseQuantity } from '../../src/core/quantity.js';
import { cronTimes, parseCron } from '../../src/core/schedule/cron.js';
import { startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const PROJECT = parseProjectConfig('migrate.yaml', fs.readFileSync(path.join(root, 'migrate.yaml'), 'utf8'), BACKEND_NAMES).config;

/** Every definition in jobs/ and test/fixtures/jobs/ (drop a file in to add a case). */
export const EXAMPLE_FILES: readonly string[] = ['jobs', 'test/fixtures/jobs'].flatMap((dir) =>
  fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)),
);

export function loadExample(file: string): JobDefinition {
  return loadJob(file, fs.readFileSync(path.join(root, file), 'utf8'));
}

export function loadJob(file: string, text: string): JobDefinition {
  const { definition, diagnostics } = readDefinition(file, text, PROJECT);
  if (!definition) throw new Error(`${file} does not load: ${JSON.stringify(diagnostics)}`);
  return definition.job;
}

/** Quantities compared by value, not spelling (`250m` is `0.25`); schedules by fire times (`@hourly` is `0 * * * *`). */
export function comparableDefinition(job: JobDefinition, from: Date): Record<string, unknown> {
  const exact = (a?: ResourceAmounts) =>
    a && Object.fromEntries(Object.entries(a).map(([k, v]) => { const q = parseQuantity(v!)!; return [k, `${q.num}/${q.den}`]; }));
  const { requests, limits } = job.resources;
  const fireTimes = cronTimes(parseCron(job.schedule), job.timezone, from, 400).map((d) => d.toISOString());
  return { ...job, schedule: fireTimes, resources: { ...(requests ? { requests: exact(requests) } : {}), ...(limits ? { limits: exact(limits) } : {}) } };
}

/** Warnings name fields as the file spells them (docs/format.md); the definition spells one differently. */
const DEFINITION_KEY: Readonly<Record<string, string>> = { startingDeadline: 'startingDeadlineSeconds' };

/** The path in the definition of each field a render reported as dropped (`env.TOKEN` -> ['env', 'TOKEN']). */
export function droppedPaths(warnings: readonly TranslationWarning[]): readonly (readonly string[])[] {
  return warnings.map((w) => {
    const [first, ...rest] = w.field.split('.');
    return [DEFINITION_KEY[first!] ?? first!, ...rest];
  });
}

/** Whether a warning names a field of the definition file, so the caller can tell what it lost. */
export function namesAFileField(w: TranslationWarning): boolean {
  return (JOB_FIELDS as readonly string[]).includes(w.field.split('.')[0]!);
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy without the value at `at`, and without the mappings that leaves empty. */
function without(tree: Tree, at: readonly string[]): Tree {
  const [key, ...rest] = at;
  if (key === undefined || !(key in tree)) return tree;
  const copy = { ...tree };
  const child = copy[key];
  if (rest.length === 0 || !isTree(child)) {
    delete copy[key];
    return copy;
  }
  const pruned = without(child, rest);
  if (Object.keys(pruned).length === 0) delete copy[key];
  else copy[key] = pruned;
  return copy;
}

/**
 * The definition a backend's copy of `job` must give back on import: the job as written, placed on
 * this backend, less every field its render reported as dropped. Two fields belong to migrate, not
 * to the scheduler (docs/format.md): `tier` may be kept in the definition only (a backend that
 * carries it must give it back as written), and `namespace` is the scope the copy lives in (a
 * backend without scopes, scope '', carries none; `import` fills in the project's).
 */
export function expectedImport(job: JobDefinition, backend: Backend, scope: string, dropped: readonly (readonly string[])[], imported: JobDefinition): JobDefinition {
  let expected: Tree = { ...job, backend: backend.name };
  for (const p of dropped) expected = without(expected, p);
  // Mappings the render emptied come back as {} (env, labels): the same thing, as the file says it.
  for (const key of ['env', 'labels', 'resources'] as const) expected[key] ??= {};
  // A choice that is the backend's own default (network: host on Chronos, bridge on Kubernetes)
  // comes back unsaid; the caller checks that both render the same object.
  for (const key of ['network', 'pullPolicy'] as const) if (imported[key] === undefined) delete expected[key];
  return {
    ...(expected as unknown as JobDefinition),
    tier: imported.tier === undefined ? undefined : job.tier,
    namespace: scope === '' ? imported.namespace : scope,
  };
}

/** A sandbox on a virtual clock, and connection settings pointing at it, at none, and at nothing usable. */
export interface ContractBench {
  readonly repo: SandboxRepo;
  readonly clock: Clock & { advance(seconds: number): Date };
  /** The sandbox's own environment: every backend reaches its stand-in. */
  readonly settings: ConnectionSettings;
  /** A sandbox's environment after it stopped: every backend's server refuses the connection. */
  readonly unreachable: ConnectionSettings;
  /** Every variable of the sandbox's environment naming nothing (no URL, no file): no client can be built. */
  readonly misconfigured: ConnectionSettings;
  close(): Promise<void>;
}

export async function startContractBench(start: string): Promise<ContractBench> {
  const repo = await startSandboxRepo({ start, apply: false });
  const stopped = await startSandboxRepo({ start, apply: false });
  // The servers stop; the directory (its kubeconfig, say) stays until close().
  await stopped.sandbox.close();
  const clock = repo.sandbox.ctx.clock;
  const build = (env: Readonly<Record<string, string>>): ConnectionSettings => {
    const io: CliIO = { stdout: { write: () => {} }, stderr: { write: () => {} }, isTTY: false, env, cwd: repo.dir, clock };
    // A client's wait between attempts moves the virtual clock on instead of sleeping (as --advance-sandbox does);
    // one attempt per call, so that a fault armed for one request is the call's whole answer.
    return connectionSettings(io, {}, PROJECT, { retries: 0, sleep: async (ms) => void clock.advance(ms / 1000) });
  };
  const nowhere = path.join(repo.dir, 'no-such-file');
  return {
    repo,
    clock,
    settings: build(repo.env),
    unreachable: build(stopped.env),
    misconfigured: build(Object.fromEntries(Object.keys(repo.env).map((k) => [k, nowhere]))),
    async close() {
      await Promise.all([repo.close(), stopped.close()]);
    },
  };
}
