/** Shared by the move tests: schedule shapes, handoff moments and reading a move's outcome from the journal. */
import type { JournalRecord, StepRecord } from '../../src/core/journal.js';
import type { SystemName } from '../../src/sandbox/ledger.js';

export interface Shape {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  /** Where the sandbox starts: before `slot`, with at least one slot in between. */
  readonly start: string;
  /** The slot the handoff moments are measured from. */
  readonly slot: string;
  /** How long after `slot` the mid-gap moment lies. */
  readonly midGapSeconds: number;
  /** How long to let the job run after the move (several slots). */
  readonly settleSeconds: number;
}

export const SHAPES: readonly Shape[] = [
  { name: 'every minute', schedule: '* * * * *', timezone: 'Etc/UTC', start: '2026-11-25T10:00:30Z', slot: '2026-11-25T10:03:00Z', midGapSeconds: 30, settleSeconds: 6 * 60 },
  { name: 'every five minutes', schedule: '*/5 * * * *', timezone: 'Etc/UTC', start: '2026-11-25T10:07:00Z', slot: '2026-11-25T10:20:00Z', midGapSeconds: 150, settleSeconds: 40 * 60 },
  { name: 'two-hourly at :15', schedule: '15 */2 * * *', timezone: 'Etc/UTC', start: '2026-11-25T09:00:00Z', slot: '2026-11-25T12:15:00Z', midGapSeconds: 3600, settleSeconds: 10 * 3600 },
  // 03:30 in Berlin the day before the spring-forward change (02:30Z); the next slot is 01:30Z.
  { name: 'daily in Europe/Berlin across DST', schedule: '30 3 * * *', timezone: 'Europe/Berlin', start: '2026-03-26T12:00:00Z', slot: '2026-03-28T02:30:00Z', midGapSeconds: 12 * 3600, settleSeconds: 3 * 86400 },
];

export type Moment = 'just before a slot' | 'just after a slot' | 'mid-gap';
export const MOMENTS: readonly Moment[] = ['just before a slot', 'just after a slot', 'mid-gap'];

/** When the operator runs `move`, for a moment relative to the shape's slot. */
export function momentAt(shape: Shape, moment: Moment): Date {
  const slot = Date.parse(shape.slot);
  const offset = moment === 'just before a slot' ? -5 : moment === 'just after a slot' ? 5 : shape.midGapSeconds;
  return new Date(slot + offset * 1000);
}

export const other = (s: SystemName): SystemName => (s === 'chronos' ? 'kubernetes' : 'chronos');

/** The steps of one move (by id) or of the last move in the journal. */
export function lastMove(journal: readonly JournalRecord[]): { id: string; records: JournalRecord[] } {
  const begin = [...journal].reverse().find((r) => r.kind === 'begin');
  if (!begin) throw new Error('no move in the journal');
  return { id: begin.id, records: journal.filter((r) => r.id === begin.id) };
}

/** The first slot the target ran by the move's own account (journal `target-enabled`). */
export function firstSlotOf(records: readonly JournalRecord[]): Date {
  const step = records.find((r): r is StepRecord => r.kind === 'step' && r.step === 'target-enabled');
  if (!step) throw new Error(`no target-enabled step in ${JSON.stringify(records.map((r) => r.kind))}`);
  return new Date(String(step.detail!.firstSlot));
}

/** Which system owes a slot, given the instants where the job changed hands (sorted). */
export function ownerOf(initial: SystemName, handovers: readonly { readonly from: Date; readonly to: SystemName }[]): (slot: Date) => SystemName {
  return (slot) => {
    let owner = initial;
    for (const h of handovers) if (slot.getTime() >= h.from.getTime()) owner = h.to;
    return owner;
  };
}
