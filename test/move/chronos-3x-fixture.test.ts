/**
 * Issue 13's "done when": realistic Chronos 3.x jobs (test/fixtures/chronos-3x/jobs.json: shell,
 * arguments, docker with volumes, a dependent, a disabled job, secrets, constraints, uris, odd
 * names, zones, a finite repeat, PT90M) posted to the sandbox go through import -> validate ->
 * status -> move -> rollback. Every field is carried, or named in the output as not carried;
 * the ledger shows every slot exactly once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkLedger, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const FIXTURE = join(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/chronos-3x/jobs.json');
const JOBS = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ({ name: string; parents?: string[] } & Record<string, unknown>)[];
const START = '2026-11-25T10:07:00Z';
/** Jobs no definition can express: each is named, with why, and left on Chronos. */
const SKIPPED: Record<string, RegExp> = {
  'report-after-etl': /a dependent job \(runs after shell-etl\)/,
  'five-more': /R5 runs 5 more times and stops/,
  'every-90m': /PT90M is not on a cron grid/,
};
/** The imported jobs moved to Kubernetes and back: each has an image. */
const MOVED = ['docker-etl', 'etl-daily-v2', 'ruby-args', 'berlin-nightly'];

interface Definition {
  readonly name: string;
  readonly schedule: string;
  readonly timezone?: string;
  readonly paused?: boolean;
  readonly specific?: { readonly chronos?: Record<string, unknown> };
}

let repo: SandboxRepo;
const definitions = (): Definition[] =>
  readdirSync(join(repo.dir, 'jobs')).map((f) => parse(readFileSync(join(repo.dir, 'jobs', f), 'utf8')) as Definition);

