/**
 * Benchmark of the Chronos stand-in and client (run on demand, not in `npm test`):
 *   npx tsc -p tsconfig.json && node dist/bench/chronos.js
 * 1. 10,000 jobs held by the stand-in, listed through the client over a real socket.
 * 2. A virtual day advanced over 500 jobs firing every 2 to 7 minutes.
 * Figures are recorded in docs/chronos.md.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { ChronosClient } from '../backends/chronos/client.js';
import { readChronosJob } from '../backends/chronos/model.js';
import { ChronosStandIn } from '../backends/chronos/stand-in.js';
import { SandboxClock } from '../src/sandbox/clock.js';
import { FaultInjector } from '../src/sandbox/faults.js';
import { RunLedger } from '../src/sandbox/ledger.js';
import { createStandInServer, listenLocal, type SandboxContext } from '../src/sandbox/stand-in.js';

const T0 = new Date('2026-05-01T00:00:00Z');

async function serve(): Promise<{ ctx: SandboxContext; standIn: ChronosStandIn; url: string; server: http.Server }> {
  const ctx: SandboxContext = { clock: new SandboxClock('virtual', T0), ledger: new RunLedger(), faults: new FaultInjector() };
  const standIn = new ChronosStandIn(ctx);
  const server = createStandInServer(standIn, ctx);
  const port = await listenLocal(server, 0);
  return { ctx, standIn, url: `http://127.0.0.1:${port}`, server };
}

function ms(from: number): string {
  return `${(performance.now() - from).toFixed(0)} ms`;
}

async function listTenThousand(): Promise<void> {
  const { standIn, url, server } = await serve();
  let t = performance.now();
  for (let i = 0; i < 10_000; i++) {
    standIn.scheduler.put(
      readChronosJob(
        {
          name: `job-${String(i).padStart(5, '0')}`,
          command: `/usr/local/bin/task --id ${i} --verbose`,
          owner: 'team@example.com',
          schedule: `R/2026-05-02T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z/P1D`,
          environmentVariables: [{ name: 'RAILS_ENV', value: 'production' }],
          fetch: [{ uri: `https://artifacts.example.com/task-${i}.tgz` }],
        },
        { now: T0 },
      ),
    );
  }
  console.log(`10,000 jobs loaded into the stand-in: ${ms(t)}`);
  const client = new ChronosClient({ url });
  for (let round = 1; round <= 3; round++) {
    t = performance.now();
    const jobs = await client.list();
    console.log(`client.list() of ${jobs.length} jobs, round ${round}: ${ms(t)}`);
  }
  t = performance.now();
  const page = await client.search({ name: 'job-09', limit: 1000 });
  console.log(`client.search() over 10,000 jobs (${page.length} hits): ${ms(t)}`);
  server.close();
  server.closeAllConnections();
}

async function advanceADay(): Promise<void> {
  const { ctx, standIn, server } = await serve();
  for (let i = 0; i < 500; i++) {
    const minutes = 2 + (i % 6);
    const startSecond = (i * 37) % (minutes * 60);
    const start = new Date(T0.getTime() + 60_000 + startSecond * 1000).toISOString();
    standIn.scheduler.put(readChronosJob({ name: `tick-${i}`, command: 'true', schedule: `R/${start}/PT${minutes}M` }, { now: T0 }));
  }
  const t = performance.now();
  ctx.clock.advance(86_400);
  console.log(`advance one virtual day over 500 jobs (every 2-7 min): ${ms(t)}, ${ctx.ledger.all().length} runs recorded`);
  server.close();
  server.closeAllConnections();
}

await listTenThousand();
await advanceADay();
