/**
 * Benchmark of the Kubernetes stand-in (run on demand, not in `npm test`):
 *   npx tsc -p tsconfig.json && node dist/bench/kubernetes.js
 * 10,000 CronJobs held by the stand-in, listed through the client (pages of 500) and through
 * the real kubectl (table and JSON), each beside a baseline from the same run (a bare fetch and
 * parse; kubectl against a replay of the same bytes), plus a virtual day of the controller over
 * 100 CronJobs. Figures are recorded in docs/kubernetes.md and docs/performance.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CRONJOBS } from '../backends/kubernetes/api-server/resources.js';
import { KubernetesStandIn } from '../backends/kubernetes/api-server/server.js';
import { KubernetesClient } from '../backends/kubernetes/client.js';
import { sandboxKubeconfig } from '../backends/kubernetes/kubeconfig.js';
import { SandboxClock } from '../src/sandbox/clock.js';
import { FaultInjector } from '../src/sandbox/faults.js';
import { RunLedger } from '../src/sandbox/ledger.js';
import { createStandInServer, listenLocal, type SandboxContext } from '../src/sandbox/stand-in.js';

const T0 = new Date('2026-11-01T00:00:00Z');

function ms(from: number): string {
  return `${(performance.now() - from).toFixed(0)} ms`;
}

function cronJob(i: number, schedule: string): Record<string, unknown> {
  return {
    metadata: { name: `job-${String(i).padStart(5, '0')}`, labels: { 'app.kubernetes.io/managed-by': 'migrate', tier: i % 3 === 0 ? 'gold' : 'tin' } },
    spec: {
      schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 1200,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example.com/task:1.4', args: ['--id', String(i)], env: [{ name: 'RAILS_ENV', value: 'production' }] }] } } } },
    },
  };
}

async function main(): Promise<void> {
  const ctx: SandboxContext = { clock: new SandboxClock('virtual', T0), ledger: new RunLedger(), faults: new FaultInjector() };
  const standIn = new KubernetesStandIn(ctx);
  const server = createStandInServer(standIn, ctx);
  const url = `http://127.0.0.1:${await listenLocal(server, 0)}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-k8s-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, sandboxKubeconfig({ server: url }));

  let t = performance.now();
  for (let i = 0; i < 10_000; i++) standIn.store.create(CRONJOBS, 'default', cronJob(i, `${i % 60} ${i % 24} * * *`), { manager: 'bench' });
  console.log(`10,000 CronJobs created in the store (defaults, validation, managedFields): ${ms(t)}`);
  t = performance.now();
  standIn.controller.fireDue(ctx.clock.now());
  console.log(`first controller sync of 10,000 CronJobs: ${ms(t)}`);

  const client = new KubernetesClient({ kubeconfig });
  for (let round = 1; round <= 3; round++) {
    t = performance.now();
    const all = await client.listCronJobs();
    console.log(`client.listCronJobs() of ${all.length} (pages of 500), round ${round}: ${ms(t)}`);
  }
  // The baseline: the same 20 pages fetched and parsed with nothing else done.
  for (let round = 1; round <= 3; round++) {
    t = performance.now();
    let count = 0;
    let cont: string | undefined;
    do {
      const page = (await (await fetch(`${url}/apis/batch/v1/namespaces/default/cronjobs?limit=500${cont ? `&continue=${cont}` : ''}`)).json()) as { items: unknown[]; metadata: { continue?: string } };
      count += page.items.length;
      cont = page.metadata.continue;
    } while (cont);
    console.log(`baseline: fetch + JSON.parse of the same ${count} in pages of 500, round ${round}: ${ms(t)}`);
  }
  t = performance.now();
  const gold = await client.listCronJobs('tier=gold', 10_000);
  console.log(`client.listCronJobs('tier=gold') in one page (${gold.length} hits): ${ms(t)}`);

  if (existsSync('/usr/bin/kubectl')) {
    // The baseline: the same kubectl against a server that only replays, byte for byte, what the
    // stand-in answered it (recorded on a first pass). Whatever time the stand-in run takes beyond
    // the replay run is the stand-in's; the rest is kubectl's own (decoding, printing, and its
    // client-side rate limit of 5 requests a second after a burst of 10).
    const replay = await replayServer(url);
    const kubectlRuns: readonly (readonly string[])[] = [
      ['get', 'cronjobs'],
      ['get', 'cronjobs', '--chunk-size=0'],
      ['get', 'cronjobs', '-o', 'json'],
      ['get', 'cronjobs', '-o', 'json', '--chunk-size=0'],
      ['get', 'cronjobs', '-l', 'tier=gold'],
    ];
    for (const args of kubectlRuns) {
      replay.recording = true;
      await kubectl(replay.kubeconfig, join(dir, `record-${args.join('')}`), args);
      replay.recording = false;
      const live = await kubectl(kubeconfig, join(dir, `live-${args.join('')}`), args);
      const replayed = await kubectl(replay.kubeconfig, join(dir, `replay-${args.join('')}`), args);
      console.log(
        `kubectl ${args.join(' ')} (${live.lines} lines): its ${live.requests} LIST requests ${live.listMs} ms by its own log; ` +
          `the whole process (cold cache) ${live.ms.toFixed(0)} ms against the stand-in, ${replayed.ms.toFixed(0)} ms against its replay (ratio ${(live.ms / replayed.ms).toFixed(2)})`,
      );
    }
    replay.close();
  } else console.log('kubectl not installed: kubectl figures skipped');
  server.close();
  server.closeAllConnections();

  // A virtual day of the controller over 100 CronJobs firing every 15 minutes.
  const dayCtx: SandboxContext = { clock: new SandboxClock('virtual', T0), ledger: new RunLedger(), faults: new FaultInjector() };
  const day = new KubernetesStandIn(dayCtx);
  for (let i = 0; i < 100; i++) day.store.create(CRONJOBS, 'default', cronJob(i, '*/15 * * * *'), { manager: 'bench' });
  t = performance.now();
  dayCtx.clock.advance(24 * 3600);
  console.log(`a virtual day, 100 CronJobs every 15 min (${dayCtx.ledger.all().length} Jobs run): ${ms(t)}`);
}

