/**
 * The journal as every command reads and writes it: this clone's file (`.migrate/journal.jsonl`)
 * and the record of moves a backend keeps where every operator reaches it
 * (`BackendConnection.moveRecords`), merged (`mergeJournals`). A record is appended to the file and then to the
 * shared record before the step it announces is taken, so a clone that never ran the move sees
 * it, can roll it back, and can resume it. A record that precedes no change to a system (`later`:
 * `begin` before the first write, `verified`) reaches the shared record with the job's next one,
 * in one write, or at `flush` (before a wait). A shared record that cannot be read or written (no
 * RBAC for it, a cluster that does not answer) leaves the file alone in charge, with one warning
 * per job; only a write that other writers kept beating fails the append.
 */
import path from 'node:path';
import { ALL_BACKENDS, backendOf } from '../../backends/index.js';
import { ConcurrentMoveError, type AppendOptions, type JournalStore } from '../actions/config.js';
import { MoveRecordConflictError, type MoveRecordStore } from '../core/backend.js';
import { UserError } from '../core/errors.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import { mergeJournals, type JournalRecord } from '../core/journal.js';
import type { Connections } from './connections.js';
import { appendJournal, readJournal, type JournalReading } from './journal-file.js';

export interface SharedRecord {
  readonly system: BackendName;
  readonly store: MoveRecordStore;
}

/** The first backend in the registry that keeps a record of moves, if any does. */
export function sharedRecordOf(systems: Pick<Connections, 'to'>): SharedRecord | undefined {
  for (const b of ALL_BACKENDS) {
    const store = systems.to(b.name).moveRecords;
    if (store) return { system: b.name, store };
  }
  return undefined;
}

/** Says one thing about one job's shared record (a warning line). */
export type SharedRecordWarning = (job: string, message: string) => void;

/**
 * What the shared record's failure does: `throw` it (a bug, or writers that kept winning), or the
 * one line the operator reads before this clone's journal is used alone.
 */
function degraded(shared: SharedRecord, err: unknown): string | 'throw' {
  if (err instanceof MoveRecordConflictError) return 'throw';
  if (backendOf(shared.system).failureClass(err) === undefined) return 'throw';
  return err instanceof UserError ? err.summary : err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
}

/** The journal an action runs over: `load` the shared record of the jobs it acts on before its first `read`. */
export class SharedJournal implements JournalStore {
  /** Per job, its shared record as last read or written. */
  private readonly kept = new Map<string, readonly JournalRecord[]>();
  /** Jobs whose shared record this process no longer writes: it failed once (warned), so the cluster holds a prefix of the move. */
  private readonly off = new Set<string>();
  /** Per job, records in the file and not yet in the shared record: they go with the job's next append, or at `flush`. */
  private readonly pending = new Map<string, JournalRecord[]>();

  constructor(
    private readonly file: string,
    private readonly shared: SharedRecord | undefined,
    private readonly definitionOf: (job: string) => JobDefinition | undefined,
    private readonly warn: SharedRecordWarning,
  ) {}

  /**
   * Reads the shared record of `jobs` (one call per scope); a job whose record cannot be read is
   * warned about and left to the file. A job `earlier` (this process's journal a moment ago) has
   * read already is taken from it, not read again.
   */
  async load(jobs: readonly JobDefinition[], earlier?: SharedJournal): Promise<void> {
    const shared = this.shared;
    if (!shared || jobs.length === 0) return;
    const unread = jobs.filter((job) => !earlier?.adoptInto(this, job.name));
    if (unread.length === 0) return;
    const reading = await readShared(shared, unread);
    for (const [job, records] of reading.records) this.kept.set(job, records);
    for (const f of reading.failures) {
      for (const job of f.jobs) {
        this.off.add(job);
        this.warn(job, `${f.where} cannot be read (${f.message}); only this clone's journal is used, and moves made from other clones are not seen`);
      }
    }
  }

