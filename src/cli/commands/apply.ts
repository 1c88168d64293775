/**
 * `migrate apply [job...]`: bring each job's declared backend in line with its definition, after
 * a preview (the same diff as `migrate diff`) and a confirmation. Kubernetes gets a server-side
 * apply as field manager `migrate`; Chronos gets a POST whose schedule starts at a future slot
 * and which keeps the live counters. It never touches the other system, and refuses a job that
 * is enabled there (that would run every slot twice: `migrate move` is the way across).
 */
import type { CommandModule } from 'yargs';
import type { ChronosJob } from '../../../backends/chronos/model.js';
import { canonicalSchedule } from '../../../backends/chronos/schedule.js';
import { normalizeChronosJob } from '../../../backends/chronos/normalize.js';
import { CONTAINER_NAME, type CronJobManifest } from '../../../backends/kubernetes/render.js';
import { UserError } from '../../core/errors.js';
import type { JobDefinition } from '../../core/job.js';
import { unfinishedMoves } from '../../core/journal.js';
import { diffLive, livePath, sortKeys } from '../../core/live-diff.js';
import { confirm } from '../confirm.js';
import { openConnections, type Connections } from '../connections.js';
import { refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { projectJournal, readJournal } from '../journal-file.js';
import { declaredListing, declaredSides, desiredChronosJob, desiredCronJob, namespacesOf, normalizeCronJobForDiff, readLiveSnapshot, translationWarnings, type LiveSnapshot } from '../live-view.js';
import type { ExitHolder } from '../run.js';
import { selectDefinitions } from '../workspace.js';

interface ApplyArgs extends GlobalArgs {
  readonly jobs: readonly string[];
}

/** One job's step; the plan is plain data, rendered with + ~ = ! glyphs. */
export type ApplyStep =
  | {
      readonly kind: 'create' | 'update';
      readonly job: JobDefinition;
      readonly namespace: string;
      readonly patch: string;
      /** What the plan was made from (the declared side as compared, normalised): a re-read must find the same. */
      readonly basis: string;
    }
  | { readonly kind: 'unchanged'; readonly job: JobDefinition; readonly namespace: string }
  | { readonly kind: 'refused'; readonly job: JobDefinition; readonly namespace: string; readonly reason: string };

type Change = Extract<ApplyStep, { kind: 'create' | 'update' }>;

const GLYPH: Record<ApplyStep['kind'], string> = { create: '+', update: '~', unchanged: '=', refused: '!' };

export function applyCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ApplyArgs> {
  return {
    command: 'apply [jobs..]',
    describe:
      'bring each job\'s declared backend in line with its definition (preview, then confirm; --yes skips). ' +
      'Never enables a job in the other system. Exit 0 applied, or nothing to do; 1 an error, a refusal or a cancel',
    builder: (y) => y.positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' }),
    handler: async (args) => {
      refuseOutputFormat(args, 'apply', 'the diff of each change and a summary');
      const { ws, definitions } = selectDefinitions(io, args, args.jobs);
      const conn = openConnections(io, args, ws.project, { forceConflicts: true });
      const jobs = definitions.map((d) => d.job);
      const ns = namespacesOf(conn, jobs);
      if (ns.error) throw new UserError(`cannot use the Kubernetes configuration: ${ns.error}`, 'apply checks both systems before it changes one; fix the kubeconfig (--kubeconfig, --context).');
      // Read as `move` reads it: a damaged journal could hide an unfinished move of a job applied here.
      const inFlight = unfinishedMoves(readJournal(projectJournal(io, args)));
      const snapshot = await readLiveSnapshot(conn, ns.namespaces);
      const plan = jobs.map((job) =>
        inFlight.has(job.name)
          ? ({ kind: 'refused', job, namespace: ns.namespaceOf(job), reason: `a move of it is unfinished; finish it with \`migrate resume ${job.name}\` or undo it with \`migrate rollback ${job.name}\`` } as const)
          : planApply(job, ns.namespaceOf(job), snapshot, useColor(io, args.color)),
      );

      for (const step of plan) {
        if (step.kind !== 'create' && step.kind !== 'update') continue;
        // At the instant the plan rendered the job (the listing's server time): the proof is remembered.
        const listing = declaredListing(snapshot, step.job, step.namespace);
        for (const w of translationWarnings(step.job, listing.ok ? listing.now : io.clock.now())) io.stderr.write(`warning: ${step.job.name}: ${w.message}\n`);
        io.stdout.write(step.patch);
      }
      for (const step of plan) io.stdout.write(`${GLYPH[step.kind]} ${livePath(step.job.backend, step.job.name, step.namespace)}: ${describe(step)}\n`);
      const changes = plan.filter((s): s is Change => s.kind === 'create' || s.kind === 'update');
      const refused = plan.filter((s) => s.kind === 'refused').length;
      io.stdout.write(`\n${summary(plan)}\n`);
      exit.code = refused ? 1 : 0;
      if (changes.length === 0) return;

      const command = `migrate apply ${args.jobs.join(' ')}`.trim();
      if (!(await confirm(io, { yes: args.yes, question: `Apply these changes to ${changes.length} job${changes.length === 1 ? '' : 's'}?`, command }))) {
        io.stderr.write('Apply cancelled: nothing was changed.\n');
        exit.code = 1;
        return;
      }
      // Confirmation can take minutes: re-read, and refuse a plan whose basis changed (terraform's stale plan).
      const fresh = await readLiveSnapshot(conn, ns.namespaces);
      const stale = changes.filter((step) => {
        const again = planApply(step.job, step.namespace, fresh, false);
        return again.kind !== step.kind || again.basis !== step.basis;
      });
      if (stale.length) {
        throw new UserError(
          `the live state changed since the preview: ${stale.map((st) => livePath(st.job.backend, st.job.name, st.namespace)).join(', ')}; nothing was applied`,
          `Re-run \`${command}\` to see the new plan.`,
        );
      }
      for (const step of changes) {
        await execute(conn, step);
        io.stdout.write(`${livePath(step.job.backend, step.job.name, step.namespace)}: ${step.kind === 'create' ? 'created' : 'updated'}\n`);
      }
    },
  };
}

function describe(step: ApplyStep): string {
  switch (step.kind) {
    case 'create': return 'will be created';
    case 'update': return 'will be updated';
    case 'unchanged': return 'matches its definition';
    case 'refused': return `refused: ${step.reason}`;
  }
}

function summary(plan: readonly ApplyStep[]): string {
  const n = (k: ApplyStep['kind']) => plan.filter((s) => s.kind === k).length;
  if (n('create') + n('update') === 0) {
    return n('unchanged') === 0 && n('refused') > 0 ? `No changes: ${n('refused')} refused (see above).` : `No changes: ${n('unchanged')} job(s) match their definitions${n('refused') ? `, ${n('refused')} refused` : ''}.`;
  }
  return `Plan: ${n('create')} to create, ${n('update')} to update, ${n('unchanged')} unchanged${n('refused') ? `, ${n('refused')} refused` : ''}.`;
}

/** Pure: what apply would do to one job, given both systems' listings. */
export function planApply(job: JobDefinition, namespace: string, snapshot: LiveSnapshot, color: boolean): ApplyStep {
  const other = job.backend === 'chronos' ? snapshot.kubernetes.get(namespace) : snapshot.chronos;
  const otherName = job.backend === 'chronos' ? 'kubernetes' : 'chronos';
  if (!other?.ok) {
    return { kind: 'refused', job, namespace, reason: `${otherName} could not be read (${other?.error ?? 'not read'}), so a double run cannot be ruled out; re-run when it answers${other && !other.ok && other.hint ? ` (${other.hint})` : ''}` };
  }
  const twin = other.items.get(job.name) as ChronosJob | CronJobManifest | undefined;
  const twinEnabled = twin !== undefined && ('spec' in twin ? twin.spec.suspend !== true : !(twin as ChronosJob).disabled);
  if (twinEnabled) {
    return { kind: 'refused', job, namespace, reason: `it is enabled on ${otherName}; enabling it here too would run every slot twice. Use \`migrate move ${job.name} --to ${job.backend}\`` };
  }
  const listing = declaredListing(snapshot, job, namespace);
  if (!listing.ok) return { kind: 'refused', job, namespace, reason: `${job.backend} could not be read: ${listing.error}${listing.hint ? ` (${listing.hint})` : ''}` };
  const live = listing.items.get(job.name);
  const containers = (live as CronJobManifest | undefined)?.spec?.jobTemplate?.spec?.template?.spec?.containers;
  if (job.backend === 'kubernetes' && containers && containers.some((c) => c.name !== CONTAINER_NAME)) {
    // Containers merge by name: applying "main" beside another container would run both.
    return { kind: 'refused', job, namespace, reason: `its container is named ${containers.map((c) => `"${c.name}"`).join(', ')}, not "${CONTAINER_NAME}"; server-side apply would add a second container. Rename it, or delete the CronJob and apply again` };
  }
  let sides;
  try {
    sides = declaredSides(job, namespace, live, listing.now);
  } catch (err) {
    return { kind: 'refused', job, namespace, reason: err instanceof UserError ? err.summary : String(err) };
  }
  const d = diffLive(sides, { color });
  if (!d.changed) return { kind: 'unchanged', job, namespace };
  return { kind: live ? 'update' : 'create', job, namespace, patch: d.patch, basis: basisOf(job, live) };
}

/** The live object as compared, without what changes at every run (Chronos counters and start). */
function basisOf(job: JobDefinition, live: ChronosJob | CronJobManifest | undefined): string {
  if (!live) return 'absent';
  const normalized = job.backend === 'chronos' ? normalizeChronosJob(live as ChronosJob) : normalizeCronJobForDiff(live as CronJobManifest);
  return JSON.stringify(sortKeys(normalized));
}

async function execute(conn: Connections, step: Change): Promise<void> {
  const { job, namespace } = step;
  if (job.backend === 'kubernetes') {
    await conn.kubernetes(namespace).apply(desiredCronJob(job, namespace));
    return;
  }
  const client = conn.chronos();
  // Read just before the POST: a run since the listing moved the start and the counters, and an
  // old start (now in the past) posted back would make Chronos run the job at once. The read also
  // sets the server clock, which picks the next slot.
  const live = await client.read(job.name);
  await client.post(chronosBody(job, live, client.serverClock().now()));
}

/**
 * The job to POST: the definition rendered with its start at the next slot after `now`, carrying
 * the live counters and last run times (a POST replaces them). When the live job is enabled on
 * the same grid, its schedule string is kept as is: its start is its next run (possibly one due
 * right now), and moving it would skip or add a slot.
 */
export function chronosBody(job: JobDefinition, live: ChronosJob | undefined, now: Date): ChronosJob {
  const desired = desiredChronosJob(job, now);
  if (!live) return desired;
  const counters = {
    successCount: live.successCount,
    errorCount: live.errorCount,
    errorsSinceLastSuccess: live.errorsSinceLastSuccess,
    lastSuccess: live.lastSuccess,
    lastError: live.lastError,
  };
  const sameGrid =
    live.schedule !== undefined &&
    canonicalSchedule(live.schedule, live.scheduleTimeZone ?? '') === canonicalSchedule(desired.schedule!, desired.scheduleTimeZone ?? '') &&
    (live.scheduleTimeZone ?? '') === (desired.scheduleTimeZone ?? '');
  return { ...desired, ...counters, ...(sameGrid && !live.disabled ? { schedule: live.schedule } : {}) };
}
