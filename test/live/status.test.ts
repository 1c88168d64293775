/**
 * `migrate status` against both stand-ins: every verdict produced by a hand edit (the real kubectl,
 * or plain HTTP to the Chronos stand-in), one LIST call per system, an unreachable system shown as
 * such while the other half still shows, and the table as a golden file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { countingProxy, startBench, type LiveBench } from './harness.js';
import { expectGolden } from '../helpers/golden.js';
import { describeWithKubectl } from '../helpers/kubectl.js';



const job = (name: string, backend: string, schedule: string, extra = '') =>
  `name: ${name}\nbackend: ${backend}\nschedule: "${schedule}"\ncommand: [run, ${name}]\n${extra}`;

interface Row {
  name: string;
  declared: string | null;
  verdict: string;
  chronos: { present: boolean | null; enabled: boolean | null; nextRun?: string | null; lastRun?: string | null } | null;
  kubernetes: { present: boolean | null; enabled: boolean | null; lastScheduleTime?: string | null; activeRuns?: number } | null;
}

let b: LiveBench;
const suite = describeWithKubectl;

suite('status: one verdict per job, each produced by a hand edit', () => {
  beforeAll(async () => {
    b = await startBench();
    b.job('ok-chronos', job('ok-chronos', 'chronos', '15 */2 * * *'));
    b.job('ok-kubernetes', job('ok-kubernetes', 'kubernetes', '*/30 * * * *'));
    b.job('drift-kubectl', job('drift-kubectl', 'kubernetes', '0 * * * *'));
    b.job('drift-chronos', job('drift-chronos', 'chronos', '0 * * * *'));
    b.job('double-run', job('double-run', 'chronos', '*/10 * * * *'));
    b.job('orphan-suspended', job('orphan-suspended', 'kubernetes', '0 6 * * *'));
    b.job('orphan-disabled', job('orphan-disabled', 'chronos', '0 6 * * *'));
    b.job('moving', job('moving', 'chronos', '0 5 * * *'));
    const applied = await b.cli('apply', '--yes');
    expect(applied.code).toBe(0);
    // Declared on Kubernetes only now: it runs on Chronos (posted below), never applied here.
    b.job('drift-wrong-side', job('drift-wrong-side', 'kubernetes', '0 4 * * *'));

    // kubectl: change a CronJob's schedule behind migrate's back; suspend another.
    expect((await b.kubectl('patch', 'cronjob', 'drift-kubectl', '--type=merge', '-p', '{"spec":{"schedule":"5 * * * *"}}')).code).toBe(0);
    expect((await b.kubectl('patch', 'cronjob', 'orphan-suspended', '--type=merge', '-p', '{"spec":{"suspend":true}}')).code).toBe(0);
    // kubectl: the Chronos job double-run also gets a live CronJob (labelled by hand as migrate's).
    const twin = join(b.dir, 'twin.json');
    writeFileSync(twin, JSON.stringify({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'double-run', labels: { 'app.kubernetes.io/managed-by': 'migrate' } },
      spec: { schedule: '*/10 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } } } },
    }));
    expect((await b.kubectl('apply', '-f', twin)).code).toBe(0);
    // A CronJob labelled as migrate's that no definition claims: unmanaged.
    const stray = join(b.dir, 'stray.json');
    writeFileSync(stray, JSON.stringify({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'stray', labels: { 'app.kubernetes.io/managed-by': 'migrate' } },
      spec: { schedule: '0 0 * * *', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } } } },
    }));
    expect((await b.kubectl('apply', '-f', stray)).code).toBe(0);

    // Plain HTTP to Chronos: more memory for one job, disable another, a job that runs where it is not declared, and a legacy job.
    const read = async (name: string) => ((await b.chronos('GET', '/jobs')).json as Record<string, unknown>[]).find((j) => j.name === name)!;
    expect((await b.chronos('POST', '/iso8601', { ...(await read('drift-chronos')), mem: 1024 })).status).toBe(204);
    expect((await b.chronos('POST', '/iso8601', { ...(await read('orphan-disabled')), disabled: true })).status).toBe(204);
    expect((await b.chronos('POST', '/iso8601', { name: 'drift-wrong-side', command: 'run drift-wrong-side', schedule: 'R/2026-11-26T04:00:00.000Z/P1D' })).status).toBe(204);
    expect((await b.chronos('POST', '/iso8601', { name: 'legacy-cleanup', command: 'cleanup', schedule: 'R/2026-11-26T01:00:00.000Z/P1D' })).status).toBe(204);

    // An unfinished move in the journal.
    mkdirSync(join(b.dir, '.migrate'), { recursive: true });
    writeFileSync(join(b.dir, '.migrate', 'journal.jsonl'), `${JSON.stringify({
      v: 1, id: 'm-1', job: 'moving', at: '2026-11-25T10:07:00Z', kind: 'begin', operation: 'move', from: 'chronos', to: 'kubernetes', holder: 'ops@laptop:1',
      handoff: { at: '2026-11-25T10:30:00Z', previousSlot: null, nextSlot: '2026-11-26T05:00:00Z', guardSeconds: 30 },
      snapshots: { chronos: null, kubernetes: null }, definition: { file: 'jobs/moving.yaml', before: '' },
    })}\n`);

    // Let a few slots pass so last and next runs are filled in.
    await b.advance(2 * 3600);
  });
  afterAll(() => b?.close());

  test('-o json: each verdict, worst first', async () => {
    const r = await b.cli('status', '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows.map((x) => [x.name, x.verdict])).toEqual([
      ['double-run', 'double'],
      ['moving', 'in-flight'],
      ['orphan-disabled', 'orphan'],
      ['orphan-suspended', 'orphan'],
      ['drift-chronos', 'drift'],
      ['drift-kubectl', 'drift'],
      ['drift-wrong-side', 'drift'],
      ['ok-chronos', 'ok'],
      ['ok-kubernetes', 'ok'],
      ['legacy-cleanup', 'unmanaged'],
      ['stray', 'unmanaged'],
    ]);
    const byName = new Map(rows.map((x) => [x.name, x]));
    expect(byName.get('double-run')).toMatchObject({ declared: 'chronos', chronos: { present: true, enabled: true }, kubernetes: { present: true, enabled: true } });
    expect(byName.get('orphan-suspended')).toMatchObject({ declared: 'kubernetes', chronos: { present: false, enabled: false }, kubernetes: { present: true, enabled: false } });
    expect(byName.get('orphan-disabled')).toMatchObject({ chronos: { present: true, enabled: false }, kubernetes: { present: false, enabled: false } });
    expect(byName.get('drift-wrong-side')).toMatchObject({ declared: 'kubernetes', chronos: { present: true, enabled: true }, kubernetes: { present: false } });
    // 10:07 to 12:07 on the sandbox clock: "15 */2" ran at 10:15, and Chronos moved its start to 12:15.
    expect(byName.get('ok-chronos')!.chronos).toMatchObject({ nextRun: '2026-11-25T12:15:00Z' });
    expect(byName.get('ok-chronos')!.chronos!.lastRun).toMatch(/^2026-11-25T10:15/);
    expect(byName.get('ok-kubernetes')!.kubernetes).toMatchObject({ lastScheduleTime: '2026-11-25T12:00:00Z', activeRuns: expect.any(Number) });
    expect(byName.get('legacy-cleanup')).toMatchObject({ declared: null, chronos: { present: true, enabled: true } });
  });

  test('the table (golden), colour off', async () => {
    const r = await b.cli('status');
    expect(r.code).toBe(1);
    expectGolden('status', 'table.txt', r.stdout);
  });

  test('-o yaml carries the same records as -o json', async () => {
    const { parse } = await import('yaml');
    const [json, yaml] = await Promise.all([b.cli('status', '-o', 'json'), b.cli('status', '-o', 'yaml')]);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  test('exit 0 when every job shown is ok; unmanaged objects are only listed for a full status', async () => {
    const r = await b.cli('status', 'ok-chronos', 'ok-kubernetes');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Unmanaged');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('2 jobs: 2 ok.');
  });

  test('one LIST call per system, never one per job', async () => {
    const chronos = await countingProxy(b.chronosUrl);
    const kube = await countingProxy(b.sandbox.urls.kubernetes!);
    try {
      const kubeconfig = await writeSandboxKubeconfig(join(b.dir, 'proxied'), kube.url);
      const r = await b.cliWith({ MIGRATE_CHRONOS_URL: chronos.url, KUBECONFIG: kubeconfig }, 'status', '-o', 'json');
      expect(JSON.parse(r.stdout)).toHaveLength(11);
      // The Chronos client asks once for the leader before its first call.
      expect(chronos.requests.filter((q) => !q.endsWith('/leader'))).toEqual(['GET /v1/scheduler/jobs']);
      // Kubernetes: the CronJobs, and the record of moves (one LIST of its ConfigMaps per namespace).
      expect(kube.requests.map((q) => q.replace(/\?.*$/, '')).sort()).toEqual(['GET /api/v1/namespaces/default/configmaps', 'GET /apis/batch/v1/namespaces/default/cronjobs']);
    } finally {
      await Promise.all([chronos.close(), kube.close()]);
    }
  });

  test('an unreachable Chronos is reported; the Kubernetes half still shows', async () => {
    const dead = await countingProxy('http://127.0.0.1:9');
    await dead.close();
    const r = await b.cliWith({ MIGRATE_CHRONOS_URL: dead.url }, 'status', '-o', 'yaml');
    expect(r.code).toBe(1);
    const rows = (await import('yaml')).parse(r.stdout) as (Row & { chronos: { error?: string } })[];
    const okK8s = rows.find((x) => x.name === 'ok-kubernetes')!;
    expect(okK8s).toMatchObject({ verdict: 'unknown', chronos: { present: null, error: expect.stringMatching(/^cannot reach Chronos at /) }, kubernetes: { present: true, enabled: true } });
    // A double is still a double as long as both halves say so: here one cannot, so nothing is claimed.
    expect(rows.find((x) => x.name === 'double-run')!.verdict).toBe('unknown');
  });

  test('a Kubernetes API that refuses is reported; the Chronos half still shows', async () => {
    await fetch(`${b.chronosUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ system: 'kubernetes', method: 'GET', path: 'cronjobs', status: 403, times: 1 }) });
    const r = await b.cli('status', '-o', 'json');
    const rows = JSON.parse(r.stdout) as (Row & { kubernetes: { error?: string } })[];
    expect(rows.find((x) => x.name === 'ok-chronos')).toMatchObject({ verdict: 'unknown', chronos: { present: true, enabled: true }, kubernetes: { error: expect.stringContaining('lack "list" on batch/cronjobs') } });
    expect(r.code).toBe(1);
  });

  test('-o with an unknown format is refused', async () => {
    const r = await b.cli('status', '-o', 'wide');
    expect([r.code, r.stderr]).toEqual([1, 'error: -o wide is not supported by status\nUse -o table (default), -o json or -o yaml.\n']);
  });
});