  /** Hands `job`'s reading to `other`; false when this journal has none. */
  private adoptInto(other: SharedJournal, job: string): boolean {
    const kept = this.kept.get(job);
    if (kept) other.kept.set(job, kept);
    if (this.off.has(job)) other.off.add(job);
    return kept !== undefined || this.off.has(job);
  }

  read(): readonly JournalRecord[] {
    return mergeJournals(readJournal(this.file), ...this.kept.values());
  }

  async append(record: JournalRecord, options: AppendOptions = {}): Promise<void> {
    // The file first: the shared record is then always a prefix of what this clone wrote.
    await appendJournal(this.file, record);
    const job = this.definitionOf(record.job);
    if (!this.shared || !job || this.off.has(record.job)) return;
    const records = [...(this.pending.get(record.job) ?? []), record];
    if (options.later) {
      this.pending.set(record.job, records);
      return;
    }
    this.pending.delete(record.job);
    await this.share(job, records);
  }

  async flush(): Promise<void> {
    const waiting = [...this.pending];
    this.pending.clear();
    for (const [name, records] of waiting) {
      const job = this.definitionOf(name);
      if (job && !this.off.has(name)) await this.share(job, records);
    }
  }

  seesOtherMoves(job: string): boolean {
    return this.shared !== undefined && !this.off.has(job) && this.kept.has(job);
  }

  private async share(job: JobDefinition, records: readonly JournalRecord[]): Promise<void> {
    const shared = this.shared;
    if (!shared || records.length === 0) return;
    const read = this.kept.get(job.name);
    const known = new Set((read ?? []).map((r) => r.id));
    let stored: readonly JournalRecord[];
    try {
      stored = await shared.store.append(job, records);
    } catch (err) {
      const why = degraded(shared, err);
      if (why === 'throw') throw err;
      this.off.add(job.name);
      this.warn(job.name, `${shared.store.where(job)} cannot be written (${why}); this move is recorded in ${path.basename(this.file)} only: commit and push it so that others see the move`);
      return;
    }
    this.kept.set(job.name, stored);
    // A move's first write (it carries `begin`) is conditioned on the record as this process read
    // it: a record of another move in between means that move ran since the plan's reads.
    if (read && records.some((r) => r.kind === 'begin')) {
      const ours = new Set(records.map((r) => r.id));
      const other = stored.find((r) => !known.has(r.id) && !ours.has(r.id));
      if (other) throw new ConcurrentMoveError(job.name, other.id);
    }
  }
}

interface SharedReading {
  readonly records: ReadonlyMap<string, readonly JournalRecord[]>;
  readonly failures: readonly { readonly jobs: readonly string[]; readonly where: string; readonly message: string }[];
}

async function readShared(shared: SharedRecord, jobs: readonly JobDefinition[]): Promise<SharedReading> {
  const failed = (where: string, names: readonly string[], err: unknown) => {
    const why = degraded(shared, err);
    if (why === 'throw') throw err;
    return { jobs: names, where, message: why };
  };
  try {
    const reading = await shared.store.read(jobs);
    return { records: reading.records, failures: reading.failures.map((f) => failed(f.where, f.jobs, f.error)) };
  } catch (err) {
    return { records: new Map(), failures: [failed(`the ${backendOf(shared.system).title} record of moves`, jobs.map((j) => j.name), err)] };
  }
}

/**
 * The merged journal for a command that only reports (`status`, `history`): the file read as
 * `reading` says, the shared record of `jobs`, and one warning line per scope that could not be read.
 */
export async function readMergedJournal(file: string, reading: JournalReading, systems: Pick<Connections, 'to'>, jobs: readonly JobDefinition[], warn: (line: string) => void): Promise<JournalRecord[]> {
  const local = readJournal(file, reading);
  const shared = sharedRecordOf(systems);
  if (!shared || jobs.length === 0) return local;
  const { records, failures } = await readShared(shared, jobs);
  for (const f of failures) warn(`${f.where} cannot be read (${f.message}); showing this clone's journal only for ${f.jobs.length <= 3 ? f.jobs.join(', ') : `${f.jobs.length} jobs`}`);
  return mergeJournals(local, ...records.values());
}
