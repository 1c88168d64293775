/**
 * Everything a move needs before its first side effect: the cutover side of every backend for the
 * job, what the target must look like, and the plan shown to the operator (diffs for both
 * systems, dropped fields, the schedule verdict, the handoff, runs in flight, and the basis that
 * detects a stale plan).
 */
import { createHash } from 'node:crypto';
import { ALL_BACKENDS, backendOf } from '../../backends/index.js';
import type { ActiveRun, Backend, BackendConnection, Listing, TranslationWarning } from '../core/backend.js';
import type { Clock } from '../core/clock.js';
import type { CutoverSide, LockProvider } from '../core/cutover.js';
import type { LoadedDefinition } from '../core/definition.js';
import { planHandoff } from '../core/handoff.js';
import { nameOn, type BackendName, type JobDefinition } from '../core/job.js';
import type { MoveOperation } from '../core/journal.js';
import { diffLive } from '../core/live-diff.js';
import type { MovePlan, PlannedDependents } from '../core/move-plan.js';
import { restorableSnapshot } from '../core/secrets.js';
import { planNextFireTimes } from '../core/next-fire-times.js';

/** The live systems, one connection per backend in the registry; the CLI's connections provide them. */
export interface Systems {
  to(name: BackendName): BackendConnection;
  /** Where move locks live (its server's clock is a move's reference clock). */
  locks(): LockProvider | undefined;
}

/** The cutover side of every backend, for one job. */
export type Sides = Readonly<Record<BackendName, CutoverSide>>;

export function sidesFor(systems: Systems, job: JobDefinition): Sides {
  return Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, systems.to(b.name).side(job)])) as Record<BackendName, CutoverSide>;
}

/**
 * The target as it must run: rendered from the definition; for a rollback, the copy the move
 * left disabled there (fields the definition does not carry included), or, if that copy is
 * gone, the journal's before-snapshot (unless secrets were masked in it: those cannot be
 * restored from the journal, so the definition is rendered instead).
 */
export function desiredTargetFor(systems: Systems, job: JobDefinition, to: BackendName, operation: MoveOperation, now: () => Date, snapshot?: unknown): (targetLive: unknown) => unknown {
  const restorable = operation === 'rollback' ? restorableSnapshot(snapshot) : undefined;
  const backend = backendOf(to);
  return (live) => {
    const kept = live ?? restorable;
    if (operation === 'rollback' && kept !== undefined) return kept;
    return backend.desired(job, now(), systems.to(to).scopeOf(job), live);
  };
}

/** One job to move (or roll back, or resume): what the operator asked for. */
export interface MoveTarget {
  readonly definition: LoadedDefinition;
  readonly from: BackendName;
  readonly to: BackendName;
  readonly operation: MoveOperation;
  /** For a rollback: the id of the move it undoes. */
  readonly undoes?: string;
  /** A forced rollback away from a system that does not answer: it is neither read nor changed. */
  readonly sourceUnreachable?: boolean;
  /** For a rollback: the journal's before-snapshot of the system the job returns to. */
  readonly snapshot?: unknown;
  /** The operator lets the jobs chained after this one on the source stop (`--orphan-dependents`). */
  readonly orphanDependents?: boolean;
  /** The job as systems were just read for this decision (undefined: absent): the plan does not read them again. */
  readonly read?: ReadonlyMap<BackendName, unknown>;
}

export interface PlanInput extends MoveTarget {
  readonly guardSeconds: number;
  readonly sides: Sides;
  /** Set when the journal has an unfinished move for this job. */
  readonly unfinished?: string;
  /** Shared by the jobs planned together (a wave): each system's scope is listed once for all of them. */
  readonly listings?: Listings;
  /** Shared as `listings`: each source scope's runs in flight are read once for all the wave's jobs. */
  readonly runs?: RunsInFlight;
}

/** Listings of a scope, by system and scope. */
export type Listings = Map<string, Promise<Listing<unknown>>>;
/** Every job's runs in flight in a scope, by system and scope. */
export type RunsInFlight = Map<string, Promise<ReadonlyMap<string, readonly ActiveRun[]>>>;

export interface PlannedMove {
  readonly plan: MovePlan;
  readonly desiredTarget: (targetLive: unknown) => unknown;
  /** What the plan read, for a move that follows it at once (`MoveRequest.planReads`). */
  readonly reads: PlanReads;
}

