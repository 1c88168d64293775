/**
 * Secrets never reach the journal (docs/journal.md: "Secrets are redacted"), and a rollback never
 * writes the journal's masked text back over the job file: the secret stays, the file returns to
 * what it was before the move, byte for byte. The definition diffs they print mask it too.
 */
import { readFileSync } from 'node:fs';
import { MASK } from '../../src/core/secrets.js';
import { startSandboxRepo } from '../helpers/sandbox-repo.js';

const original = `# Ledger export: owned by payments.
name: job
backend: k8s   # where it runs now
env:
  DB_PASSWORD: hunter2   # rotated quarterly
  RAILS_ENV: production
schedule: '*/5 * * * *'
timezone: Etc/UTC
command: [/bin/true]
`;

test('a move and its rollback: the journal holds no secret, the job file keeps it', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:00Z', jobs: { job: original } });
  try {
    await repo.advance(3600);
    const moved = await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox');
    expect(moved.code).toBe(0);
    expect(repo.readJob('job')).toBe(original.replace('backend: k8s', 'backend: chronos'));

    await repo.advance(2 * 3600);
    const rolledBack = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
    expect(rolledBack.code).toBe(0);
    // Back to the file as it was: the secret, `k8s` as written, the comments.
    expect(repo.readJob('job')).toBe(original);
    expect(rolledBack.stdout).toContain('-backend: chronos   # where it runs now\n+backend: k8s   # where it runs now\n');

    const journal = readFileSync(repo.journalFile, 'utf8');
    expect(journal).not.toContain('hunter2');
    const begins = repo.journal().filter((r) => r.kind === 'begin');
    expect(begins).toHaveLength(2);
    for (const begin of begins) expect(begin.definition.before).toContain(`DB_PASSWORD: "${MASK}"   # rotated quarterly\n`);
    expect(moved.stdout).toContain(`-backend: k8s   # where it runs now\n+backend: chronos   # where it runs now\n env:\n   DB_PASSWORD: "${MASK}"`);
    expect(`${moved.stdout}${moved.stderr}${rolledBack.stdout}${rolledBack.stderr}`).not.toContain('hunter2');
  } finally {
    await repo.close();
  }
});

test('a file edited since the move is flipped back, the edit and the secret kept', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:00Z', jobs: { job: original } });
  try {
    expect((await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox')).code).toBe(0);
    repo.writeJob('job', `${repo.readJob('job')}owner: payments@example.com\n`);
    await repo.advance(3600);
    expect((await repo.cli('rollback', 'job', '--yes', '--advance-sandbox')).code).toBe(0);
    expect(repo.readJob('job')).toBe(`${original.replace('backend: k8s', 'backend: kubernetes')}owner: payments@example.com\n`);
    expect(readFileSync(repo.journalFile, 'utf8')).not.toContain('hunter2');
  } finally {
    await repo.close();
  }
});
