/**
 * `migrate apply [job...]`: bring each job's declared backend in line with its definition, after
 * a preview (the same diff as `migrate diff`) and a confirmation. Each backend writes it so that
 * the write neither runs nor skips a slot (`BackendConnection.apply`). It never touches the other system, and refuses a job that
 * is enabled there (that would run every slot twice: `migrate move` is the way across).
 */
import type { CommandModule } from 'yargs';
import { ALL_BACKENDS, backendOf } from '../../../backends/index.js';
import { UserError } from '../../core/errors.js';
import { nameOn, type JobDefinition } from '../../core/job.js';
import { unfinishedMoves } from '../../core/journal.js';
import { diffLive, sortKeys } from '../../core/live-diff.js';
import { confirm } from '../confirm.js';
import { openConnections, type Connections } from '../connections.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import { useColor, type CliIO } from '../io.js';
import { projectJournal, readJournal } from '../journal-file.js';
import { declaredSides, everywhere, listingOf, readLiveSnapshot, scopesOf, translationWarnings, type JobScopes, type LiveSnapshot } from '../live-view.js';
import type { ExitHolder } from '../exit.js';
import { selectDefinitions } from '../workspace.js';

interface ApplyArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly 'dry-run': boolean;
}

/** One job's step; the plan is plain data, rendered with + ~ = ! glyphs. `scope` is the job's on its declared backend. */
export type ApplyStep =
  | {
      readonly kind: 'create' | 'update';
      readonly job: JobDefinition;
      readonly scope: string;
      readonly patch: string;
      /** What the plan was made from (the declared side as compared, normalised): a re-read must find the same. */
      readonly basis: string;
    }
  | { readonly kind: 'unchanged'; readonly job: JobDefinition; readonly scope: string }
  | { readonly kind: 'refused'; readonly job: JobDefinition; readonly scope: string; readonly reason: string };

type Change = Extract<ApplyStep, { kind: 'create' | 'update' }>;

const GLYPH: Record<ApplyStep['kind'], string> = { create: '+', update: '~', unchanged: '=', refused: '!' };

/** The one output, as `-o` is refused. */
const PRINTS = 'the diff of each change and a summary';

export function applyCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ApplyArgs> {
  return {
    command: 'apply [jobs..]',
    describe:
      'bring each job\'s declared backend in line with its definition (preview, then confirm; --yes skips). ' +
      'Never enables a job in the other system. Exit 0 applied, or nothing to do; 1 an error, a refusal or a cancel',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the preview and stop' })
        .describe('output', oneFormatHelp(PRINTS)),
    handler: async (args) => {
      refuseOutputFormat(args, 'apply', PRINTS);
      const { ws, definitions } = selectDefinitions(io, args, args.jobs);
      const conn = openConnections(io, args, ws.project, { forceConflicts: true });
      const jobs = definitions.map((d) => d.job);
      const scopes = scopesOf(conn, everywhere(jobs));
      const unusable = ALL_BACKENDS.find((b) => scopes.errors[b.name] !== undefined);
      if (unusable) throw new UserError(`cannot use the ${unusable.title} configuration: ${scopes.errors[unusable.name]}`, `apply checks both systems before it changes one; fix ${unusable.configuredBy}.`);
      // Read as `move` reads it: a damaged journal could hide an unfinished move of a job applied here.
      const inFlight = unfinishedMoves(readJournal(projectJournal(io, args)));
      const snapshot = await readLiveSnapshot(conn, scopes);
      const plan = jobs.map((job) =>
        inFlight.has(job.name)
          ? ({ kind: 'refused', job, scope: scopes.of(job.backend, job), reason: `a move of it is unfinished; finish it with \`migrate resume ${job.name}\` or undo it with \`migrate rollback ${job.name}\`` } as const)
          : planApply(job, scopes, snapshot, useColor(io, args.color)),
      );

      for (const step of plan) {
        if (step.kind !== 'create' && step.kind !== 'update') continue;
        // At the instant the plan rendered the job (the listing's server time): the proof is remembered.
        const listing = listingOf(snapshot, scopes, step.job.backend, step.job);
        for (const w of translationWarnings(step.job, listing.ok ? listing.now : io.clock.now())) io.stderr.write(`warning: ${step.job.name}: ${w.message}\n`);
        io.stdout.write(step.patch);
      }
      for (const step of plan) io.stdout.write(`${GLYPH[step.kind]} ${where(step)}: ${describe(step)}\n`);
      const changes = plan.filter((s): s is Change => s.kind === 'create' || s.kind === 'update');
      const refused = plan.filter((s) => s.kind === 'refused').length;
      io.stdout.write(`\n${summary(plan)}\n`);
      exit.code = refused ? 1 : 0;
      if (changes.length === 0) return;
      if (args['dry-run']) {
        io.stdout.write('Dry run: nothing changed.\n');
        return;
      }

      const command = `migrate apply ${args.jobs.join(' ')}`.trim();
      if (!(await confirm(io, { yes: args.yes, question: `Apply these changes to ${changes.length} job${changes.length === 1 ? '' : 's'}?`, command }))) {
        io.stderr.write('Apply cancelled: nothing was changed.\n');
        exit.code = 1;
        return;
      }
      // Confirmation can take minutes: re-read, and refuse a plan whose basis changed (terraform's stale plan).
      const fresh = await readLiveSnapshot(conn, scopes);
      const stale = changes.filter((step) => {
        const again = planApply(step.job, scopes, fresh, false);
        return again.kind !== step.kind || again.basis !== step.basis;
      });
      if (stale.length) {
        throw new UserError(
          `the live state changed since the preview: ${stale.map(where).join(', ')}; nothing was applied`,
          `Re-run \`${command}\` to see the new plan.`,
        );
      }
      for (const step of changes) {
        await conn.to(step.job.backend).apply(step.job, step.scope);
        io.stdout.write(`${where(step)}: ${step.kind === 'create' ? 'created' : 'updated'}\n`);
      }
    },
  };
}

