/**
 * The run ledger: every run either stand-in started, in order, with the slot it was for. It is
 * how anyone proves the central promise: after any moves and rollbacks, every slot ran once.
 */
import type { LedgerEntry, RunRecorder, SystemName } from '../../backends/stand-in-contract.js';

export type { LedgerEntry, SystemName };

export class RunLedger implements RunRecorder {
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
