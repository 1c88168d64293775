/** Ctrl-C while a move waits for its handoff, before anything changed: nothing is left behind, and it says so. */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

let repo: SandboxRepo;
afterEach(() => repo.close());

test('interrupted during the handoff wait: journal closed, lock released, the job still on its source, the next move goes ahead', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', '*/5 * * * *') } });
  await repo.advanceTo('2026-11-25T10:14:50Z'); // too close to 10:15: the handoff waits until 10:15:30
  const interrupt = new AbortController();
  // Without --advance-sandbox the wait is a real sleep: Ctrl-C comes the moment the move says it
  // is waiting for its handoff, so inside that sleep.
  const r = await repo.cliWith(['move', 'job', '--to', 'k8s', '--yes'], {
    interrupted: interrupt.signal,
    onStderr: (text) => {
      if (text.includes('waiting')) interrupt.abort();
    },
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/\[job\] waiting \d+ s: handoff at 2026-11-25T10:15:30Z/);
  expect(r.stdout).toContain('FAILED: move of job refused: interrupted (Ctrl-C) before anything changed; the lock is released');
  expect(r.stdout).toContain('Nothing changed: job still runs on chronos.');
  expect(repo.journal().map((rec) => (rec.kind === 'step' ? rec.step : rec.kind))).toEqual(['begin', 'locked', 'aborted']);
  expect(repo.journal().at(-1)).toMatchObject({ kind: 'aborted', reason: expect.stringContaining('interrupted (Ctrl-C)') });

  const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as unknown[];
  expect(status).toMatchObject([{ verdict: 'ok', declared: 'chronos' }]);
  // The lock was released: the same move from another process goes ahead at once.
  const again = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  expect(again.stdout).not.toContain('locked by');
});
