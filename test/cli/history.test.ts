/**
 * `history <job>`: a job neither defined nor in the journal is an error, as in every other
 * command; a defined job with no moves lists none; a job whose file was removed after its move
 * still shows that move.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

test('history of an unknown job exits 1 naming it; a defined job with no moves, or a removed one with moves, exits 0', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/5 * * * *'), quiet: jobYaml('quiet', 'chronos', '0 3 * * *') } });
  try {
    const unknown = await repo.cli('history', 'nosuchjob');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('error: no such job: nosuchjob\n');

    expect(await repo.cli('history', 'quiet')).toMatchObject({ code: 0, stdout: 'No moves of quiet in the journal.\n' });

    expect((await repo.cli('move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
    rmSync(join(repo.dir, 'jobs', 'tick.yaml'));
    const removed = await repo.cli('history', 'tick', '-o', 'json');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject([{ job: 'tick', operation: 'move', outcome: 'done' }]);
  } finally {
    await repo.close();
  }
});
