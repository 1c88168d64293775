/** The journal on disk: `.migrate/journal.jsonl` beside `migrate.yaml`, appended and fsync'd per record. */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { parseJournal, type JournalRecord } from '../core/journal.js';
import type { GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';

export function journalPath(repositoryDir: string): string {
  return path.join(repositoryDir, '.migrate', 'journal.jsonl');
}

/** The project's journal: beside the project file `--config` names. */
export function projectJournal(io: Pick<CliIO, 'cwd'>, args: Pick<GlobalArgs, 'config'>): string {
  return journalPath(path.dirname(path.resolve(io.cwd, args.config)));
}

/**
 * Appends one record and waits until it is on disk (a crash must not lose a step that happened).
 * Asynchronous, so a wave of moves does not stall the event loop on every fsync.
 */
export async function appendJournal(file: string, record: JournalRecord): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const handle = await fsp.open(file, 'a');
  try {
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * How a damaged journal is met. `strict`, for every command that acts on what the journal says:
 * refused, since a move planned from part of the history could miss an unfinished one or undo the
 * wrong step. `tolerant`, for a command that only reports: each problem is handed to the callback,
 * and the records that could be read are returned.
 */
export type JournalReading = 'strict' | { readonly tolerant: (problem: string) => void };

/** The journal's records; none when there is no journal yet. */
export function readJournal(file: string, reading: JournalReading = 'strict'): JournalRecord[] {
  if (!fs.existsSync(file)) return [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (reading === 'strict') throw err;
    reading.tolerant(`cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
  const { records, problems } = parseJournal(text);
  if (problems.length === 0) return records;
  if (reading === 'strict') throw new UserError(`the journal ${file} is damaged`, `${problems.join('\n')}\nIt is append-only: restore it from version control.`);
  for (const problem of problems) reading.tolerant(problem);
  return records;
}
