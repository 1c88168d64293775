/**
 * A move's plan is a value: computed, shown, confirmed, then executed (terraform's shape).
 * It carries its basis (a digest of what it read), so execution can refuse a stale plan.
 */
import { DateTime } from 'luxon';
import type { ActiveRun, TranslationWarning } from './backend.js';
import type { Handoff } from './handoff.js';
import type { BackendName } from './job.js';
import { capacityWarningLines, type CapacityBreach } from './load.js';
import type { MoveOperation } from './journal.js';
import { colorizePatch } from './live-diff.js';
import { referenceSchedule, type NextFireTimes } from './next-fire-times.js';
import { intlZone } from './schedule/cron.js';
import { toRfc3339 } from './time.js';

export interface MovePlan {
  readonly job: string;
  readonly timezone: string;
  readonly operation: MoveOperation;
  readonly from: BackendName;
  readonly to: BackendName;
  /** How the target is switched on, in the target backend's words. */
  readonly enableStrategy: string;
  readonly handoff: Handoff;
  readonly fireTimes: NextFireTimes;
  readonly warnings: readonly TranslationWarning[];
  /** Unified diffs, secrets masked: what changes in the source and in the target. */
  readonly sourceDiff: string;
  readonly targetDiff: string;
  readonly runsInFlight: readonly ActiveRun[];
  /**
   * A forced rollback whose source does not answer: it cannot be disabled, so it is left as it
   * is, and the slots from the handoff on may run twice until someone disables it by hand.
   */
  readonly sourceUnreachable?: boolean;
  /** Why this move cannot go ahead; nothing changes when set. */
  readonly refusal?: string;
  /** A digest of both live objects as read (normalised): a different digest later means stale. */
  readonly basis: string;
  /** The definition says paused: no slot is owed, there is no handoff to wait for, and the target is written switched off. */
  readonly paused?: boolean;
  /** Jobs chained after this one on the source, which stop running once it has moved. */
  readonly dependents?: PlannedDependents;
  /** Minutes the wave pushes above the target's `capacity.startsPerMinute` in which this job starts (migrate load). */
  readonly capacity?: readonly CapacityBreach[];
}

/** The jobs that run after a job's runs on its source (`Backend.links`), and after those. */
export interface PlannedDependents {
  /** They run after the job itself. */
  readonly children: readonly string[];
  /** They run after one of the children (or after theirs): they stop as well. */
  readonly further: readonly string[];
}

/**
 * The plan as the operator reads it before confirming; `color`: the diffs as `diff` colours them;
 * `closing: false`: without its closing `Plan:` line (a wave ends with one for all its jobs).
 */