export interface PlanReads {
  /** Every system's object (undefined: absent, or not read). */
  readonly live: Readonly<Record<BackendName, unknown>>;
  /** The source's runs in flight; undefined when they could not be read. */
  readonly runsInFlight?: readonly unknown[];
}

export async function planMove(systems: Systems, input: PlanInput): Promise<PlannedMove> {
  const { job } = input.definition;
  const { sides, from, to } = input;
  const skip = (system: BackendName) => input.sourceUnreachable && system === from;
  // A wave (`listings` given) lists each system's scope once for all its jobs and takes each job
  // from that listing; a single job lists only a source that chains jobs, for its chain
  // (`Backend.links`), and that listing is its read too. Every other system is read.
  const listed = (system: BackendName) => !skip(system) && (input.listings !== undefined || (system === from && backendOf(system).links !== undefined));
  const listings = new Map(ALL_BACKENDS.map((b) => [b.name, listed(b.name) ? scopeListing(systems.to(b.name), b.name, job, input.listings ?? new Map()) : undefined]));
  const readOf = async (system: BackendName): Promise<unknown> => {
    if (skip(system)) return undefined;
    if (input.read?.has(system) && !listed(system)) return input.read.get(system);
    const listing = await listings.get(system);
    return listing?.ok ? listing.items.get(nameOn(job, system)) : sides[system].read();
  };
  const reads = await Promise.all(ALL_BACKENDS.map(async (b) => [b.name, await readOf(b.name)] as const));
  const live = Object.fromEntries(reads) as Record<BackendName, unknown>;
  // The reads just carried the servers' Date headers: no separate call for the time.
  const now = sides[referenceSystem(systems, from, input.sourceUnreachable)].serverClock().now();
  const desiredTarget = desiredTargetFor(systems, job, to, input.operation, () => now, input.snapshot);
  const fireTimes = planNextFireTimes(job, now, 3, ALL_BACKENDS);
  const handoff = planHandoff(job.schedule, job.timezone, now, input.guardSeconds);
  const source = backendOf(from);
  const target = backendOf(to);
  const sourceLive = live[from];
  const targetLive = live[to];

  const sourceListing = await listings.get(from);
  const chain = sourceListing === undefined ? undefined : chainOf(sourceListing, source, job);
  const scheduleProblem = fireTimes.verdict.kind === 'equivalent' ? undefined : fireTimes.verdict.reason;
  // The backend that cannot run the schedule exactly (its own lint says so); it cannot be rendered for.
  const cannotSchedule = scheduleProblem ? [source, target].find((b) => b.lint(job, now).some((f) => f.field === 'schedule')) : undefined;
  const refusal = refuse(input, now, sourceLive, targetLive, cannotSchedule && scheduleProblem ? `${cannotSchedule.title} cannot run this schedule exactly: ${scheduleProblem}` : undefined, chain);
  // A refused move still shows what the target would get, when the target can render the job at all.
  const desired = refusal && cannotSchedule === target ? undefined : refusal ? renderedOrNone(() => desiredTarget(targetLive)) : desiredTarget(targetLive);
  const normalize = (system: BackendName, o: unknown) => (o === undefined ? undefined : backendOf(system).normalize(o));
  const label = (kind: string, system: BackendName) => `${kind} ${backendOf(system).livePath(nameOn(job, system), systems.to(system).scopeOf(job))}`;
  const sourceDiff = diffLive({
    liveLabel: label('LIVE', from),
    desiredLabel: label('AFTER', from),
    live: normalize(from, sourceLive),
    desired: normalize(from, sourceLive === undefined ? undefined : source.withEnabled(sourceLive, false)),
  }).patch;
  const targetDiff = diffLive({
    liveLabel: label('LIVE', to),
    desiredLabel: label('DESIRED', to),
    live: normalize(to, targetLive),
    desired: normalize(to, desired === undefined ? undefined : target.withEnabled(desired, !job.paused)),
  }).patch;
  const warnings: readonly TranslationWarning[] = input.operation === 'rollback' || desired === undefined ? [] : renderWarnings(job, to, now);
  const runs = sourceLive !== undefined && !input.sourceUnreachable ? await runsOf(systems, sides, from, job, input.runs) : { read: [] };
  const runsInFlight = runs.read ?? [];
  return {
    plan: {
      job: job.name,
      timezone: job.timezone,
      operation: input.operation,
      from,
      to,
      enableStrategy: target.enableStrategy,
      handoff,
      fireTimes,
      warnings,
      sourceDiff,
      targetDiff,
      runsInFlight,
      ...(input.sourceUnreachable ? { sourceUnreachable: true } : {}),
      refusal,
      basis: basisOf(live),
      ...(job.paused ? { paused: true } : {}),
      ...(chain && 'children' in chain && chain.children.length ? { dependents: chain } : {}),
    },
    desiredTarget,
    reads: { live, ...(runs.read ? { runsInFlight: runs.read } : {}) },
  };
}

