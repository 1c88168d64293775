/**
 * A move's id carries the time of the server clock its journal records follow (`at`), not this
 * machine's clock: here the local clock is years off the sandbox's, as a laptop's may be off a
 * cluster's, and the id still reads the server's time.
 */
import { FixedClock } from '../../src/core/clock.js';
import type { BeginRecord } from '../../src/core/journal.js';
import { cliIn, jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

test('the move id and the journal agree on when the move began, whatever the local clock says', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/5 * * * *') } });
  try {
    const offLocalClock = cliIn(repo.dir, repo.env, new FixedClock('2031-06-01T00:00:00Z'));
    const r = await offLocalClock(['move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox'], {});
    expect(r.code).toBe(0);
    const begin = repo.journal().find((x): x is BeginRecord => x.kind === 'begin')!;
    const idTime = /^tick-(\d{8}T\d{6})-[0-9a-f]{6}$/.exec(begin.id)?.[1];
    expect(idTime).toBe(begin.at.replace(/[-:]/g, '').replace(/Z$/, ''));
    expect(begin.at.startsWith('2026-11-25T10:')).toBe(true);
  } finally {
    await repo.close();
  }
});
