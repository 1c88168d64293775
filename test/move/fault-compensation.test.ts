/**
 * The move fails and so does putting the job back: the job is enabled nowhere. The move must stay
 * unfinished in the journal (status: in-flight) so that the resume or rollback the message
 * recommends can finish it, and the Kubernetes copy must not be lost on the way.
 */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';

test.each<[string, 'resume' | 'rollback', string, string]>([
  ['resume finishes the move', 'resume', 'chronos', 'done: finished: job runs on chronos from 2026-11-25T10:15:00Z.'],
  ['rollback puts it back on Kubernetes', 'rollback', 'kubernetes', 'done: rolled back: job runs on kubernetes again from 2026-11-25T10:15:00Z; chronos is disabled.'],
])('Kubernetes -> Chronos: the Chronos POST fails, then the put-back create fails; %s', async (_, finish, endsOn, said) => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'kubernetes', SCHEDULE) } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    await repo.fault({ system: 'chronos', method: 'POST', path: '/iso8601$', status: 500 });
    await repo.fault({ system: 'kubernetes', method: 'POST', path: '/cronjobs$', status: 500 });
    const moved = await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox');
    expect(moved.code).toBe(1);
    expect(moved.stdout).toContain('could NOT put the job back (create CronJob default/job failed: 500 InternalError)');
    expect(moved.stdout).toContain('Run `migrate status job`, then `migrate resume job` or `migrate rollback job`.');

    const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as { verdict: string; kubernetes: { present: boolean } }[];
    expect(status).toMatchObject([{ verdict: 'in-flight', kubernetes: { present: true, enabled: false } }]);

    const r = await repo.cli(finish, 'job', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining(said)]);
    expect(JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ declared: endsOn, verdict: 'ok' }]);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: (slot) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') ? 'kubernetes' : (endsOn as 'chronos')) });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});
