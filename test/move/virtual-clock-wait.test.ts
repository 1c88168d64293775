/**
 * A move on a sandbox with a virtual clock, without --advance-sandbox: nothing moves that clock,
 * so at the first wait the move says the clock is virtual and how to advance it; and it does not
 * call this machine's clock "off" the sandbox's, which is no skew. The operator's Ctrl-C then
 * stops it before anything changed.
 */
import { FixedClock } from '../../src/core/clock.js';
import { cliIn, jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

test('the first wait on a virtual clock says how to advance it, and no skew is reported', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/5 * * * *') } });
  try {
    await repo.advanceTo('2026-11-25T10:09:50Z'); // 10 s before a slot: the handoff is after it, so the move waits
    // The machine's own clock, a day off the virtual one, as any real clock is.
    const cli = cliIn(repo.dir, repo.env, new FixedClock('2026-11-26T09:00:00Z'));
    const ctrlC = new AbortController();
    const r = await cli(['move', 'tick', '--to', 'k8s', '--yes'], { interrupted: ctrlC.signal, onStderr: (t) => t.includes('runs a virtual clock') && ctrlC.abort() });
    expect(r.stderr).toContain(`note: the sandbox at ${repo.kubernetesUrl} runs a virtual clock, which moves only when advanced: this wait ends only when something advances it.`);
    expect(r.stderr).toContain('run again with --advance-sandbox');
    expect(r.stderr).toContain(`curl -s -X POST ${repo.kubernetesUrl}/_sandbox/clock/advance -d '{"seconds": 60}'`);
    expect(r.stderr.indexOf('waiting ')).toBeLessThan(r.stderr.indexOf('runs a virtual clock'));
    expect(r.stderr.split('runs a virtual clock')).toHaveLength(2);
    expect(r.stderr).not.toMatch(/clock is -?\d+ s off/);
    expect(r.code).toBe(1); // the binary exits 130 after Ctrl-C
    expect(r.stdout).toContain('FAILED: move of tick refused: interrupted (Ctrl-C) before anything changed; the lock is released');
    expect(repo.readJob('tick')).toContain('backend: chronos');
  } finally {
    await repo.close();
  }
});