/**
 * Whose clock a move follows: the lock server's (its Lease expiry is in that time), unless a
 * forced rollback leaves that very system because it does not answer: then the target's.
 */
export function referenceSystem(systems: Systems, from: BackendName, sourceUnreachable?: boolean): BackendName {
  const lockSystem = systems.locks()?.system;
  if (lockSystem && !(sourceUnreachable && lockSystem === from)) return lockSystem;
  return ALL_BACKENDS.map((b) => b.name).find((n) => !(sourceUnreachable && n === from)) ?? from;
}

/** The digest of every live object, normalised so what a system rewrites at each run (its schedule's start) is not "a change". */
function basisOf(live: Readonly<Record<BackendName, unknown>>): string {
  const normalized = ALL_BACKENDS.map((b) => (live[b.name] === undefined ? null : b.normalize(live[b.name])));
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex').slice(0, 16);
}

/** Whether `live` (every system as read under the lock) differs from what the plan shown to the operator read. */
export function changedSince(plan: MovePlan, live: Readonly<Record<BackendName, unknown>>): boolean {
  return basisOf(live) !== plan.basis;
}

/** How the job is chained on the source: what runs after it there (and after those), or what it runs after; or why that cannot be read. */
type Chain = (PlannedDependents & { readonly parents: readonly string[] }) | { readonly unreadable: string };

/** The source's runs in flight for the job: from the wave's reading of its scope when there is one; undefined when they cannot be read. */
async function runsOf(systems: Systems, sides: Sides, from: BackendName, job: JobDefinition, shared: RunsInFlight | undefined): Promise<{ readonly read: readonly ActiveRun[] | undefined }> {
  const reading = shared ? scopeRuns(systems.to(from), from, job, shared).then((byName) => byName.get(nameOn(job, from)) ?? []) : sides[from].activeRuns();
  return reading.then((read) => ({ read }), () => ({ read: undefined }));
}

function scopeRuns(connection: BackendConnection, system: BackendName, job: JobDefinition, shared: RunsInFlight): Promise<ReadonlyMap<string, readonly ActiveRun[]>> {
  const scope = connection.scopeOf(job);
  const key = `${system}/${scope}`;
  let runs = shared.get(key);
  if (!runs) shared.set(key, (runs = connection.runsInFlight(scope)));
  return runs;
}

/**
 * A wave's reads for the move that is about to start: every system's scope listed, and the
 * source's runs in flight, shared by the jobs that start within `refreshMs` of each other, read
 * again after that. Undefined for a job whose scope could not be listed: its move reads its own.
 */
export function waveReads(systems: Systems, clock: Clock, refreshMs: number): (target: MoveTarget) => Promise<(PlanReads & { readonly from: Date }) | undefined> {
  let batch: { readonly from: Date; readonly listings: Listings; readonly runs: RunsInFlight } | undefined;
  return async (target) => {
    const now = clock.now();
    if (!batch || now.getTime() - batch.from.getTime() > refreshMs) batch = { from: now, listings: new Map(), runs: new Map() };
    const { from, listings, runs } = batch;
    const { job } = target.definition;
    const live: Partial<Record<BackendName, unknown>> = {};
    for (const b of ALL_BACKENDS) {
      if (target.sourceUnreachable && b.name === target.from) continue;
      const listing = await scopeListing(systems.to(b.name), b.name, job, listings);
      if (!listing.ok) return undefined;
      live[b.name] = listing.items.get(nameOn(job, b.name));
    }
    const inFlight = target.sourceUnreachable ? undefined : (await scopeRuns(systems.to(target.from), target.from, job, runs).catch(() => undefined))?.get(nameOn(job, target.from));
    return { live: live as Record<BackendName, unknown>, ...(inFlight ? { runsInFlight: inFlight } : {}), from };
  };
}

/** The listing of the job's scope on `system`, read once per `listings`. */
function scopeListing(connection: BackendConnection, system: BackendName, job: JobDefinition, listings: Listings): Promise<Listing<unknown>> {
  const scope = connection.scopeOf(job);
  const key = `${system}/${scope}`;
  let listing = listings.get(key);
  if (!listing) {
    listing = connection.list([scope]).then((byScope) => byScope.get(scope) ?? { ok: false, error: 'not read' });
    listings.set(key, listing);
  }
  return listing;
}

