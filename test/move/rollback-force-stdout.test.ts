/**
 * `rollback --force` with the source's API down: stdout, which is what a person or a script
 * keeps, says the source was not disabled, in the plan and in the outcome (not only stderr).
 */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

test('the plan and the outcome on stdout say Kubernetes was NOT disabled', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', '*/5 * * * *') } });
  try {
    expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
    await repo.advance(20 * 60);
    await repo.fault({ system: 'kubernetes', status: 503, times: 1000 });
    const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  kubernetes (source): NOT disabled: it does not answer (--force); if it still runs the job, slots from 2026-11-25T10:30:00Z run twice until it is disabled by hand\n');
    expect(r.stdout).not.toContain('kubernetes (source): disabled at the handoff');
    expect(r.stdout).toContain('Runs in flight on kubernetes: unknown (unreachable)');
    expect(r.stdout).toContain('Plan: 1 job to roll back, kubernetes NOT disabled (unreachable), chronos enabled at 2026-11-25T10:27:00Z.');
    expect(r.stdout).toContain('done: job: now on chronos; first run there 2026-11-25T10:30:00Z\n  kubernetes was NOT disabled (it did not answer): if it still runs job, slots from 2026-11-25T10:30:00Z may run twice until it is disabled by hand.\n');
    expect(r.stdout).toContain('1 done, 0 failed or refused; 1 with the source NOT disabled.\n');
  } finally {
    await repo.close();
  }
});
