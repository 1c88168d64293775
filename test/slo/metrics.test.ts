/**
 * `slo --serve`: a scrape of the endpoint, parsed by a Prometheus text-format parser, gives the
 * figures of `slo -o json` at the same instant (the sandbox's virtual clock stands still between
 * the two), labelled `cronjob` and `namespace` as kube-state-metrics labels a CronJob.
 */
import { getMetricsFromIterator, type PromData, type PromHistogramData, type PromMetrics } from 'prom2javascript';
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import { metricsUrl, parseListenAddress } from '../../src/cli/metrics-endpoint.js';
import { START_LATENCY_BUCKETS } from '../../src/cli/slo-metrics.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import type { CliResult } from '../helpers/cli.js';

interface SystemJson { readonly owed: number; readonly runs: number; readonly missed: number; readonly late: number; readonly failed: number; readonly killed: number; readonly waiting: number | null }
interface JobJson {
  readonly job: string;
  readonly met: boolean;
  readonly slots: number;
  readonly judged: number;
  readonly onTime: number;
  readonly pending: number;
  readonly unverified: number;
  readonly finished: number;
  readonly startingDeadlineSeconds: number;
  readonly startAttainment: number;
  readonly completionAttainment: number;
  readonly doubled: readonly unknown[];
  readonly missed: readonly unknown[];
  readonly late: readonly { readonly system: string; readonly latencySeconds: number }[];
  readonly latencySeconds: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly systems: Readonly<Record<string, SystemJson>>;
}
interface SloJson {
  readonly window: { readonly from: string; readonly until: string };
  readonly fleet: Readonly<Record<string, number | boolean>>;
  readonly jobs: readonly JobJson[];
}

let repo: SandboxRepo;
afterEach(async () => {
  await repo?.close();
});

/** Starts `slo --serve` in-process; resolves its URL once it listens, and a stop that ends it. */
async function serve(argv: readonly string[]): Promise<{ url: string; stop: () => Promise<CliResult> }> {
  const interrupt = new AbortController();
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const done = repo.cliWith(['slo', ...argv], {
    interrupted: interrupt.signal,
    onStderr: (text) => {
      const m = /at (http:\/\/\S+\/metrics)/.exec(text);
      if (m) listening(m[1]!);
    },
  });
  const first = await Promise.race([url, done.then((r) => r)]);
  if (typeof first !== 'string') throw new Error(`slo --serve ended at once (${first.code}): ${first.stdout}${first.stderr}`);
  return { url: first, stop: () => (interrupt.abort(), done) };
}

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The value of the gauge `name` with exactly these labels, if the scrape has it. */
function sample(metrics: PromMetrics, name: string, labels: Readonly<Record<string, string>>): number | undefined {
  const family = metrics[name];
  if (family === undefined) return undefined;
  expect(family.type).toBe('gauge');
  return (family.data as PromData[]).find((d) => sameLabels(d.labels, labels))?.value;
}

