/** The journal cannot be written at some step (a full disk): the move is put back, and what it says about the definition is true. */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';
import type { KillPoint } from './kill-bench.js';
import { killedMove } from './kill-bench.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const at = (record: string): KillPoint => ({ name: record, record, when: 'after', sourceDisabled: true });

test.each(['source-disabled', 'target-enabled', 'verified', 'definition-written', 'done'])('the journal fails at %s', async (record) => {
  const original = jobYaml('job', 'chronos', SCHEDULE);
  const repo = await startSandboxRepo({ start: START, jobs: { job: original } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    const outcome = await killedMove(repo, 'chronos', 'kubernetes', at(record), true);
    expect(outcome).toBeInstanceOf(Error);
    const message = (outcome as Error).message;
    expect(message).toContain('ENOSPC');
    expect(message).toContain('Put back: job runs on chronos again');
    const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { declared: string; verdict: string }[];
    // What it says about the definition holds: the file says where the job runs.
    expect(message).toContain('the definition is unchanged');
    expect(repo.readJob('job')).toBe(original);
    expect(status).toMatchObject([{ declared: 'chronos', verdict: expect.stringMatching(/^(ok|in-flight)$/) }]);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: () => 'chronos' });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});
