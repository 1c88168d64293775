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

export function readJournal(file: string): JournalRecord[] {
  if (!fs.existsSync(file)) return [];
  const { records, problems } = parseJournal(fs.readFileSync(file, 'utf8'));
  if (problems.length) throw new UserError(`the journal ${file} is damaged`, `${problems.join('\n')}\nIt is append-only: restore it from version control.`);
  return records;
}
