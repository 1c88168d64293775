/**
 * A wave's plan as the operator reads it before confirming (terraform's shape): a summary first,
 * one line per job, the totals and the translation warnings grouped; each job's full plan only
 * when asked for (`--details`); and one closing `Plan:` line for the whole wave.
 */
import { capacityWarningLines, type CapacityBreach } from './load.js';
import { renderMovePlanHuman, type MovePlan } from './move-plan.js';
import { toRfc3339 } from './time.js';

export interface WaveOutput {
  /** Each job's full plan after the summary. */
  readonly details: boolean;
  /** The full plans' diffs coloured. */
  readonly color: boolean;
}

export function renderWavePlanHuman(plans: readonly MovePlan[], output: WaveOutput): string {
  const refused = plans.filter((p) => p.refusal);
  const verb = plans.every((p) => p.operation === 'rollback') ? 'roll back' : 'move';
  const lines: string[] = [`${capitalized(verb)} ${jobs(plans.length)}, in this order:`, ''];
  const rows = plans.map((p) => [
    p.job,
    `${p.from} -> ${p.to}`,
    p.refusal ? '-' : p.paused ? 'none (paused)' : `${toRfc3339(p.handoff.at)}${p.handoff.waitSeconds ? ` (in ${p.handoff.waitSeconds} s)` : ' (now)'}`,
    String(p.warnings.length),
    p.refusal ? 'refused' : p.sourceUnreachable ? `${verb}, ${p.from} NOT disabled (unreachable)` : verb,
  ]);
  lines.push(...columns([['JOB', 'FROM -> TO', 'HANDOFF (SERVER CLOCK)', 'WARNINGS', 'PLAN'], ...rows]).map((l) => `  ${l}`), '');

  const warned = plans.filter((p) => p.warnings.length > 0);
  const warnings = plans.reduce((n, p) => n + p.warnings.length, 0);
  lines.push(
    `Totals: ${jobs(plans.length)}: ${plans.length - refused.length} to ${verb}, ${refused.length} refused; ` +
      `${warnings} translation warning${warnings === 1 ? '' : 's'}${warnings ? ` in ${jobs(warned.length)}` : ''}.`,
  );
  if (warnings) {
    lines.push('', 'Translation warnings, each once with its jobs:');
    for (const [message, names] of grouped(plans)) lines.push(`  ! ${message} (${names.length === 1 ? names[0] : `${names.length} jobs: ${names.join(', ')}`})`);
  }
  const breaches = waveBreaches(plans);
  if (breaches.length) {
    lines.push('', `Capacity: the wave pushes ${breaches.length} minute${breaches.length === 1 ? '' : 's'} above capacity.startsPerMinute (move --strict refuses):`);
    for (const l of capacityWarningLines(breaches)) lines.push(`  ! ${l}`);
  }
  const orphaning = plans.filter((p) => p.dependents && !p.refusal);
  if (orphaning.length) {
    lines.push('', 'Dependent jobs that stop running once these have moved (--orphan-dependents):');
    for (const p of orphaning) lines.push(`  ${p.job}: ${[...p.dependents!.children, ...p.dependents!.further].join(', ')}`);
  }
  if (refused.length) {
    lines.push('', 'Refused (nothing changes for these):');
    for (const p of refused) lines.push(`  ${p.job}: ${p.refusal}`);
  }
  lines.push('');
  if (output.details) {
    for (const p of plans) lines.push(renderMovePlanHuman(p, { color: output.color, closing: false }));
  } else {
    lines.push('Each job\'s full plan (its diffs, schedule proof and runs in flight): --details, or -o json / -o yaml.', '');
  }
  lines.push(`Plan: ${jobs(plans.length - refused.length)} to ${verb}, ${refused.length} refused.`);
  return `${lines.join('\n')}\n`;
}

/** Every minute any job's plan names, once, the worst first. */
function waveBreaches(plans: readonly MovePlan[]): CapacityBreach[] {
  const byMinute = new Map<string, CapacityBreach>();
  for (const p of plans) for (const b of p.capacity ?? []) byMinute.set(`${b.system} ${b.minute.getTime()}`, b);
  return [...byMinute.values()].sort((a, b) => b.after - b.capacity - (a.after - a.capacity) || a.minute.getTime() - b.minute.getTime());
}

/** Each warning once, with the jobs that have it, the most widespread first. */
function grouped(plans: readonly MovePlan[]): [string, string[]][] {
  const byMessage = new Map<string, string[]>();
  for (const p of plans) {
    for (const w of p.warnings) {
      const names = byMessage.get(w.message) ?? [];
      if (!names.includes(p.job)) names.push(p.job);
      byMessage.set(w.message, names);
    }
  }
  return [...byMessage].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

function jobs(n: number): string {
  return `${n} job${n === 1 ? '' : 's'}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
