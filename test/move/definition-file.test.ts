/** The definition follows a move with the smallest edit; a rollback restores it byte for byte. */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const canonical = `# Nightly report: owned by payments.
name: job   # the DNS name


backend: "chronos"     # where it runs now: flip me with migrate move
schedule: '*/5 * * * *'
timezone: Etc/UTC
command: [ruby, "/app/report.rb"]   # argv, no shell
env: {RAILS_ENV: production, "LEVEL": '3'}

resources:
  requests: {cpu: 0.1, memory: 128M}
  # no limits on purpose
`;

const perBlock = `name: job
kubernetes:
  schedule: '15 */2 * * *'
command:
- ruby
- "/path/to/script.rb"
resources:
  requests:
    cpu: 0.1
    memory: 128M
  limits:
    memory: 1024M
`;

const cases: [string, string, string, string][] = [
  ['canonical, with comments, quotes, flow maps and blank lines', canonical, 'kubernetes', canonical.replace('backend: "chronos"', 'backend: "kubernetes"')],
  ['the original per-block format', perBlock, 'chronos', perBlock.replace(/^kubernetes:/m, 'chronos:')],
  ['backend: k8s (kept as written on the way back)', jobYaml('job', 'kubernetes', '*/5 * * * *').replace('backend: kubernetes', 'backend: k8s'), 'chronos', jobYaml('job', 'chronos', '*/5 * * * *')],
  ['CRLF line endings, no final newline', canonical.replace(/\n/g, '\r\n').trimEnd(), 'kubernetes', canonical.replace('backend: "chronos"', 'backend: "kubernetes"').replace(/\n/g, '\r\n').trimEnd()],
];

test.each(cases)('%s', async (_, original, to, moved) => {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:00Z', jobs: { job: original } });
  try {
    await repo.advance(3600);
    const m = await repo.cli('move', 'job', '--to', to, '--yes', '--advance-sandbox');
    expect(m.code).toBe(0);
    expect(repo.readJob('job')).toBe(moved);
    // The printed diff is the change, ready to commit.
    expect(m.stdout).toMatch(/--- a\/jobs\/job\.yaml\n\+\+\+ b\/jobs\/job\.yaml\n/);
    expect(repo.journal().find((r) => r.kind === 'begin')).toMatchObject({ definition: { file: 'jobs/job.yaml', before: original } });

    await repo.advance(2 * 3600);
    const rb = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
    expect(rb.code).toBe(0);
    expect(repo.readJob('job')).toBe(original);
    const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { verdict: string }[];
    expect(status[0]!.verdict).toBe('ok');
  } finally {
    await repo.close();
  }
});

test('a definition edited after the move keeps the edit through the rollback', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T09:00:00Z', jobs: { job: canonical } });
  try {
    expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
    repo.writeJob('job', `${repo.readJob('job')}owner: payments@example.com\n`);
    await repo.advance(3600);
    expect((await repo.cli('rollback', 'job', '--yes', '--advance-sandbox')).code).toBe(0);
    expect(repo.readJob('job')).toBe(`${canonical}owner: payments@example.com\n`);
  } finally {
    await repo.close();
  }
});
