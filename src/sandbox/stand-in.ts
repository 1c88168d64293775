/**
 * What the sandbox needs from a stand-in of one scheduler's API, and the HTTP server that wraps
 * any stand-in with what both share: the control endpoints (`/_sandbox/*`), the fault injector,
 * and the HTTP `Date` header on the sandbox clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toRfc3339 } from '../core/time.js';
import type { SandboxClock } from './clock.js';
import type { FaultInjector } from './faults.js';
import type { RunLedger, SystemName } from './ledger.js';

/** The state both stand-ins share: one clock, one run ledger, one fault injector. */
export interface SandboxContext {
  readonly clock: SandboxClock;
  readonly ledger: RunLedger;
  readonly faults: FaultInjector;
}

export interface StandInRequest {
  readonly method: string;
  /** The path without the query string, percent-decoded per segment by the stand-in as it needs. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StandIn {
  readonly system: SystemName;
  handle(req: StandInRequest, res: http.ServerResponse): void | Promise<void>;
  /** Answer an injected fault with `status`, in this system's own error format. */
  writeFault(res: http.ServerResponse, status: number, req: StandInRequest): void;
  /** Plain data for `--state-dir`; `restore` takes what `snapshot` gave. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function sendJson(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An HTTP server for one stand-in; listens on 127.0.0.1 only. */
export function createStandInServer(standIn: StandIn, ctx: SandboxContext): http.Server {
  const held = new HeldRequests();
  const server = http.createServer((req, res) => {
    // Every answer carries the sandbox clock, so a client that follows the server's clock
    // (as `move` must) follows the virtual clock too.
    res.setHeader('Date', ctx.clock.now().toUTCString());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        sendJson(res, 413, { message: 'request body too large' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: StandInRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      dispatch(standIn, ctx, held, request, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: err instanceof Error ? err.message : String(err) });
        else res.end();
      });
    });
  });
  // 'close' comes once every connection has ended: the sandbox closes them all on shutdown.
  server.on('close', () => held.cutOffAll());
  return server;
}

async function dispatch(standIn: StandIn, ctx: SandboxContext, held: HeldRequests, req: StandInRequest, res: http.ServerResponse): Promise<void> {
  if (req.path === '/_sandbox' || req.path.startsWith('/_sandbox/')) {
    handleControl(ctx, req, res);
    return;
  }
  const fault = ctx.faults.take(standIn.system, req.method, req.path);
  if (fault) {
    if (fault.delayMs > 0 && !(await held.hold(fault.delayMs))) return;
    if (fault.status !== undefined) {
      res.setHeader('Date', ctx.clock.now().toUTCString());
      standIn.writeFault(res, fault.status, req);
      return;
    }
    res.setHeader('Date', ctx.clock.now().toUTCString());
  }
  await standIn.handle(req, res);
}

/**
 * The requests a fault is holding. A held request goes on after its delay even if its client has
 * given up meanwhile (a real server may still apply a request whose client timed out); only the
 * server closing cuts them all off, so no pending delay keeps a stopped sandbox alive.
 */
class HeldRequests {
  private readonly cutOffs = new Set<() => void>();

  /** Waits `ms` real milliseconds; false if the server closed first (drop the request then). */
  hold(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const release = (served: boolean) => {
        clearTimeout(timer);
        this.cutOffs.delete(cutOff);
        resolve(served);
      };
      const cutOff = () => release(false);
      const timer = setTimeout(() => release(true), ms);
      this.cutOffs.add(cutOff);
    });
  }

  cutOffAll(): void {
    for (const cutOff of [...this.cutOffs]) cutOff();
  }
}

/** The control API of design.md, served on both ports over the same state. */
function handleControl(ctx: SandboxContext, req: StandInRequest, res: http.ServerResponse): void {
  const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
  const clockBody = () => ({ now: toRfc3339(ctx.clock.now()), mode: ctx.clock.mode });
  try {
    switch (route) {
      case 'GET /_sandbox/clock':
        return sendJson(res, 200, clockBody());
      case 'POST /_sandbox/clock/advance': {
        if (ctx.clock.mode !== 'virtual') {
          return sendJson(res, 409, { message: 'the sandbox runs on the real clock; start it with --clock virtual to advance time' });
        }
        const body = parseJsonBody(req.body) as { seconds?: unknown };
        if (typeof body.seconds !== 'number' || !Number.isFinite(body.seconds) || body.seconds < 0) {
          return sendJson(res, 400, { message: 'body must be {"seconds": N} with N >= 0' });
        }
        ctx.clock.advance(body.seconds);
        res.setHeader('Date', ctx.clock.now().toUTCString());
        return sendJson(res, 200, clockBody());
      }
      case 'GET /_sandbox/runs':
        return sendJson(res, 200, ctx.ledger.all());
      case 'GET /_sandbox/faults':
        return sendJson(res, 200, ctx.faults.list());
      case 'POST /_sandbox/faults':
        return sendJson(res, 201, ctx.faults.add(parseJsonBody(req.body)));
      case 'DELETE /_sandbox/faults':
        ctx.faults.clear();
        res.writeHead(204);
        res.end();
        return;
      default:
        return sendJson(res, 404, { message: `no sandbox control endpoint ${route}` });
    }
  } catch (err) {
    sendJson(res, 400, { message: err instanceof Error ? err.message : String(err) });
  }
}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('body is not valid JSON');
  }
}

/** Listen on 127.0.0.1 (never another address) and resolve the port actually bound. */
export async function listenLocal(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
