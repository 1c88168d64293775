/** The journal on disk: `.migrate/journal.jsonl` beside `migrate.yaml`, appended and fsync'd per record. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { parseJournal, type JournalRecord } from '../core/journal.js';

export function journalPath(repositoryDir: string): string {
  return path.join(repositoryDir, '.migrate', 'journal.jsonl');
}

export function appendJournal(file: string, record: JournalRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readJournal(file: string): JournalRecord[] {
  if (!fs.existsSync(file)) return [];
  const { records, problems } = parseJournal(fs.readFileSync(file, 'utf8'));
  if (problems.length) throw new UserError(`the journal ${file} is damaged`, `${problems.join('\n')}\nIt is append-only: restore it from version control.`);
  return records;
}
