/**
 * The move journal: append-only JSON lines in the jobs repository (`.migrate/journal.jsonl`),
 * so whoever clones the repository can see, resume or roll back a move. A `begin` record with
 * both before-snapshots precedes every side effect; each step appends; a move ends with `done`
 * or `aborted`. Rollback appends its own move and never edits history. Secrets are redacted
 * before a record is built (see secrets.ts).
 */
import type { BackendName } from './job.js';

export const JOURNAL_VERSION = 1;

export type MoveOperation = 'move' | 'rollback' | 'resume';

/** The steps of the cutover protocol, in order (docs/cutover-protocol.md, "Step by step"). */
export const MOVE_STEPS = ['locked', 'source-disabled', 'target-enabled', 'verified', 'definition-written'] as const;
/**
 * Besides the protocol's steps: `write`, announced before every write to a system, names what
 * the system will show once it landed and until when it may land (`settleBy`, local clock);
 * whoever acts on the job next waits for it first. A paused job's move writes `target-paused`
 * where another move writes `target-enabled`.
 */
export type MoveStep = (typeof MOVE_STEPS)[number] | 'compensated' | 'source-restored' | 'target-disabled' | 'target-paused' | 'write';

interface RecordBase {
  readonly v: typeof JOURNAL_VERSION;
  /** The move's id; every record of one move carries it. */
  readonly id: string;
  readonly job: string;
  /** The API server's time when the record was written (RFC 3339). */
  readonly at: string;
}

export interface BeginRecord extends RecordBase {
  readonly kind: 'begin';
  readonly operation: MoveOperation;
  readonly from: BackendName;
  readonly to: BackendName;
  /** Who runs it: user@host and pid, as in the lock. */
  readonly holder: string;
  readonly handoff: { readonly at: string; readonly previousSlot: string | null; readonly nextSlot: string; readonly guardSeconds: number };
  /** The live objects before anything changed (null: absent), secrets redacted. */
  readonly snapshots: Readonly<Record<BackendName, unknown>>;
  /** The definition file, relative to the repository, and its text before the move. */
  readonly definition: { readonly file: string; readonly before: string };
  /** For a rollback: the id of the move it undoes. */
  readonly undoes?: string;
}

export interface StepRecord extends RecordBase {
  readonly kind: 'step';
  readonly step: MoveStep;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface DoneRecord extends RecordBase {
  readonly kind: 'done';
}

export interface AbortedRecord extends RecordBase {
  readonly kind: 'aborted';
  readonly reason: string;
  /** Where both systems were left, in words an operator can act on. */
  readonly state: string;
  /** The same, as data, when a failed move was put back: `{kind: restored|no-source-copy, firstSlot, target, lost, definition}`. */
  readonly putBack?: Readonly<Record<string, unknown>>;
}

export type JournalRecord = BeginRecord | StepRecord | DoneRecord | AbortedRecord;

export type MoveOutcome = 'done' | 'aborted' | 'in-flight';

export interface MoveHistory {
  readonly id: string;
  readonly job: string;
  readonly begin: BeginRecord;
  readonly steps: readonly StepRecord[];
  readonly outcome: MoveOutcome;
  readonly end?: DoneRecord | AbortedRecord;
}

/** Folds the journal into one history per move, oldest first. */
export function foldJournal(records: readonly JournalRecord[]): MoveHistory[] {
  const moves = new Map<string, { begin: BeginRecord; steps: StepRecord[]; end?: DoneRecord | AbortedRecord }>();
  for (const r of records) {
    if (r.kind === 'begin') moves.set(r.id, { begin: r, steps: [] });
    const m = moves.get(r.id);
    if (!m) continue;
    if (r.kind === 'step') m.steps.push(r);
    else if (r.kind === 'done' || r.kind === 'aborted') m.end = r;
  }
  return [...moves.values()].map((m) => ({
    id: m.begin.id,
    job: m.begin.job,
    begin: m.begin,
    steps: m.steps,
    outcome: m.end?.kind ?? 'in-flight',
    end: m.end,
  }));
}

/** Per job, its newest move if that move never ended (the journal is in order). */
export function unfinishedMoves(records: readonly JournalRecord[]): Map<string, MoveHistory> {
  const newest = new Map<string, MoveHistory>();
  for (const m of foldJournal(records)) newest.set(m.job, m);
  return new Map([...newest].filter(([, m]) => m.outcome === 'in-flight'));
}

/**
 * What `rollback` undoes: the job's last completed move (a rollback is not itself undone by
 * another rollback; moving forward again is a `move`). `undoneBy` is the completed rollback that
 * already undid it, if any: then there is nothing left to roll back, and re-running a rollback
 * is safe.
 */
export function moveToUndo(records: readonly JournalRecord[], job: string): { readonly move: MoveHistory; readonly undoneBy?: MoveHistory } | undefined {
  const done = foldJournal(records).filter((m) => m.job === job && m.outcome === 'done');
  const move = done.filter((m) => m.begin.operation !== 'rollback').at(-1);
  if (!move) return undefined;
  const undoneBy = done.find((m) => m.begin.operation === 'rollback' && m.begin.undoes === move.id);
  return undoneBy ? { move, undoneBy } : { move };
}

/** Parses the journal's text; a torn last line (a crash mid-write) is skipped, others are errors. */
export function parseJournal(text: string): { records: JournalRecord[]; problems: string[] } {
  const records: JournalRecord[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const r = JSON.parse(line) as JournalRecord;
      if (r && typeof r === 'object' && typeof r.id === 'string' && typeof r.kind === 'string') records.push(r);
      else problems.push(`line ${i + 1}: not a journal record`);
    } catch {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim() !== '')) problems.push(`line ${i + 1}: not valid JSON`);
    }
  });
  return { records, problems };
}

/**
 * One journal from this clone's file and the shared record of moves (one list per job, as the
 * cluster keeps them): a record found in both, the same JSON (so the same move id, kind, step and
 * `at`), is one record. The others are placed by `at`, each list's own order kept; at the same
 * instant the file's records come first, then each list's in the order given.
 */
export function mergeJournals(local: readonly JournalRecord[], ...shared: readonly (readonly JournalRecord[])[]): JournalRecord[] {
  let merged = [...local];
  for (const list of shared) {
    const unseen = new Map<string, number>();
    for (const r of merged) unseen.set(recordKey(r), (unseen.get(recordKey(r)) ?? 0) + 1);
    const extra = list.filter((r) => {
      const n = unseen.get(recordKey(r)) ?? 0;
      if (n > 0) unseen.set(recordKey(r), n - 1);
      return n === 0;
    });
    merged = interleaveByTime(merged, extra);
  }
  return merged;
}

/**
 * A record's identity across copies: its whole JSON. The move id, kind, step and `at` alone would
 * fold two `write` announcements of one move within the same second into one.
 */
function recordKey(r: JournalRecord): string {
  return JSON.stringify(r);
}

/** Merges two lists by `at` without reordering either; `a` first at the same instant. */
function interleaveByTime(a: readonly JournalRecord[], b: readonly JournalRecord[]): JournalRecord[] {
  const out: JournalRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && Date.parse(a[i]!.at) <= Date.parse(b[j]!.at))) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
