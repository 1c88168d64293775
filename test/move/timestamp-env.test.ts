/**
 * An env value shaped like a timestamp is data, not a date: every CronJob a move or a rollback
 * creates carries it byte for byte. A rollback to Kubernetes re-creates the CronJob from what the
 * client read, so a read that rewrote such strings would change the job it puts back.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SINCE = '2026-01-01T00:00:00.000Z';
const definition = (backend: 'chronos' | 'kubernetes') => jobYaml('job', backend, '*/5 * * * *', { lines: `env:\n  SINCE: "${SINCE}"` });

/** The CronJob's env as the API server holds it, read without the client under test. */
async function liveEnv(repo: SandboxRepo): Promise<unknown> {
  const res = await fetch(new URL('/apis/batch/v1/namespaces/default/cronjobs/job', repo.kubernetesUrl));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { spec: { jobTemplate: { spec: { template: { spec: { containers: { env?: unknown }[] } } } } } };
  return body.spec.jobTemplate.spec.template.spec.containers[0]?.env;
}

test('a move from Chronos creates the CronJob with the env value unchanged', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: definition('chronos') } });
  try {
    const moved = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
    expect([moved.code, moved.stderr]).toEqual([0, expect.not.stringMatching(/warning|FAILED/)]);
    expect(await liveEnv(repo)).toEqual([{ name: 'SINCE', value: SINCE }]);
  } finally {
    await repo.close();
  }
});

test('a rollback to Kubernetes re-creates the CronJob with the env value unchanged', async () => {
  const repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: definition('kubernetes') } });
  try {
    expect(await liveEnv(repo)).toEqual([{ name: 'SINCE', value: SINCE }]);
    const moved = await repo.cli('move', 'job', '--to', 'chronos', '--yes', '--advance-sandbox');
    expect([moved.code, moved.stderr]).toEqual([0, expect.not.stringMatching(/warning|FAILED/)]);
    await repo.advance(600);
    const rolledBack = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
    expect([rolledBack.code, rolledBack.stderr]).toEqual([0, expect.not.stringMatching(/warning|FAILED/)]);
    expect(await liveEnv(repo)).toEqual([{ name: 'SINCE', value: SINCE }]);
  } finally {
    await repo.close();
  }
});
