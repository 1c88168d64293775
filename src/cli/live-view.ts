/**
 * The live view that `status`, `diff` and `apply` share: read each system with one LIST call
 * (per namespace on Kubernetes), and put both sides of a job into the normalised shape they are
 * compared in.
 */
import { ChronosRenderError, renderChronosJob } from '../../backends/chronos/render.js';
import { readChronosJob, SERVER_OWNED_FIELDS, type ChronosJob } from '../../backends/chronos/model.js';
import { normalizeChronosJob } from '../../backends/chronos/normalize.js';
import { MANAGED_BY_LABEL, NAME_LABEL, renderCronJob, type CronJobManifest } from '../../backends/kubernetes/render.js';
import { normalizeCronJob } from '../../backends/kubernetes/normalize.js';
import type { TranslationWarning } from '../core/backend.js';
import { cronToChronosCached } from '../core/schedule/translate.js';
import { UserError } from '../core/errors.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import { livePath } from '../core/live-diff.js';
import type { Connections } from './connections.js';

// ---- reading both systems -------------------------------------------------------------------

export type Listing<T> =
  | { readonly ok: true; readonly items: ReadonlyMap<string, T>; /** The server's clock at the answer. */ readonly now: Date }
  | { readonly ok: false; readonly error: string; /** What to do about it, from the client's error. */ readonly hint?: string };

export interface LiveSnapshot {
  readonly chronos: Listing<ChronosJob>;
  /** One listing per namespace read. */
  readonly kubernetes: ReadonlyMap<string, Listing<CronJobManifest>>;
}

const message = (err: unknown) => (err instanceof UserError ? err.summary : err instanceof Error ? err.message : String(err));
const failed = (err: unknown): { ok: false; error: string; hint?: string } => {
  const hint = err instanceof UserError ? err.detail?.split('\n').at(-1) : undefined;
  return hint ? { ok: false, error: message(err), hint } : { ok: false, error: message(err) };
};

/**
 * One LIST call per system (per namespace on Kubernetes), never one call per job. A system that
 * fails is recorded as such; the other is still read.
 */
export async function readLiveSnapshot(conn: Connections, namespaces: readonly string[], systems: readonly BackendName[] = ['chronos', 'kubernetes']): Promise<LiveSnapshot> {
  const chronos = async (): Promise<Listing<ChronosJob>> => {
    if (!systems.includes('chronos')) return { ok: false, error: 'not read' };
    try {
      const client = conn.chronos();
      const jobs = await client.list();
      return { ok: true, items: new Map(jobs.map((j) => [j.name, j])), now: client.serverClock().now() };
    } catch (err) {
      return failed(err);
    }
  };
  const kubernetes = async (ns: string): Promise<[string, Listing<CronJobManifest>]> => {
    if (!systems.includes('kubernetes')) return [ns, { ok: false, error: 'not read' }];
    try {
      const client = conn.kubernetes(ns);
      const items = await client.listCronJobs();
      return [ns, { ok: true, items: new Map(items.map((c) => [c.metadata.name, c])), now: client.serverClock().now() }];
    } catch (err) {
      return [ns, failed(err)];
    }
  };
  const [c, ...k] = await Promise.all([chronos(), ...[...new Set(namespaces)].map(kubernetes)]);
  return { chronos: c, kubernetes: new Map(k) };
}

/** The namespace each job is read from (`-n` wins), when Kubernetes is configured at all. */
export function namespacesOf(conn: Connections, jobs: readonly JobDefinition[]): { namespaceOf: (job: JobDefinition) => string; namespaces: string[]; error?: string } {
  try {
    const namespaceOf = (job: JobDefinition) => conn.namespaceFor(job.namespace);
    return { namespaceOf, namespaces: [...new Set(jobs.length ? jobs.map(namespaceOf) : [conn.namespaceFor()])].sort() };
  } catch (err) {
    return { namespaceOf: (job) => job.namespace, namespaces: [], error: message(err) };
  }
}

// ---- the normalised sides -------------------------------------------------------------------

/** What Chronos would hold after a POST of the definition rendered at `now`: the full job, defaults in. */
export function desiredChronosJob(job: JobDefinition, now: Date): ChronosJob {
  try {
    return readChronosJob(renderChronosJob(job, now, cronToChronosCached).manifest, { now });
  } catch (err) {
    if (err instanceof ChronosRenderError) throw new UserError(err.message, 'Keep the job on Kubernetes, or give it a schedule with a constant period (`migrate next` shows why).');
    throw err;
  }
}