function where(step: ApplyStep): string {
  return backendOf(step.job.backend).livePath(nameOn(step.job, step.job.backend), step.scope);
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

/** Pure: what apply would do to one job, given every backend's listings. */
function planApply(job: JobDefinition, scopes: JobScopes, snapshot: LiveSnapshot, color: boolean): ApplyStep {
  const scope = scopes.of(job.backend, job);
  for (const other of ALL_BACKENDS.filter((b) => b.name !== job.backend)) {
    const listing = listingOf(snapshot, scopes, other.name, job);
    if (!listing.ok) {
      return { kind: 'refused', job, scope, reason: `${other.name} could not be read (${listing.error}), so a double run cannot be ruled out; re-run when it answers${listing.hint ? ` (${listing.hint})` : ''}` };
    }
    const twin = listing.items.get(nameOn(job, other.name));
    if (twin !== undefined && other.isEnabled(twin)) {
      return { kind: 'refused', job, scope, reason: `it is enabled on ${other.name}; enabling it here too would run every slot twice. Use \`migrate move ${job.name} --to ${job.backend}\`` };
    }
  }
  const listing = listingOf(snapshot, scopes, job.backend, job);
  if (!listing.ok) return { kind: 'refused', job, scope, reason: `${job.backend} could not be read: ${listing.error}${listing.hint ? ` (${listing.hint})` : ''}` };
  const live = listing.items.get(nameOn(job, job.backend));
  const refusal = live === undefined ? undefined : backendOf(job.backend).applyRefusal(live);
  if (refusal) return { kind: 'refused', job, scope, reason: refusal };
  let sides;
  try {
    sides = declaredSides(job, scope, live, listing.now);
  } catch (err) {
    return { kind: 'refused', job, scope, reason: err instanceof UserError ? err.summary : String(err) };
  }
  const d = diffLive(sides, { color });
  if (!d.changed) return { kind: 'unchanged', job, scope };
  return { kind: live ? 'update' : 'create', job, scope, patch: d.patch, basis: basisOf(job, scope, live, listing.now) };
}

/**
 * The live object as compared, without what changes at every run: normalised first (run
 * counters and a start moved at each launch: a diff shows the start as written, so the grid's anchor stands in).
 */
function basisOf(job: JobDefinition, scope: string, live: unknown, now: Date): string {
  if (live === undefined) return 'absent';
  return JSON.stringify(sortKeys(declaredSides(job, scope, backendOf(job.backend).normalize(live), now).live));
}