interface KubectlRun {
  readonly ms: number;
  readonly lines: number;
  readonly requests: number;
  /** The LIST requests' round trips as kubectl itself times them (its `-v=6` request log). */
  readonly listMs: number;
}

/** Runs the real kubectl asynchronously (the stand-in answers on this same event loop). */
async function kubectl(kubeconfig: string, cacheDir: string, args: readonly string[]): Promise<KubectlRun> {
  const t = performance.now();
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, '-v=6', ...args], { maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(err) : resolve({ stdout, stderr }),
    );
  });
  const ms = performance.now() - t;
  const lists = stderr.split('\n').flatMap((l) => / GET \S+\/cronjobs\S* 200 OK in (\d+) milliseconds/.exec(l)?.[1] ?? []);
  return { ms, lines: stdout.split('\n').length - 1, requests: lists.length, listMs: lists.reduce((sum, n) => sum + Number(n), 0) };
}

/**
 * A server that forwards to `upstream` and remembers each answer while `recording`, then answers
 * from memory alone: the cost of serving the same bytes with no work.
 */
async function replayServer(upstream: string): Promise<{ kubeconfig: string; recording: boolean; close(): void }> {
  const answers = new Map<string, { status: number; headers: http.OutgoingHttpHeaders; body: Buffer }>();
  const state = { recording: true };
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url} ${req.headers.accept ?? ''}`;
    const known = answers.get(key);
    if (!state.recording && known) {
      res.writeHead(known.status, known.headers);
      res.end(known.body);
      return;
    }
    const forward = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = { ...up.headers, 'content-length': body.length, 'transfer-encoding': undefined };
        delete headers['transfer-encoding'];
        answers.set(key, { status: up.statusCode ?? 502, headers, body });
        res.writeHead(up.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    req.pipe(forward);
  });
  const port = await listenLocal(server, 0);
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'bench-k8s-replay-')), 'kubeconfig');
  writeFileSync(kubeconfig, sandboxKubeconfig({ server: `http://127.0.0.1:${port}` }));
  return {
    kubeconfig,
    get recording() {
      return state.recording;
    },
    set recording(on: boolean) {
      state.recording = on;
    },
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