test('a scrape parses as Prometheus text and its figures match slo -o json, job by job and system by system', async () => {
  repo = await startSandboxRepo({
    start: '2026-11-25T09:00:30Z',
    chronos: { jobHistoryLimit: 200 },
    jobs: {
      tick: jobYaml('tick', 'chronos', '*/10 * * * *'),
      hourly: jobYaml('hourly', 'chronos', '0 * * * *'),
      nightly: jobYaml('nightly', 'kubernetes', '*/15 * * * *', { lines: 'namespace: team-a' }),
    },
    apply: false,
  });
  const ns = await fetch(`${repo.kubernetesUrl}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }) });
  expect(ns.status).toBe(201);
  expect((await repo.cli('apply', '--yes')).code).toBe(0);
  const kube = new KubernetesClient({ kubeconfig: repo.kubeconfig, namespace: 'team-a', sleep: async () => {}, clock: repo.sandbox.ctx.clock });
  await kube.mergePatch('nightly', { spec: { successfulJobsHistoryLimit: 50, failedJobsHistoryLimit: 5 } });
  const imperfect = (rule: Record<string, unknown>) => fetch(`${repo.chronosUrl}/_sandbox/imperfections`, { method: 'POST', body: JSON.stringify(rule) });
  await imperfect({ system: 'chronos', job: 'hourly', kind: 'late', seconds: 1500, slot: '2026-11-25T10:00:00Z' });
  await imperfect({ system: 'kubernetes', job: 'nightly', kind: 'fail', slot: '2026-11-25T09:30:00Z' });
  await imperfect({ system: 'kubernetes', job: 'nightly', kind: 'pending', slot: '2026-11-25T11:00:00Z' });
  await imperfect({ system: 'kubernetes', job: 'tick', kind: 'late', seconds: 300, slot: '2026-11-25T10:20:00Z' });
  await repo.advanceTo('2026-11-25T09:45:00Z');
  expect((await repo.cli('move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.advanceTo('2026-11-25T11:10:30Z');

  const json = JSON.parse((await repo.cli('slo', '-o', 'json', '--since', '3h')).stdout) as SloJson;
  const server = await serve(['--since', '3h', '--serve', '127.0.0.1:0']);
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const families = await getMetricsFromIterator((await res.text()).split('\n')[Symbol.iterator]());
  expect((await server.stop()).code).toBe(0);

  // The scenario has something to show: a late start, a failure, a Pod Pending, both systems.
  expect(json.fleet).toMatchObject({ late: 1, failed: 1, waiting: 1, met: false });
  expect(json.jobs).toHaveLength(3);
  const namespaces: Readonly<Record<string, string>> = { tick: 'default', hourly: 'default', nightly: 'team-a' };
  let compared = 0;
  for (const j of json.jobs) {
    const labels = { cronjob: j.job, namespace: namespaces[j.job]! };
    const perJob: [string, number][] = [
      ['migrate_slo_slots', j.slots], ['migrate_slo_judged_slots', j.judged], ['migrate_slo_on_time_slots', j.onTime],
      ['migrate_slo_open_slots', j.pending], ['migrate_slo_unverified_slots', j.unverified], ['migrate_slo_doubled_slots', j.doubled.length],
      ['migrate_slo_finished_runs', j.finished], ['migrate_slo_start_deadline_seconds', j.startingDeadlineSeconds],
      ['migrate_slo_start_attainment_ratio', j.startAttainment], ['migrate_slo_completion_attainment_ratio', j.completionAttainment],
      ['migrate_slo_objectives_met', j.met ? 1 : 0],
    ];
    for (const [name, value] of perJob) {
      expect([j.job, name, sample(families, name, labels)]).toEqual([j.job, name, value]);
      compared++;
    }
    const q = (quantile: string) => sample(families, 'migrate_slo_start_latency_quantile_seconds', { ...labels, quantile });
    expect([q('0.5'), q('0.99'), q('1')]).toEqual(j.latencySeconds ? [j.latencySeconds.p50, j.latencySeconds.p99, j.latencySeconds.max] : [undefined, undefined, undefined]);

    const histogram = families.migrate_slo_start_latency_seconds!;
    expect(histogram.type).toBe('histogram');
    let observed = 0;
    for (const [system, s] of Object.entries(j.systems)) {
      const sl = { ...labels, system };
      const perSystem: [string, number | null][] = [
        ['migrate_slo_owed_slots', s.owed], ['migrate_slo_runs', s.runs], ['migrate_slo_missed_slots', s.missed], ['migrate_slo_late_starts', s.late],
        ['migrate_slo_failed_runs', s.failed], ['migrate_slo_killed_runs', s.killed], ['migrate_slo_pending_pods', s.waiting], ['migrate_slo_read_ok', 1],
      ];
      for (const [name, value] of perSystem) {
        expect([j.job, system, name, sample(families, name, sl) ?? null]).toEqual([j.job, system, name, value]);
        compared++;
      }
      const h = (histogram.data as PromHistogramData[]).find((d) => sameLabels(d.labels, sl))!;
      expect(Object.keys(h.buckets).sort((a, b) => Number(a) - Number(b))).toEqual([...START_LATENCY_BUCKETS.map(String), '+Inf'].sort((a, b) => Number(a) - Number(b)));
      observed += h.count;
      // Every observation is at most the job's max; a late start lies beyond the start window.
      if (j.latencySeconds) {
        const atMax = START_LATENCY_BUCKETS.find((b) => b >= j.latencySeconds!.max);
        expect(h.buckets[atMax === undefined ? '+Inf' : String(atMax)]).toBe(h.count);
      }
      // Late starts are the observations beyond the start window (every one here started).
      expect(h.count - h.buckets['1200']!).toBe(j.late.filter((l) => l.system === system).length);
    }
    // One observation per judged slot that started: the judged slots but the missed ones.
    expect(observed).toBe(j.judged - j.missed.length);
  }
  expect(compared).toBe(3 * 11 + (2 + 2 + 2) * 8);

  const fleet = (name: string) => sample(families, `migrate_slo_fleet_${name}`, {});
  expect([
    fleet('jobs'), fleet('slots'), fleet('judged_slots'), fleet('on_time_slots'), fleet('unverified_slots'), fleet('missed_slots'), fleet('doubled_slots'),
    fleet('late_starts'), fleet('failed_runs'), fleet('finished_runs'), fleet('pending_pods'), fleet('read_errors'),
    fleet('start_attainment_ratio'), fleet('completion_attainment_ratio'), fleet('objectives_met'),
  ]).toEqual([
    json.fleet.jobs, json.fleet.slots, json.fleet.judged, json.fleet.onTime, json.fleet.unverified, json.fleet.missed, json.fleet.doubled,
    json.fleet.late, json.fleet.failed, json.fleet.finished, json.fleet.waiting, json.fleet.errors,
    json.fleet.startAttainment, json.fleet.completionAttainment, json.fleet.met ? 1 : 0,
  ]);
  expect(sample(families, 'migrate_slo_window_seconds', {})).toBe(3 * 3600);
});

test('--serve binds 127.0.0.1 unless given a host; a bad address and -o are refused', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T09:00:30Z', jobs: { tick: jobYaml('tick', 'chronos', '*/10 * * * *') } });
  expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
  expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
  expect(metricsUrl({ host: '::1', port: 9464 })).toBe('http://[::1]:9464/metrics');

  const server = await serve(['--serve', '0']);
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
  const stopped = await server.stop();
  expect([stopped.code, stopped.stderr]).toEqual([0, expect.stringContaining('migrate slo: stopped serving')]);

  const bad = await repo.cli('slo', '--serve', 'localhost');
  expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('error: --serve localhost is not an address to listen on')]);
  const withFormat = await repo.cli('slo', '--serve', ':0', '-o', 'json');
  expect([withFormat.code, withFormat.stderr]).toEqual([1, expect.stringContaining('error: -o json does not apply to --serve')]);
});
