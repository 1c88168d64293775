/**
 * Benchmark of `migrate status` (run on demand, not in `npm test`):
 *   npx tsc -p tsconfig.json && node dist/bench/status.js [sizes...]   (default: 500 5000)
 * For each size N: N job definitions (half declared on Chronos, half on Kubernetes, each live where
 * declared), served by the sandbox on 127.0.0.1. It times `status -o json` in-process, counts the
 * API calls it makes (through counting proxies), and times the baseline an operator would run by
 * hand in the same process: `kubectl get cronjobs -o json` plus one Chronos list. Figures are
 * recorded in docs/live-view.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChronosClient } from '../backends/chronos/client.js';
import { readChronosJob } from '../backends/chronos/model.js';
import type { ChronosStandIn } from '../backends/chronos/stand-in.js';
import { writeSandboxKubeconfig } from '../backends/kubernetes/kubeconfig.js';
import type { KubernetesStandIn } from '../backends/kubernetes/api-server/server.js';
import { RESOURCES } from '../backends/kubernetes/api-server/resources.js';
import { renderCronJob } from '../backends/kubernetes/render.js';
import { renderChronosJob } from '../backends/chronos/render.js';
import type { CliIO } from '../src/cli/io.js';
import { run } from '../src/cli/run.js';
import { FixedClock } from '../src/core/clock.js';
import { readDefinition } from '../src/core/definition.js';
import { BACKEND_NAMES } from '../backends/names.js';
import { emptyProject } from '../src/core/project.js';
import { startSandbox } from '../src/sandbox/sandbox.js';

const START = new Date('2026-11-25T10:07:00Z');
const KUBECTL = '/usr/bin/kubectl';
const CRONJOBS = RESOURCES.find((r) => r.plural === 'cronjobs')!;

interface Proxy {
  readonly url: string;
  readonly requests: string[];
  close(): void;
}

async function countingProxy(target: string): Promise<Proxy> {
  const requests: string[] = [];
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
      agent.destroy();
    },
  };
}

function definitionText(i: number): { name: string; text: string } {
  const name = `job-${String(i).padStart(5, '0')}`;
  const backend = i % 2 === 0 ? 'chronos' : 'kubernetes';
  const schedule = [`${i % 60} */2 * * *`, `${i % 60} ${i % 24} * * *`, `*/15 * * * *`, `${i % 60} * * * *`][i % 4];
  return {
    name,
    text: `name: ${name}\nbackend: ${backend}\nschedule: "${schedule}"\ncommand: [/usr/local/bin/task, --id, "${i}"]\nimage: registry.example.com/task:1.${i % 7}\nenv: {RAILS_ENV: production, API_TOKEN: t-${i}}\nresources:\n  requests: {cpu: 0.25, memory: 256Mi}\nowner: team-${i % 13}@example.com\n`,
  };
}

function ms(from: number): number {
  return Math.round(performance.now() - from);
}

function kubectlGet(kubeconfig: string, cacheDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, 'get', 'cronjobs', '-o', 'json'], { maxBuffer: 1 << 30, env: { ...process.env, KUBECONFIG: '' } }, (err, stdout) => {
      if (err) reject(err);
      else resolve((JSON.parse(stdout) as { items: unknown[] }).items.length);
    });
  });
}

async function bench(n: number): Promise<void> {
  const sandbox = await startSandbox({ clock: 'virtual', start: START });
  const dir = mkdtempSync(join(tmpdir(), `bench-status-${n}-`));
  mkdirSync(join(dir, 'jobs'));
  let t = performance.now();
  const chronos = sandbox.standIns.chronos as ChronosStandIn;
  const kube = sandbox.standIns.kubernetes as KubernetesStandIn;
  for (let i = 0; i < n; i++) {
    const { name, text } = definitionText(i);
    writeFileSync(join(dir, 'jobs', `${name}.yaml`), text);
    const job = readDefinition(`jobs/${name}.yaml`, text, emptyProject(BACKEND_NAMES)).definition!.job;
    if (job.backend === 'chronos') chronos.scheduler.put(readChronosJob(renderChronosJob(job, START).manifest, { now: START }));
    else kube.store.create(CRONJOBS, 'default', renderCronJob(job).manifest, { manager: 'migrate' });
  }
  console.log(`\n${n} jobs: definitions written and both stand-ins seeded in ${ms(t)} ms`);

  const chronosProxy = await countingProxy(sandbox.urls.chronos!);
  const kubeProxy = await countingProxy(sandbox.urls.kubernetes!);
  const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), kubeProxy.url);
  let out = '';
  const io: CliIO = {
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void process.stderr.write(s) },
    isTTY: false,
    env: { MIGRATE_CHRONOS_URL: chronosProxy.url, KUBECONFIG: kubeconfig },
    cwd: dir,
    clock: new FixedClock(START),
  };
  const statusTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    chronosProxy.requests.length = 0;
    kubeProxy.requests.length = 0;
    out = '';
    t = performance.now();
    const code = await run(['status', '-o', 'json'], io);
    statusTimes.push(ms(t));
    const rows = JSON.parse(out) as { verdict: string }[];
    if (rows.length !== n || rows.some((r) => r.verdict !== 'ok') || code !== 0) throw new Error(`status is wrong: exit ${code}, ${rows.filter((r) => r.verdict !== 'ok').length} not ok`);
  }
  const calls = chronosProxy.requests.length + kubeProxy.requests.length;
  console.log(`migrate status -o json: ${statusTimes.join(' / ')} ms (3 rounds); API calls per run: ${calls} (${[...chronosProxy.requests, ...kubeProxy.requests].map((r) => r.replace(/\?.*/, '')).join(', ')})`);

  if (existsSync(KUBECTL)) {
    const baseline: number[] = [];
    for (let round = 0; round < 3; round++) {
      t = performance.now();
      const [items, jobs] = await Promise.all([kubectlGet(kubeconfig, join(dir, `cache-${round}`)), new ChronosClient({ url: sandbox.urls.chronos! }).list()]);
      baseline.push(ms(t));
      if (items !== Math.floor(n / 2) || jobs.length !== Math.ceil(n / 2)) throw new Error('baseline read the wrong number of objects');
    }
    const best = (xs: number[]) => Math.min(...xs);
    console.log(`kubectl get cronjobs -o json + one Chronos list: ${baseline.join(' / ')} ms; ratio status/baseline (best of 3): ${(best(statusTimes) / best(baseline)).toFixed(2)}`);
  } else {
    console.log(`${KUBECTL} not installed: no baseline`);
  }
  chronosProxy.close();
  kubeProxy.close();
  await sandbox.close();
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
for (const n of sizes.length ? sizes : [500, 5000]) await bench(n);