beforeAll(async () => {
  repo = await startSandboxRepo({ start: START, apply: false });
  for (const job of JOBS) {
    const res = await fetch(`${repo.chronosUrl}/v1/scheduler/${job.parents ? 'dependency' : 'iso8601'}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(job) });
    expect(res.status).toBe(204);
  }
});
afterAll(() => repo.close());

test('the fixture is at least 15 jobs', () => {
  expect(JOBS.length).toBeGreaterThanOrEqual(15);
});

test('import: every job is imported or named as not imported with why; what does not carry is said', async () => {
  const r = await repo.cli('import', '--from', 'chronos', '--write');
  expect(r.code).toBe(1);
  for (const [job, why] of Object.entries(SKIPPED)) {
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toContain(`error: ${job}: not imported`);
  }
  const written = r.stdout.split('\n').filter(Boolean);
  expect(written).toHaveLength(JOBS.length - Object.keys(SKIPPED).length);
  expect(r.stderr).not.toContain('hunter2');
  // What has no neutral field is carried, and said.
  const byName = new Map(definitions().map((d) => [d.name, d]));
  expect(byName.get('etl-daily-v2')?.specific?.chronos).toEqual({ name: 'ETL_Daily.v2' });
  expect(byName.get('rack-pinned')?.specific?.chronos).toEqual({ constraints: [['rack', 'EQUALS', 'r1'], ['hostname', 'LIKE', 'batch-.*']] });
  expect(byName.get('disabled-cleanup')?.paused).toBe(true);
  for (const d of byName.values()) {
    for (const field of Object.keys(d.specific?.chronos ?? {}).filter((f) => f !== 'name' && f !== 'container')) {
      expect(r.stderr).toContain(`warning: ${JOBS.find((j) => j.name === d.name) ? d.name : d.specific!.chronos!.name}: ${field} `);
    }
  }
  expect(r.stderr).toContain('warning: docker-etl: docker parameters --memory-swap=1g --label=team=data: no equivalent outside Chronos');
  // The one job whose definition does not post back the same: import says which fields and why.
  const changes = r.stderr.split('\n').filter((l) => l.includes('applied back as written'));
  expect(changes).toEqual([expect.stringMatching(/^warning: invoice-sync: applied back as written, it changes environmentVariables on Chronos .*env\.DB_PASSWORD/)]);
});

test('validate: valid; the secrets Chronos cannot read are warnings at their line', async () => {
  const r = await repo.cli('validate');
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(
    'jobs/invoice-sync.yaml:9:5: warning: dropped in translation: env.DB_PASSWORD reads Kubernetes Secret invoice-sync/DB_PASSWORD, which Chronos cannot reference\n' +
      'jobs/invoice-sync.yaml:13:5: warning: dropped in translation: env.AWS_SECRET_ACCESS_KEY reads Kubernetes Secret invoice-sync/AWS_SECRET_ACCESS_KEY, which Chronos cannot reference\n',
  );
  expect((await repo.cli('validate', '--strict')).code).toBe(1);
});

test('status and diff: every imported job is ok but the one import named; the others are dependent or unmanaged', async () => {
  const s = await repo.cli('status', '-o', 'json');
  const rows = JSON.parse(s.stdout) as { name: string; verdict: string }[];
  const verdicts = Object.fromEntries(rows.map((row) => [row.name, row.verdict]));
  const imported = definitions().map((d) => d.name);
  expect(Object.fromEntries(imported.map((n) => [n, verdicts[n]]))).toEqual(Object.fromEntries(imported.map((n) => [n, n === 'invoice-sync' ? 'drift' : 'ok'])));
  expect(verdicts['report-after-etl']).toBe('dependent');
  expect([verdicts['five-more'], verdicts['every-90m']]).toEqual(['unmanaged', 'unmanaged']);
  const diff = await repo.cli('diff');
  expect(diff.stdout.match(/^\+\+\+ DESIRED .*$/gm)).toEqual(['+++ DESIRED chronos/invoice-sync']);
});

test('move: a command job without an image is refused with where to set one; the plan lists what Kubernetes drops', async () => {
  const refused = await repo.cli('move', 'rack-pinned', '--to', 'k8s', '--yes');
  expect(refused.code).toBe(1);
  expect(`${refused.stdout}${refused.stderr}`).toContain('rack-pinned cannot run on kubernetes: a job that runs on Kubernetes needs an image; set image here or defaults.image in migrate.yaml');
  const plan = await repo.cli('move', 'docker-etl', '--to', 'k8s', '--dry-run');
  expect(plan.stdout).toContain('! dropped in translation: specific.chronos.container ({"parameters":[{"key":"memory-swap","value":"1g"},{"key":"label","value":"team=data"}],"volumes":[{"containerPath":"scratch","mode":"RW"}]})');
});

test('move to Kubernetes and roll back: the container maps to the pod and back; every slot of every job ran exactly once', async () => {
  for (const job of MOVED) {
    const r = await repo.cli('move', job, '--to', 'k8s', '--yes', '--advance-sandbox');
    expect([job, r.code, r.stderr]).toEqual([job, 0, expect.anything()]);
  }
  const cronJob = (await (await fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/cronjobs/docker-etl`)).json()) as { spec: { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } } };
  expect(cronJob.spec.jobTemplate.spec.template.spec).toMatchObject({
    volumes: [{ name: 'host-0', hostPath: { path: '/srv/etl' } }, { name: 'host-1', hostPath: { path: '/etc/etl' } }],
    containers: [{ image: 'registry.example.com/etl:4.2', imagePullPolicy: 'Always', volumeMounts: [{ name: 'host-0', mountPath: '/data' }, { name: 'host-1', mountPath: '/etc/etl', readOnly: true }] }],
  });
  expect((await fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/cronjobs/etl-daily-v2`)).status).toBe(200);
  // Past 02:30Z, so that the daily Berlin job runs on Kubernetes too.
  await repo.advance(17 * 3600);
  for (const job of MOVED) {
    const r = await repo.cli('rollback', job, '--yes', '--advance-sandbox');
    expect([job, r.code, r.stderr]).toEqual([job, 0, expect.anything()]);
  }
  await repo.advance(3 * 3600);
  // Back on Chronos, each rolled-back job is as it was: container parameters, volumes and all.
  const diff = await repo.cli('diff', ...MOVED);
  expect([diff.code, diff.stdout]).toEqual([0, '']);

  const ledger = await repo.runs();
  for (const d of definitions().filter((x) => !x.paused)) {
    const names = new Set([d.name, d.specific?.chronos?.name as string | undefined].filter((n): n is string => n !== undefined));
    const runs = ledger.filter((e) => names.has(e.job)).map((e) => ({ ...e, job: d.name }));
    const v = checkLedger(runs, d.name, { after: new Date(START), until: new Date(repo.now().getTime() - 1000), schedule: d.schedule, timezone: d.timezone ?? 'Etc/UTC' });
    expect([d.name, v.problems]).toEqual([d.name, []]);
    if (MOVED.includes(d.name)) expect([d.name, v.runs.some((e) => e.system === 'kubernetes')]).toEqual([d.name, true]);
  }
  expect(ledger.some((e) => e.job === 'disabled-cleanup')).toBe(false);
});
