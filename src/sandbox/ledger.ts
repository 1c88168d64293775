/**
 * The run ledger: every run either stand-in started, in order, with the slot it was for. It is
 * how anyone proves the central promise: after any moves and rollbacks, every slot ran once.
 */
export type SystemName = 'chronos' | 'kubernetes';

export interface LedgerEntry {
  readonly system: SystemName;
  readonly job: string;
  /** The nominal slot (RFC 3339), or null for a run that belongs to no slot (a manual start). */
  readonly scheduledFor: string | null;
  readonly startedAt: string;
}

export class RunLedger {
  private readonly entries: LedgerEntry[] = [];

  record(system: SystemName, job: string, scheduledFor: Date | null, startedAt: Date): void {
    this.entries.push({
      system,
      job,
      scheduledFor: scheduledFor ? scheduledFor.toISOString() : null,
      startedAt: startedAt.toISOString(),
    });
  }

  all(): readonly LedgerEntry[] {
    return this.entries;
  }

  load(entries: readonly LedgerEntry[]): void {
    this.entries.splice(0, this.entries.length, ...entries);
  }
}
