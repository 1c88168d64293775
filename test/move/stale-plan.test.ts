/** A plan is only as good as what it read: a change between preview and confirmation refuses the move. */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
let repo: SandboxRepo;
afterEach(() => repo.close());

const patchCronJob = (patch: unknown) =>
  fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/cronjobs/job`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
const cronJob = async () => (await (await fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/cronjobs/job`)).json()) as { spec: { suspend?: boolean; jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } } };
const chronosJob = async () => (await (await fetch(`${repo.chronosUrl}/v1/scheduler/job/job`)).json()) as Record<string, unknown>;
const postChronos = (job: unknown) => fetch(`${repo.chronosUrl}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(job) });

test.each<[string, 'chronos' | 'kubernetes', () => Promise<void>, () => Promise<void>]>([
  ['the source CronJob edited (image)', 'kubernetes', async () => {
    const res = await patchCronJob({ spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'main', image: 'registry.example.com/app:9.9' }] } } } } } });
    expect(res.status).toBe(200);
  }, async () => {
    expect((await cronJob()).spec.jobTemplate.spec.template.spec.containers[0]!.image).toBe('registry.example.com/app:9.9');
  }],
  ['the source CronJob suspended by hand', 'kubernetes', async () => {
    expect((await patchCronJob({ spec: { suspend: true } })).status).toBe(200);
  }, async () => {
    expect((await cronJob()).spec.suspend).toBe(true);
  }],
  ['the source Chronos job re-posted with another command', 'chronos', async () => {
    expect((await postChronos({ ...(await chronosJob()), command: '/bin/false' })).status).toBe(204);
  }, async () => {
    expect((await chronosJob()).command).toBe('/bin/false');
  }],
])('%s between preview and "yes": refused with the command to re-run, nothing changed', async (_, from, edit, stands) => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', from, SCHEDULE) } });
  const to = from === 'chronos' ? 'kubernetes' : 'chronos';
  const definition = repo.readJob('job');
  let asked = '';
  const r = await repo.cliWith(['move', 'job', '--to', to, '--advance-sandbox'], {
    prompt: async (question) => {
      asked = question;
      await edit();
      return 'yes';
    },
  });
  expect(asked).toMatch(/^Move 1 job as planned above\?/);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`FAILED: the plan is stale: job changed in Chronos or Kubernetes since the preview; nothing was changed. Re-run: migrate move job --to ${to} --advance-sandbox\n`);
  expect(repo.journal()).toEqual([]);
  expect(repo.readJob('job')).toBe(definition);
  const status = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as Record<string, { present?: boolean }>[];
  expect(status[0]![to]!.present).toBe(false);
  // The edit stands; the move did not undo or overwrite it.
  await stands();
});

test('a run of the source between preview and "yes" is not a change: the move goes ahead', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  const r = await repo.cliWith(['move', 'job', '--to', 'k8s', '--advance-sandbox'], {
    prompt: async () => {
      await repo.advance(5 * 60); // Chronos runs 10:10 and rewrites its schedule string
      return 'yes';
    },
  });
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date('2026-11-25T10:07:00Z'), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

test('anything but "yes" cancels: nothing changed', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  const r = await repo.cliWith(['move', 'job', '--to', 'k8s'], { prompt: async () => 'y' });
  expect([r.code, r.stderr]).toEqual([1, 'Cancelled: nothing changed.\n']);
  expect(repo.journal()).toEqual([]);
});
