/**
 * A second clone of a sandbox repository: another folder with the same `migrate.yaml` and job
 * files as the first one has them now (the repository as it is upstream), its own journal, and
 * the CLI run in it against the same sandbox, as a second operator's laptop would.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJournal } from '../../src/core/journal.js';
import { cliIn, type SandboxRepo } from './sandbox-repo.js';

export function secondClone(repo: SandboxRepo): SandboxRepo {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-clone-'));
  cpSync(join(repo.dir, 'migrate.yaml'), join(dir, 'migrate.yaml'));
  cpSync(join(repo.dir, 'jobs'), join(dir, 'jobs'), { recursive: true });
  const journalFile = join(dir, '.migrate', 'journal.jsonl');
  const clone: SandboxRepo = {
    ...repo,
    dir,
    journalFile,
    cli: (...argv) => clone.cliWith(argv, {}),
    cliWith: cliIn(dir, repo.env, repo.sandbox.ctx.clock),
    writeJob: (name, yaml) => writeFileSync(join(dir, 'jobs', `${name}.yaml`), yaml),
    readJob: (name) => readFileSync(join(dir, 'jobs', `${name}.yaml`), 'utf8'),
    journal: () => (existsSync(journalFile) ? parseJournal(readFileSync(journalFile, 'utf8')).records : []),
    // The sandbox is the first clone's: it closes it.
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
  return clone;
}
