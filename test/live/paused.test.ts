/**
 * Paused jobs against both stand-ins: `paused: true` is Chronos `disabled` and CronJob `suspend`;
 * it is imported from either, `status` calls it `ok` where it is declared paused, and `apply`
 * keeps it switched off (and switches off a copy someone enabled).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const START = '2026-11-25T10:07:00Z';

interface StatusRow {
  readonly name: string;
  readonly verdict: string;
  readonly reason: string;
  readonly chronos: { readonly present: boolean; readonly enabled: boolean } | null;
  readonly kubernetes: { readonly present: boolean; readonly enabled: boolean } | null;
}

let repo: SandboxRepo;
const chronos = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${repo.chronosUrl}/v1/scheduler${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
};
const chronosJob = async (name: string) => ((await chronos('GET', '/jobs')).json as Record<string, unknown>[]).find((j) => j.name === name);
const cronJob = async (name: string) => {
  const res = await fetch(`${repo.kubernetesUrl}/apis/batch/v1/namespaces/default/cronjobs/${name}`);
  return res.ok ? ((await res.json()) as { spec: { suspend?: boolean } }) : undefined;
};
const statusRows = async (...names: string[]) => {
  const r = await repo.cli('status', '-o', 'json', ...names);
  return new Map((JSON.parse(r.stdout) as StatusRow[]).map((row) => [row.name, row]));
};

beforeAll(async () => {
  repo = await startSandboxRepo({
    start: START,
    jobs: {
      'paused-k8s': jobYaml('paused-k8s', 'kubernetes', '*/10 * * * *', { lines: 'paused: true' }),
      'paused-chronos': jobYaml('paused-chronos', 'chronos', '*/10 * * * *', { lines: 'paused: true' }),
    },
  });
});
afterAll(() => repo.close());

test('apply places a paused job switched off on either system, and nothing runs', async () => {
  expect(await chronosJob('paused-chronos')).toMatchObject({ disabled: true });
  expect((await cronJob('paused-k8s'))?.spec.suspend).toBe(true);
  await repo.advance(3600);
  expect(await repo.runs('paused-chronos')).toEqual([]);
  expect(await repo.runs('paused-k8s')).toEqual([]);
});

test('status calls a paused job switched off where declared ok, not orphan; exit 0', async () => {
  const r = await repo.cli('status', 'paused-chronos', 'paused-k8s');
  expect(r.code).toBe(0);
  const rows = await statusRows('paused-chronos', 'paused-k8s');
  expect(rows.get('paused-chronos')).toMatchObject({ verdict: 'ok', reason: 'paused on chronos as defined: it runs no slot', chronos: { present: true, enabled: false } });
  expect(rows.get('paused-k8s')).toMatchObject({ verdict: 'ok', kubernetes: { present: true, enabled: false } });
});

test('a second apply keeps it paused: nothing to change', async () => {
  const r = await repo.cli('apply', '--yes', 'paused-chronos', 'paused-k8s');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('No changes: 2 job(s) match their definitions.');
  expect(await chronosJob('paused-chronos')).toMatchObject({ disabled: true });
});

test('enabled by hand, a paused job is drift, and apply switches it off again', async () => {
  const live = await chronosJob('paused-chronos');
  expect((await chronos('POST', '/iso8601', { ...live, disabled: false })).status).toBe(204);
  const rows = await statusRows('paused-chronos');
  expect(rows.get('paused-chronos')).toMatchObject({ verdict: 'drift', reason: 'enabled on chronos, but the definition says paused: `migrate apply paused-chronos` switches it off' });
  expect((await repo.cli('apply', '--yes', 'paused-chronos')).code).toBe(0);
  expect(await chronosJob('paused-chronos')).toMatchObject({ disabled: true });
});

test('a paused job absent where declared is drift, not orphan: nothing is owed', async () => {
  repo.writeJob('paused-nowhere', jobYaml('paused-nowhere', 'kubernetes', '0 3 * * *', { lines: 'paused: true' }));
  const rows = await statusRows('paused-nowhere');
  expect(rows.get('paused-nowhere')).toMatchObject({ verdict: 'drift', reason: expect.stringContaining('absent on kubernetes') });
});

test('import from either system gives paused: true for a switched-off job, and it diffs clean', async () => {
  expect((await chronos('POST', '/iso8601', { name: 'legacy-off', command: 'cleanup', schedule: 'R/2026-11-26T01:00:00.000Z/P1D', disabled: true, container: { type: 'DOCKER', image: 'registry.example.com/app:1.2' } })).status).toBe(204);
  const fromChronos = await repo.cli('import', '--from', 'chronos', 'legacy-off', '--write');
  expect([fromChronos.code, fromChronos.stderr]).toEqual([0, expect.not.stringMatching(/^error/m)]);
  expect(parse(readFileSync(join(repo.dir, 'jobs', 'legacy-off.yaml'), 'utf8'))).toMatchObject({ name: 'legacy-off', backend: 'chronos', paused: true });
  expect((await repo.cli('diff', 'legacy-off')).code).toBe(0);
  expect((await statusRows('legacy-off')).get('legacy-off')).toMatchObject({ verdict: 'ok' });

  // Kubernetes: the suspended CronJob placed above.
  const fromKubernetes = await repo.cli('import', '--from', 'k8s', 'paused-k8s');
  expect(fromKubernetes.code).toBe(0);
  expect(parse(fromKubernetes.stdout)).toMatchObject({ name: 'paused-k8s', backend: 'kubernetes', paused: true });
});