/** The CronJob as migrate applies it, in the namespace it is read from. */
export function desiredCronJob(job: JobDefinition, namespace: string): CronJobManifest {
  const manifest = renderCronJob(job).manifest;
  return { ...manifest, metadata: { ...manifest.metadata, namespace } };
}

/** A JSON object, to edit a fresh normalised copy in place. */
type Json = Record<string, unknown>;

/** `v` when it is a JSON object (not an array, not null). */
function json(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/**
 * migrate's bookkeeping labels (managed-by, name) say who owns the object, not how the job runs:
 * they do not count, so a CronJob made by hand and imported diffs clean against itself.
 */
function dropBookkeepingLabels(holder: Json | undefined): void {
  const metadata = json(holder?.metadata);
  const labels = json(metadata?.labels);
  if (!holder || !metadata || !labels) return;
  delete labels[MANAGED_BY_LABEL];
  delete labels[NAME_LABEL];
  if (Object.keys(labels).length === 0) delete metadata.labels;
  if (Object.keys(metadata).length === 0) delete holder.metadata;
}

export function normalizeCronJobForDiff(manifest: CronJobManifest): CronJobManifest {
  const normalized = normalizeCronJob(manifest); // a copy of its own, edited in place below
  const cj = json(normalized);
  const jobTemplate = json(json(cj?.spec)?.jobTemplate);
  const jobSpec = json(jobTemplate?.spec);
  dropBookkeepingLabels(cj);
  dropBookkeepingLabels(jobTemplate);
  dropBookkeepingLabels(json(jobSpec?.template));
  // Every Job the controller creates gets backoffLimit 6 when the template has none.
  if (jobSpec && jobSpec.backoffLimit === undefined) jobSpec.backoffLimit = 6;
  return normalized;
}

/**
 * Chronos normalised for comparison and display: counters and last run times left out (the
 * scheduler writes them), and the schedule compared by its grid (period, zone, phase) but shown
 * as written: the live string on both sides when the grids agree, each side's own when not.
 */
function chronosPair(live: ChronosJob | undefined, desired: ChronosJob): [Json | undefined, Json] {
  const strip = (job: ChronosJob): Json => {
    const o: Json = { ...normalizeChronosJob(job) };
    for (const f of SERVER_OWNED_FIELDS) delete o[f];
    return o;
  };
  const d = strip(desired);
  if (!live) return [undefined, { ...d, schedule: desired.schedule, scheduleTimeZone: desired.scheduleTimeZone }];
  const l = strip(live);
  const sameGrid = l.schedule === d.schedule && l.scheduleTimeZone === d.scheduleTimeZone;
  l.schedule = live.schedule;
  d.schedule = sameGrid ? live.schedule : desired.schedule;
  return [l, d];
}

export interface DeclaredSides {
  readonly system: BackendName;
  readonly namespace: string;
  /** Normalised; undefined when absent. */
  readonly live: unknown;
  readonly desired: unknown;
  readonly liveLabel: string;
  readonly desiredLabel: string;
}

/** Both sides of a job on its declared backend, normalised for comparison. */
export function declaredSides(job: JobDefinition, namespace: string, live: ChronosJob | CronJobManifest | undefined, now: Date): DeclaredSides {
  const path = livePath(job.backend, job.name, namespace);
  const labels = { liveLabel: `LIVE ${path}`, desiredLabel: `DESIRED ${path}` };
  if (job.backend === 'chronos') {
    const full = desiredChronosJob(job, now);
    const [l, d] = chronosPair(live as ChronosJob | undefined, full);
    return { system: 'chronos', namespace, live: l, desired: d, ...labels };
  }
  return { system: 'kubernetes', namespace, live: live && normalizeCronJobForDiff(live as CronJobManifest), desired: normalizeCronJobForDiff(desiredCronJob(job, namespace)), ...labels };
}

/** What the declared backend cannot carry of the definition ("dropped in translation: ..."). */
export function translationWarnings(job: JobDefinition, now: Date): readonly TranslationWarning[] {
  try {
    return job.backend === 'chronos' ? renderChronosJob(job, now, cronToChronosCached).warnings : renderCronJob(job).warnings;
  } catch {
    return []; // a job that cannot render at all is reported where it is rendered
  }
}

/** The declared backend's listing for a job: its live object, or why it could not be read. */
export function declaredListing(snapshot: LiveSnapshot, job: JobDefinition, namespace: string): Listing<ChronosJob | CronJobManifest> {
  if (job.backend === 'chronos') return snapshot.chronos;
  return snapshot.kubernetes.get(namespace) ?? { ok: false, error: `namespace ${namespace} was not read` };
}
