/**
 * The shared recipe of `move` and `rollback` at the CLI: plan every job (actions), print the
 * plans, confirm once, apply exactly those plans (actions), print the outcomes.
 */
import { applyMoves, planMoves, type MoveOutcome } from '../actions/moves.js';
import { waveReads, type MoveTarget } from '../actions/move-setup.js';
import { FRESH_PLAN_MS } from '../actions/move.js';
import { ExitCode } from '../core/errors.js';
import { toRfc3339 } from '../core/time.js';
import { loadActionConfig } from './action-config.js';
import type { ActionConfig } from '../actions/config.js';
import { confirm } from './confirm.js';
import { mapLimited } from '../core/concurrency.js';
import type { GlobalArgs } from './global-args.js';
import { useColor, type CliIO } from './io.js';
import { isStructured, renderPlans } from './plan-output.js';
import type { CapacityBreach } from '../core/load.js';
import { renderWaveOutcomes, waveProgress } from './wave-progress.js';
import type { Workspace } from './workspace.js';

export type { MoveTarget } from '../actions/move-setup.js';

export interface RunMovesOptions {
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Rehearsal on a virtual-clock sandbox: advance its clock instead of waiting in real time. */
  readonly advanceSandbox: boolean;
  /** The command line to repeat, for hints. */
  readonly commandLine: string;
  /** After the move, wait for the target's first run inside the start window and report it. */
  readonly watch?: boolean;
  /** With watch: roll back when that first run does not come. */
  readonly autoRollback?: boolean;
  /** A wave (more than one job): each job's full plan after the summary. */
  readonly details?: boolean;
  /** The minutes the wave pushes above its target's capacity: each plan shows those its job starts in. */
  readonly capacity?: readonly CapacityBreach[];
  /** The configuration the command loaded already (rollback's decision): its connections and shared-record reading are reused. */
  readonly reuse?: ActionConfig;
}

export async function runMoves(io: CliIO, args: GlobalArgs, ws: Workspace, targets: readonly MoveTarget[], options: RunMovesOptions): Promise<number> {
  const progress = waveProgress(io);
  const config = await loadActionConfig({ ...io, stderr: progress.stderr }, args, ws, { advanceSandbox: options.advanceSandbox, report: progress.event, ...(options.reuse ? { reuse: options.reuse } : {}) }, targets.map((t) => t.definition.job));
  const structured = isStructured(args.output);
  const planned = await planMoves(config, targets, options.concurrency);
  const shown = planned.map(({ planned: { plan } }) => {
    const capacity = (options.capacity ?? []).filter((b) => b.moving.includes(plan.job));
    return capacity.length ? { ...plan, capacity } : plan;
  });
  io.stdout.write(renderPlans(shown, { format: args.output ?? 'table', color: useColor(io, args.color), details: options.details ?? false }));

  const runnable = planned.filter((p) => !p.planned.plan.refusal);
  const refused = planned.length - runnable.length;
  if (options.dryRun || runnable.length === 0) {
    if (!structured) io.stdout.write(options.dryRun ? `Dry run: nothing changed.${refused ? ` ${refused} of ${planned.length} would be refused.` : ''}\n` : 'Nothing to do: every job was refused.\n');
    return refused ? ExitCode.Error : ExitCode.Ok;
  }
  const verb = targets[0]?.operation === 'rollback' ? 'Roll back' : 'Move';
  const go = await confirm(io, { yes: args.yes, question: `${verb} ${runnable.length} job${runnable.length === 1 ? '' : 's'} as planned above?`, command: options.commandLine });
  if (!go) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return ExitCode.Error;
  }

  // A wave's moves start long after its plans read: they share reads made again as they go.
  const freshReads = args.yes && runnable.length > 1 ? waveReads(config.systems, config.clock, FRESH_PLAN_MS / 2) : undefined;
  // One job at a time through applyMoves, so each job's end is counted as it comes.
  progress.start(runnable.map((p) => p.target.definition.job.name));
  const outcomes = await mapLimited(runnable, options.concurrency, async (p) => {
    for (const outcome of await applyMoves(config, [p], { ...options, concurrency: 1, unconfirmed: args.yes, ...(freshReads ? { freshReads } : {}) })) {
      progress.finished(outcome);
      return outcome;
    }
    throw new Error(`no outcome for ${p.target.definition.job.name}`);
  }).finally(() => progress.close());
  for (const o of outcomes) {
    if (o.ok && o.result?.definitionDiff) io.stdout.write(`\n${o.result.definitionDiff}`);
  }
  io.stdout.write('\n');
  // A forced rollback went ahead without disabling its source: the outcome says so, not only the progress.
  const leftEnabled = (o: MoveOutcome) => {
    const plan = runnable.find((p) => p.target.definition.job.name === o.job)?.planned.plan;
    return o.result && plan?.sourceUnreachable ? { source: plan.from, from: o.result.outcome.firstSlot } : undefined;
  };
  const notDisabled = (o: MoveOutcome) => {
    const left = leftEnabled(o);
    return left ? `  ${left.source} was NOT disabled (it did not answer): if it still runs ${o.job}, slots from ${toRfc3339(left.from)} may run twice until it is disabled by hand.\n` : '';
  };
  if (planned.length > 1) {
    // A wave: every job's outcome in one table (refused ones too), then what the failures said in full.
    const byJob = new Map(outcomes.map((o) => [o.job, o]));
    const rows = planned.map(({ planned: { plan } }) => {
      const o = byJob.get(plan.job);
      if (plan.refusal || !o) return { job: plan.job, outcome: 'refused' as const, message: plan.refusal ?? '' };
      return { job: plan.job, outcome: o.ok ? ('done' as const) : ('FAILED' as const), message: o.message };
    });
    io.stdout.write(renderWaveOutcomes(rows));
    for (const o of outcomes) if (!o.ok || leftEnabled(o)) io.stdout.write(`\n${o.ok ? 'done' : 'FAILED'}: ${o.message}\n${notDisabled(o)}`);
    io.stdout.write('\n');
  } else {
    for (const o of outcomes) io.stdout.write(`${o.ok ? 'done' : 'FAILED'}: ${o.message}\n${notDisabled(o)}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length + refused;
  const sourcesLeft = outcomes.filter(leftEnabled).length;
  io.stdout.write(`${outcomes.filter((o) => o.ok).length} done, ${failed} failed or refused${sourcesLeft ? `; ${sourcesLeft} with the source NOT disabled` : ''}.\n`);
  if (outcomes.some((o) => o.ok && o.result?.definitionDiff)) io.stdout.write('The definition files changed as shown above: review and commit them.\n');
  return failed ? ExitCode.Error : ExitCode.Ok;
}
