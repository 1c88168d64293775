/**
 * The live view that `status`, `diff` and `apply` share: read every backend with one LIST call
 * per scope (a namespace, where the system has them), and put the declared side of a job into the
 * normalised shape it is compared in.
 */
import { ALL_BACKENDS, backendOf } from '../../backends/index.js';
import type { Listing, TranslationWarning } from '../core/backend.js';
import { errorSummary, UserError } from '../core/errors.js';
import { nameOn, type BackendName, type JobDefinition } from '../core/job.js';
import type { Connections } from './connections.js';

// ---- where each job is read ---------------------------------------------------------------

/** Where the selected jobs live on each backend to be read. */
export interface JobScopes {
  /** The scope a job lives in on a backend (`-n` wins where there are scopes). */
  of(system: BackendName, job: JobDefinition): string;
  /** The scopes to read on each backend, sorted; a backend not to be read has none. */
  readonly scopes: Readonly<Partial<Record<BackendName, readonly string[]>>>;
  /** A backend whose configuration does not load, so that no scope of it can be named: why. */
  readonly errors: Readonly<Partial<Record<BackendName, string>>>;
}

/**
 * The scopes to read: for each backend named, those of the jobs given for it (its default scope
 * when none is given). A backend that cannot name them is recorded with why; the others still are.
 */
export function scopesOf(conn: Connections, jobsBySystem: Readonly<Partial<Record<BackendName, readonly JobDefinition[]>>>): JobScopes {
  const scopes: Partial<Record<BackendName, readonly string[]>> = {};
  const errors: Partial<Record<BackendName, string>> = {};
  for (const b of ALL_BACKENDS) {
    const jobs = jobsBySystem[b.name];
    if (!jobs) continue;
    const connection = conn.to(b.name);
    try {
      scopes[b.name] = [...new Set(jobs.length ? jobs.map((job) => connection.scopeOf(job)) : [connection.scopeOf()])].sort();
    } catch (err) {
      errors[b.name] = errorSummary(err);
    }
  }
  const of = (system: BackendName, job: JobDefinition): string => {
    if (errors[system] !== undefined) return '';
    return conn.to(system).scopeOf(job);
  };
  return { of, scopes, errors };
}

/** The same jobs for every backend (`status` and `apply` look at each job everywhere). */
export function everywhere(jobs: readonly JobDefinition[]): Record<BackendName, readonly JobDefinition[]> {
  return Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, jobs])) as Record<BackendName, readonly JobDefinition[]>;
}

// ---- reading every backend -------------------------------------------------------------------

/** Per backend, one listing per scope read. */
export type LiveSnapshot = Readonly<Partial<Record<BackendName, ReadonlyMap<string, Listing<unknown>>>>>;

/**
 * One LIST call per backend and scope, never one call per job. A backend that fails is recorded
 * as such; the others are still read.
 */
export async function readLiveSnapshot(conn: Connections, scopes: JobScopes): Promise<LiveSnapshot> {
  const read = ALL_BACKENDS.filter((b) => scopes.scopes[b.name] !== undefined);
  const listings = await Promise.all(read.map((b) => conn.to(b.name).list(scopes.scopes[b.name]!)));
  return Object.fromEntries(read.map((b, i) => [b.name, listings[i]!]));
}

/** A backend's listing of the scope a job lives in: its live objects, or why they could not be read. */
export function listingOf(snapshot: LiveSnapshot, scopes: JobScopes, system: BackendName, job: JobDefinition): Listing<unknown> {
  return snapshot[system]?.get(scopes.of(system, job)) ?? { ok: false, error: scopes.errors[system] ?? 'not read' };
}

// ---- the declared side -----------------------------------------------------------------------

export interface DeclaredSides {
  readonly system: BackendName;
  readonly scope: string;
  /** Normalised; undefined when absent. */
  readonly live: unknown;
  readonly desired: unknown;
  readonly liveLabel: string;
  readonly desiredLabel: string;
}

/** Both sides of a job on its declared backend, normalised for comparison. Throws a UserError when the job cannot run there. */
export function declaredSides(job: JobDefinition, scope: string, live: unknown, now: Date): DeclaredSides {
  const backend = backendOf(job.backend);
  const path = backend.livePath(nameOn(job, job.backend), scope);
  const sides = backend.comparable(live, backend.desired(job, now, scope, live));
  return { system: job.backend, scope, live: sides.live, desired: sides.desired, liveLabel: `LIVE ${path}`, desiredLabel: `DESIRED ${path}` };
}

/** What the declared backend cannot carry of the definition ("dropped in translation: ..."). */
export function translationWarnings(job: JobDefinition, now: Date): readonly TranslationWarning[] {
  try {
    return backendOf(job.backend).render(job, now).warnings;
  } catch {
    return []; // a job that cannot render at all is reported where it is rendered
  }
}
