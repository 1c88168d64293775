/**
 * Everything a move needs before its first side effect: both sides for the job, what the target
 * must look like, and the plan shown to the operator (diffs for both systems, dropped fields,
 * the schedule verdict, the handoff, runs in flight, and the basis that detects a stale plan).
 */
import { createHash } from 'node:crypto';
import { chronosCutoverSide } from '../../backends/chronos/cutover.js';
import type { ChronosJob } from '../../backends/chronos/model.js';
import { readChronosJob } from '../../backends/chronos/model.js';
import { normalizeChronosJob } from '../../backends/chronos/normalize.js';
import { lintForChronos, renderChronosJob } from '../../backends/chronos/render.js';
import { cronToChronosCached } from '../core/schedule/translate.js';
import { kubernetesCutoverSide } from '../../backends/kubernetes/cutover.js';
import { normalizeCronJob } from '../../backends/kubernetes/normalize.js';
import { lintForKubernetes, renderCronJob, type CronJobManifest } from '../../backends/kubernetes/render.js';
import type { TranslationWarning } from '../core/backend.js';
import type { CutoverSide } from '../core/cutover.js';
import type { LoadedDefinition } from '../core/definition.js';
import { planHandoff } from '../core/handoff.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import type { MoveOperation } from '../core/journal.js';
import { diffLive, livePath } from '../core/live-diff.js';
import type { MovePlan } from '../core/move-plan.js';
import { restorableSnapshot } from '../core/secrets.js';
import { planNextFireTimes } from '../core/next-fire-times.js';
import type { ChronosClient } from '../../backends/chronos/client.js';
import type { KubernetesClient } from '../../backends/kubernetes/client.js';

export interface Sides {
  readonly chronos: CutoverSide<ChronosJob>;
  readonly kubernetes: CutoverSide<CronJobManifest>;
}

/** The clients a move needs; the CLI's connections provide them. */
export interface SystemClients {
  chronos(): ChronosClient;
  kubernetes(namespace?: string): KubernetesClient;
}

export function sidesFor(connections: SystemClients, job: JobDefinition): Sides {
  return {
    chronos: chronosCutoverSide(connections.chronos(), job.name),
    kubernetes: kubernetesCutoverSide(connections.kubernetes(job.namespace), job.name),
  };
}

/**
 * The target as it must run: rendered from the definition; for a rollback, the copy the move
 * left disabled there (fields the definition does not carry included), or, if that copy is
 * gone, the journal's before-snapshot (unless secrets were masked in it: those cannot be
 * restored from the journal, so the definition is rendered instead).
 */
export function desiredTargetFor(job: JobDefinition, to: BackendName, operation: MoveOperation, now: () => Date, snapshot?: unknown): (targetLive: unknown) => unknown {
  const restorable = operation === 'rollback' ? restorableSnapshot(snapshot) : undefined;
  if (to === 'kubernetes') {
    return (live) => (operation === 'rollback' && (live ?? restorable) ? (live ?? restorable) : renderCronJob(job).manifest);
  }
  return (live) => {
    const kept = (live ?? (operation === 'rollback' ? restorable : undefined)) as ChronosJob | undefined;
    if (operation === 'rollback' && kept) return kept;
    const body = renderChronosJob(job, now(), cronToChronosCached).manifest;
    // Keep the live job's history: a POST without counters resets them (chronos-api.md §7 trap 7).
    const counters = kept
      ? { successCount: kept.successCount, errorCount: kept.errorCount, lastSuccess: kept.lastSuccess, lastError: kept.lastError, errorsSinceLastSuccess: kept.errorsSinceLastSuccess }
      : {};
    return readChronosJob({ ...body, ...counters }, { now: now() });
  };
}

export interface PlanInput {
  readonly definition: LoadedDefinition;
  readonly from: BackendName;
  readonly to: BackendName;
  readonly operation: MoveOperation;
  readonly guardSeconds: number;
  readonly sides: Sides;
  /** Set when the journal has an unfinished move for this job. */
  readonly unfinished?: string;
  /** A forced rollback away from a system that does not answer: it is neither read nor changed. */
  readonly sourceUnreachable?: boolean;
  /** For a rollback: the journal's before-snapshot of the system the job returns to. */
  readonly snapshot?: unknown;
}

export interface PlannedMove {
  readonly plan: MovePlan;
  readonly desiredTarget: (targetLive: unknown) => unknown;
}

