/** A Chronos stand-in on a real socket (127.0.0.1, port 0) over a virtual sandbox clock. */
import type http from 'node:http';
import { ChronosClient, type ChronosClientOptions } from '../../backends/chronos/client.js';
import { ChronosStandIn, type ChronosStandInOptions } from '../../backends/chronos/stand-in.js';
import { SandboxClock } from '../../src/sandbox/clock.js';
import { FaultInjector } from '../../src/sandbox/faults.js';
import { RunLedger } from '../../src/sandbox/ledger.js';
import type { RequestLog } from '../../src/sandbox/requests.js';
import { createStandInServer, listenLocal, type SandboxContext } from '../../src/sandbox/stand-in.js';

export interface TestChronos {
  readonly ctx: SandboxContext;
  readonly standIn: ChronosStandIn;
  readonly url: string;
  readonly port: number;
  /** A client with no real waiting: its backoff sleeps are recorded, not slept. */
  client(options?: Partial<ChronosClientOptions>): ChronosClient;
  readonly sleeps: number[];
  /** Raw HTTP for status codes and bodies exactly as sent. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const T0 = new Date('2026-05-01T10:00:00Z');

export async function startChronos(options: ChronosStandInOptions & { start?: Date; requests?: RequestLog } = {}): Promise<TestChronos> {
  const clock = new SandboxClock('virtual', options.start ?? T0);
  const ctx: SandboxContext = { clock, ledger: new RunLedger(), faults: new FaultInjector(), ...(options.requests ? { requests: options.requests } : {}) };
  const standIn = new ChronosStandIn(ctx, options);
  const server: http.Server = createStandInServer(standIn, ctx);
  const port = await listenLocal(server, 0);
  const url = `http://127.0.0.1:${port}`;
  const sleeps: number[] = [];
  return {
    ctx,
    standIn,
    url,
    port,
    sleeps,
    client: (o = {}) =>
      new ChronosClient({
        url,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        clock: clock,
        ...o,
      }),
    fetch: (path, init) => fetch(`${url}${path}`, init),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** POST a job body as JSON. */
export function postJson(chronos: TestChronos, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return chronos.fetch(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
}
