/**
 * Benchmark of the Kubernetes stand-in (run on demand, not in `npm test`):
 *   npx tsc -p tsconfig.json && node dist/bench/kubernetes.js
 * 10,000 CronJobs held by the stand-in, listed through the client (pages of 500) and through
 * the real kubectl (table and JSON), plus a virtual day of the controller over 100 CronJobs.
 * Figures are recorded in docs/kubernetes.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
  t = performance.now();
  const gold = await client.listCronJobs('tier=gold', 10_000);
  console.log(`client.listCronJobs('tier=gold') in one page (${gold.length} hits): ${ms(t)}`);

  if (existsSync('/usr/bin/kubectl')) {
    for (const args of [['get', 'cronjobs'], ['get', 'cronjobs', '-o', 'json'], ['get', 'cronjobs', '-l', 'tier=gold']]) {
      t = performance.now();
      // Async: the stand-in answers on this same event loop.
      const out = await new Promise<string>((resolve, reject) => {
        execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${args.join('-')}`), ...args], { maxBuffer: 512 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      console.log(`kubectl ${args.join(' ')} (${out.split('\n').length - 1} lines, cold cache, process included): ${ms(t)}`);
    }
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

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