export async function planMove(input: PlanInput): Promise<PlannedMove> {
  const { job } = input.definition;
  const { sides, from, to } = input;
  const skip = (system: BackendName) => input.sourceUnreachable && system === from;
  const [chronosLive, kubernetesLive] = await Promise.all([
    skip('chronos') ? undefined : sides.chronos.read(),
    skip('kubernetes') ? undefined : sides.kubernetes.read(),
  ]);
  // The reads just carried the servers' Date headers: no separate call for the time.
  const now = (skip('kubernetes') ? sides.chronos : sides.kubernetes).serverClock().now();
  const live = { chronos: chronosLive, kubernetes: kubernetesLive } as Record<BackendName, unknown>;
  const desiredTarget = desiredTargetFor(job, to, input.operation, () => now, input.snapshot);
  const fireTimes = planNextFireTimes(job, now, 3);
  const handoff = planHandoff(job.schedule, job.timezone, now, input.guardSeconds);
  const source = sides[from] as CutoverSide;
  const target = sides[to] as CutoverSide;
  const sourceLive = live[from];
  const targetLive = live[to];

  const refusal = refuse(input, now, sourceLive, targetLive, source, target, fireTimes.verdict.kind === 'equivalent' ? undefined : fireTimes.verdict.reason);
  const desired = refusal && to === 'chronos' && fireTimes.verdict.kind !== 'equivalent' ? undefined : desiredTarget(targetLive);
  const normalize = (system: BackendName, o: unknown) =>
    o === undefined ? undefined : system === 'chronos' ? normalizeChronosJob(o as ChronosJob) : normalizeCronJob(o as CronJobManifest);
  const label = (kind: string, system: BackendName) => `${kind} ${livePath(system, job.name, job.namespace)}`;
  const sourceDiff = diffLive({
    liveLabel: label('LIVE', from),
    desiredLabel: label('AFTER', from),
    live: normalize(from, sourceLive),
    desired: normalize(from, sourceLive === undefined ? undefined : withEnabled(from, sourceLive, false)),
  }).patch;
  const targetDiff = diffLive({
    liveLabel: label('LIVE', to),
    desiredLabel: label('DESIRED', to),
    live: normalize(to, targetLive),
    desired: normalize(to, desired === undefined ? undefined : withEnabled(to, desired, true)),
  }).patch;
  const warnings: readonly TranslationWarning[] =
    input.operation === 'rollback' ? [] : to === 'chronos' && !refusal ? renderChronosJob(job, now, cronToChronosCached).warnings : to === 'kubernetes' ? renderCronJob(job).warnings : [];
  const runsInFlight = sourceLive !== undefined && !input.sourceUnreachable ? await source.activeRuns().catch(() => []) : [];
  return {
    plan: {
      job: job.name,
      timezone: job.timezone,
      operation: input.operation,
      from,
      to,
      handoff,
      fireTimes,
      warnings,
      sourceDiff,
      targetDiff,
      runsInFlight,
      refusal,
      basis: basisOf(normalize('chronos', chronosLive), normalize('kubernetes', kubernetesLive)),
    },
    desiredTarget,
  };
}

/** The digest of both live objects, normalised so a Chronos schedule rewrite after a run is not "a change". */
export function basisOf(chronos: unknown, kubernetes: unknown): string {
  return createHash('sha256').update(JSON.stringify([chronos ?? null, kubernetes ?? null])).digest('hex').slice(0, 16);
}

export async function currentBasis(sides: Sides): Promise<string> {
  const [c, k] = await Promise.all([sides.chronos.read(), sides.kubernetes.read()]);
  return basisOf(c && normalizeChronosJob(c), k && normalizeCronJob(k));
}

function refuse(input: PlanInput, now: Date, sourceLive: unknown, targetLive: unknown, source: CutoverSide, target: CutoverSide, scheduleProblem: string | undefined): string | undefined {
  const { job } = input.definition;
  if (input.unfinished) {
    return `an unfinished move of ${job.name} is in the journal (${input.unfinished}). If that process is still running, let it finish; otherwise finish it with \`migrate resume ${job.name}\` or undo it with \`migrate rollback ${job.name}\``;
  }
  if (input.from === input.to) return `${job.name} already runs on ${input.to}`;
  if (scheduleProblem && (input.to === 'chronos' || input.from === 'chronos')) return `Chronos cannot run this schedule exactly: ${scheduleProblem}`;
  if (input.sourceUnreachable) return targetLive !== undefined && target.isEnabled(targetLive) ? `${job.name} is already enabled in ${input.to}` : undefined;
  if (sourceLive === undefined) return `${job.name} does not exist in ${input.from}: there is nothing to move (create it with \`migrate apply ${job.name}\`)`;
  if (!source.isEnabled(sourceLive)) return `${job.name} is not enabled in ${input.from}; \`migrate status ${job.name}\` shows where it runs`;
  if (targetLive !== undefined && target.isEnabled(targetLive)) return `${job.name} is already enabled in ${input.to} too: every slot runs twice now; run \`migrate status\` and disable one side first`;
  if (input.operation !== 'rollback') {
    const problems = input.to === 'kubernetes' ? lintForKubernetes(job) : lintForChronos(job, now);
    if (problems.length) return `${job.name} cannot run on ${input.to}: ${problems.map((p) => p.message).join('; ')}`;
  }
  return undefined;
}

/** The object as it reads with the job switched on or off in its system. */
function withEnabled(system: BackendName, o: unknown, enabled: boolean): unknown {
  if (system === 'chronos') return { ...(o as ChronosJob), disabled: !enabled };
  const cj = o as CronJobManifest;
  return { ...cj, spec: { ...cj.spec, suspend: !enabled } };
}