/** The job's chain in a listing of its scope. */
function chainOf(listing: Listing<unknown>, backend: Backend, job: JobDefinition): Chain | undefined {
  if (!backend.links) return undefined;
  if (!listing.ok) return { unreadable: listing.error };
  const links = backend.links(listing.items);
  const own = links.get(nameOn(job, backend.name));
  const children = own?.children ?? [];
  // Their children stop too (a child that never runs triggers nothing), and theirs.
  const further = new Set<string>();
  const queue = children.flatMap((c) => links.get(c)?.children ?? []);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (next === nameOn(job, backend.name) || children.includes(next) || further.has(next)) continue;
    further.add(next);
    queue.push(...(links.get(next)?.children ?? []));
  }
  return { children, further: [...further].sort(), parents: own?.parents ?? [] };
}

/** What the target cannot carry of the definition; none when it cannot render the job at all (the refusal says why). */
function renderWarnings(job: JobDefinition, to: BackendName, now: Date): readonly TranslationWarning[] {
  try {
    return backendOf(to).render(job, now).warnings;
  } catch {
    return [];
  }
}

function renderedOrNone(render: () => unknown): unknown {
  try {
    return render();
  } catch {
    return undefined;
  }
}

function refuse(input: PlanInput, now: Date, sourceLive: unknown, targetLive: unknown, scheduleRefusal: string | undefined, chain: Chain | undefined): string | undefined {
  const { job } = input.definition;
  const source = backendOf(input.from);
  const target = backendOf(input.to);
  if (input.unfinished) {
    return `an unfinished move of ${job.name} is in the journal (${input.unfinished}). If that process is still running, let it finish; otherwise finish it with \`migrate resume ${job.name}\` or undo it with \`migrate rollback ${job.name}\``;
  }
  if (input.from === input.to) return `${job.name} already runs on ${input.to}`;
  if (scheduleRefusal) return scheduleRefusal;
  if (input.sourceUnreachable) return targetLive !== undefined && target.isEnabled(targetLive) ? `${job.name} is already enabled in ${input.to}` : undefined;
  if (sourceLive === undefined) return `${job.name} does not exist in ${input.from}: there is nothing to move (create it with \`migrate apply ${job.name}\`)`;
  if (job.paused && source.isEnabled(sourceLive)) {
    return `${job.name} is paused in its definition but enabled in ${input.from}: \`migrate apply ${job.name}\` switches it off first (or remove paused: and move it running)`;
  }
  if (!job.paused && !source.isEnabled(sourceLive)) return `${job.name} is not enabled in ${input.from}; \`migrate status ${job.name}\` shows where it runs`;
  if (targetLive !== undefined && target.isEnabled(targetLive)) return `${job.name} is already enabled in ${input.to} too: every slot runs twice now; run \`migrate status\` and disable one side first`;
  if (chain && 'unreadable' in chain) return `cannot tell whether other jobs run after ${job.name} on ${input.from}: ${chain.unreadable}`;
  if (chain?.parents.length) {
    return `${job.name} runs after ${chain.parents.join(', ')} on ${input.from} (a dependent job), not on a schedule of its own: its definition's schedule is not how it runs there. Keep it on ${input.from}`;
  }
  if (chain?.children.length && input.operation === 'move' && !input.orphanDependents) {
    const further = chain.further.length ? `, and after them ${chain.further.join(', ')}` : '';
    return (
      `${chain.children.join(', ')} run${chain.children.length === 1 ? 's' : ''} after ${job.name} on ${input.from}${further}: ${input.to} cannot start a job of ${input.from}, so ${chain.children.length + chain.further.length === 1 ? 'it' : 'they'} would stop running. ` +
      `Move the chain's work into ${job.name}'s command (or give each dependent a schedule of its own) first, or keep the chain on ${input.from}; ` +
      `or pass --orphan-dependents to move it anyway and let them stop`
    );
  }
  if (input.operation !== 'rollback') {
    // Warnings are what the target will not carry: the plan lists them; they do not stop a move.
    const problems = target.lint(job, now).filter((p) => p.severity !== 'warning');
    if (problems.length) return `${job.name} cannot run on ${input.to}: ${problems.map((p) => p.message).join('; ')}`;
  }
  return undefined;
}