export function renderMovePlanHuman(plan: MovePlan, options: { readonly color?: boolean; readonly closing?: boolean } = {}): string {
  const diff = (patch: string) => indent(patch ? (options.color ? colorizePatch(patch) : patch) : '(no change)\n');
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: intlZone(plan.timezone) }).toFormat('yyyy-MM-dd HH:mm:ss ZZ');
  const verb = plan.operation === 'rollback' ? 'Rollback' : 'Move';
  const lines: string[] = [`${verb} ${plan.job}: ${plan.from} -> ${plan.to}`, ''];
  if (plan.sourceUnreachable) {
    lines.push(`  ${plan.from} (source): NOT disabled: it does not answer (--force); if it still runs the job, slots from ${toRfc3339(plan.handoff.nextSlot)} run twice until it is disabled by hand`);
    lines.push(indent('(not read: unreachable)\n'));
  } else if (plan.paused) {
    lines.push(`  ${plan.from} (source): already switched off (the job is paused); left as it is, never deleted`);
    lines.push(diff(plan.sourceDiff));
  } else {
    lines.push(`  ${plan.from} (source): disabled at the handoff, never deleted; a run in progress finishes`);
    lines.push(diff(plan.sourceDiff));
  }
  lines.push(`  ${plan.to} (target): ${plan.paused ? 'written switched off (paused): it runs nothing until paused is removed and applied' : plan.enableStrategy}`);
  lines.push(diff(plan.targetDiff));
  if (plan.warnings.length) {
    lines.push('  Dropped in translation:');
    for (const w of plan.warnings) lines.push(`    ! ${w.message}`);
    lines.push('');
  }
  if (plan.capacity?.length) {
    lines.push(`  Capacity of ${plan.to} (capacity.startsPerMinute; move --strict refuses):`);
    for (const l of capacityWarningLines(plan.capacity)) lines.push(`    ! ${l}`);
    lines.push('');
  }
  if (plan.dependents) {
    const { children, further } = plan.dependents;
    lines.push(`  Dependent jobs on ${plan.from}, which stop running once it has moved${plan.refusal ? '' : ' (--orphan-dependents)'}:`);
    lines.push(`    ! ${children.join(', ')} run${children.length === 1 ? 's' : ''} after it${further.length ? `; after them: ${further.join(', ')}` : ''}`, '');
  }
  const schedules = plan.fireTimes;
  const v = schedules.verdict;
  const systems = schedules.systems.length === 2 ? 'both systems' : `all ${schedules.systems.length} systems`;
  lines.push(
    v.kind === 'equivalent'
      ? `  Schedule: equivalent in ${systems} (fire times compared over ${schedules.horizonDays} days)`
      : `  Schedule: ${v.kind === 'not-expressible' ? `not expressible in ${schedules.verdictOf?.title}` : 'differs'}: ${v.reason}`,
  );
  const others = schedules.systems.filter((s) => !s.native);
  referenceSchedule(schedules)?.times.slice(0, 3).forEach((t, i) => {
    const elsewhere = others.map((s) => {
      const c = s.times[i];
      return `${s.title}: ${c ? local(c) : '-'}`;
    });
    lines.push(`    next: ${local(t)}   (${elsewhere.join(', ')})`);
  });
  const h = plan.handoff;
  lines.push('');
  if (plan.paused) {
    lines.push('  No handoff: the job is paused, so neither system owes a slot and the move does not wait.');
  } else {
    lines.push(`  Handoff at ${local(h.at)} (server clock)${h.waitSeconds ? `, in ${h.waitSeconds} s` : ', now'}`);
    lines.push(`    ${plan.from} runs every slot up to ${h.previousSlot ? local(h.previousSlot) : '(none yet)'}; ${plan.to} runs every slot from ${local(h.nextSlot)}.`);
    lines.push(`    Safe: ${h.guardSeconds} s after the previous slot and ${h.guardSeconds} s before the next, so neither system is mid-launch.`);
  }
  lines.push(
    plan.sourceUnreachable
      ? `  Runs in flight on ${plan.from}: unknown (unreachable)`
      : plan.runsInFlight.length
      ? `  Runs in flight on ${plan.from}: ${plan.runsInFlight.map((r) => r.id + (r.scheduledFor ? ` (slot ${toRfc3339(r.scheduledFor)})` : '')).join(', ')}`
      : `  Runs in flight on ${plan.from}: none`,
  );
  if (plan.refusal) lines.push('', `Refused: ${plan.refusal}`);
  else if (options.closing !== false) {
    const source = plan.sourceUnreachable ? `${plan.from} NOT disabled (unreachable)` : plan.paused ? `${plan.from} stays switched off` : `${plan.from} disabled`;
    const targetState = plan.paused ? `${plan.to} written switched off (paused)` : `${plan.to} enabled at ${toRfc3339(h.at)}`;
    lines.push('', `Plan: 1 job to ${plan.operation === 'rollback' ? 'roll back' : 'move'}, ${source}, ${targetState}.`);
  }
  return `${lines.join('\n')}\n`;
}

export function movePlanJson(plan: MovePlan): Record<string, unknown> {
  return {
    job: plan.job,
    operation: plan.operation,
    from: plan.from,
    to: plan.to,
    handoff: {
      at: toRfc3339(plan.handoff.at),
      previousSlot: plan.handoff.previousSlot ? toRfc3339(plan.handoff.previousSlot) : null,
      nextSlot: toRfc3339(plan.handoff.nextSlot),
      guardSeconds: plan.handoff.guardSeconds,
      waitSeconds: plan.handoff.waitSeconds,
    },
    equivalence: plan.fireTimes.verdict.kind,
    warnings: plan.warnings.map((w) => w.message),
    sourceDiff: plan.sourceDiff,
    targetDiff: plan.targetDiff,
    runsInFlight: plan.runsInFlight.map((r) => r.id),
    paused: plan.paused === true,
    dependents: plan.dependents ?? null,
    capacity: (plan.capacity ?? []).map((b) => ({ system: b.system, minute: toRfc3339(b.minute), before: b.before, after: b.after, capacity: b.capacity, moving: b.moving })),
    refusal: plan.refusal ?? null,
  };
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')
    .concat('\n');
}
