/**
 * The run ledger's verdict: for every job, the slots its schedule owed in a window, the runs each
 * system started for them, and which slots were missed, doubled or started late. Pure: it takes
 * the ledger's entries and the schedules, so the demo, tests and rehearsals judge the same way.
 */
import { slotsBetween } from '../core/handoff.js';
import { toRfc3339 } from '../core/time.js';
import type { LedgerEntry, SystemName } from '../sandbox/ledger.js';

export interface JudgedJob {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  /** A run that starts later than this after its slot broke the start-window promise. */
  readonly startingDeadlineSeconds: number;
}

/** Slots are owed in (from, until]: a job placed at `from` owes nothing at that instant. */
export interface LedgerWindow {
  readonly from: Date;
  readonly until: Date;
}

export interface JobVerdict {
  readonly job: string;
  /** Slots the schedule owed in the window. */
  readonly slots: number;
  /** Runs started for a slot of the window, per system. */
  readonly runs: Readonly<Record<SystemName, number>>;
  /** Owed slots nobody ran. */
  readonly missed: readonly Date[];
  /** Slots run more than once (on one system or across both). */
  readonly doubled: readonly Date[];
  /** Slots whose (first) run started after the start window. */
  readonly late: readonly Date[];
  /** Runs for a slot the schedule does not have in the window (a slot invented or run twice early). */
  readonly unexpected: readonly LedgerEntry[];
  readonly ok: boolean;
}

export function judgeLedger(entries: readonly LedgerEntry[], jobs: readonly JudgedJob[], window: LedgerWindow): JobVerdict[] {
  return jobs.map((job) => {
    const owed = slotsBetween(job.schedule, job.timezone, window.from, window.until);
    const owedKeys = new Set(owed.map((s) => s.getTime()));
    const bySlot = new Map<number, LedgerEntry[]>();
    const unexpected: LedgerEntry[] = [];
    const runs: Record<SystemName, number> = { chronos: 0, kubernetes: 0 };
    for (const e of entries) {
      if (e.job !== job.name) continue;
      const slot = e.scheduledFor === null ? undefined : Date.parse(e.scheduledFor);
      if (slot === undefined || !owedKeys.has(slot)) {
        // A run for a slot before the window belongs to an earlier story; anything else is wrong.
        if (slot === undefined || slot > window.from.getTime()) unexpected.push(e);
        continue;
      }
      runs[e.system]++;
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), e]);
    }
    const missed = owed.filter((s) => !bySlot.has(s.getTime()));
    const doubled = owed.filter((s) => (bySlot.get(s.getTime())?.length ?? 0) > 1);
    const late = owed.filter((s) => {
      const first = bySlot.get(s.getTime())?.[0];
      return first !== undefined && Date.parse(first.startedAt) - s.getTime() > job.startingDeadlineSeconds * 1000;
    });
    return {
      job: job.name,
      slots: owed.length,
      runs,
      missed,
      doubled,
      late,
      unexpected,
      ok: missed.length === 0 && doubled.length === 0 && late.length === 0 && unexpected.length === 0,
    };
  });
}

/** A fixed-width table, one row per job, then every problem slot by name. */
export function renderLedgerVerdict(verdicts: readonly JobVerdict[]): string {
  const header = ['JOB', 'SLOTS', 'CHRONOS', 'KUBERNETES', 'MISSED', 'DOUBLED', 'LATE', 'VERDICT'];
  const rows = verdicts.map((v) => [
    v.job,
    String(v.slots),
    String(v.runs.chronos),
    String(v.runs.kubernetes),
    String(v.missed.length),
    String(v.doubled.length),
    String(v.late.length),
    v.ok ? 'exactly once' : 'BROKEN',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const v of verdicts) {
    for (const s of v.missed) out.push(`  ${v.job}: slot ${toRfc3339(s)} never ran`);
    for (const s of v.doubled) out.push(`  ${v.job}: slot ${toRfc3339(s)} ran more than once`);
    for (const s of v.late) out.push(`  ${v.job}: slot ${toRfc3339(s)} started after its start window`);
    for (const e of v.unexpected) out.push(`  ${v.job}: a ${e.system} run at ${e.startedAt} for ${e.scheduledFor ?? 'no slot'} that the schedule does not owe`);
  }
  const slots = verdicts.reduce((n, v) => n + v.slots, 0);
  const broken = verdicts.filter((v) => !v.ok).length;
  out.push('');
  out.push(
    broken === 0
      ? `Verdict: ${slots} slots across ${verdicts.length} jobs, every one run exactly once, on one system, on time.`
      : `Verdict: ${broken} of ${verdicts.length} jobs broke the promise (see above).`,
  );
  return `${out.join('\n')}\n`;
}
