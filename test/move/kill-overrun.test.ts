/**
 * The client dies while its disable request is held; the request reaches the server after the
 * source ran the next slot. `resume` must go by what the source did, not by the journal's plan.
 */
import { jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';
import { killedMove } from './kill-bench.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';

test.each(['resume', 'rollback'] as const)('Kubernetes -> Chronos, the suspend lands after 10:15 ran, the client dies before recording it: %s', async (finish) => {
  const repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'kubernetes', SCHEDULE) } });
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    await repo.fault({ system: 'kubernetes', method: 'PATCH', path: '^/apis/batch/v1/namespaces/default/cronjobs/job$', delayMs: 300 });
    const killed = killedMove(repo, 'kubernetes', 'chronos', { name: 'disabled', record: 'source-disabled', when: 'before', sourceDisabled: true });
    while (((await (await fetch(`${repo.chronosUrl}/_sandbox/faults`)).json()) as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 5));
    await repo.advance(4 * 60);
    expect(await killed).toBe('killed');

    const r = await repo.cli(finish, 'job', '--yes', '--advance-sandbox');
    expect(r.code).toBe(0);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
    expect(v.problems).toEqual([]);
  } finally {
    await repo.close();
  }
});
