/**
 * The HTTP server that wraps any stand-in (backends/stand-in-contract.ts) with what all of them
 * share: the control endpoints (`/_sandbox/*`), the fault injector, the request log, and the HTTP
 * `Date` header on the sandbox clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson, type StandIn, type StandInContext, type StandInRequest } from '../../backends/stand-in-contract.js';
import { toRfc3339 } from '../core/time.js';
import type { SandboxClock } from './clock.js';
import { NotFound, type FaultInjector, type Firing, type Hold } from './faults.js';
import type { ImperfectionInjector } from './imperfections.js';
import type { RunLedger } from './ledger.js';
import type { RequestEntry, RequestLog } from './requests.js';

export { sendJson, type StandIn, type StandInRequest };

/** The state every stand-in of one sandbox shares: one clock, one run ledger, one fault injector, one request log. */
export interface SandboxContext extends StandInContext {
  readonly clock: SandboxClock;
  readonly ledger: RunLedger;
  readonly faults: FaultInjector;
  /** Left out by tests that serve one stand-in on its own: then nothing is logged. */
  readonly requests?: RequestLog;
  /** Left out by tests that serve one stand-in on its own: then every run goes as it should. */
  readonly imperfections?: ImperfectionInjector;
}

export interface StandInServerOptions {
  /** Called after anything may have changed the state (to save `--state-dir`). */
  readonly onChange?: () => void;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** An HTTP server for one stand-in; listens on 127.0.0.1 only. */
export function createStandInServer(standIn: StandIn, ctx: SandboxContext, options: StandInServerOptions = {}): http.Server {
  ctx.faults.attach(ctx.clock);
  ctx.imperfections?.allow(standIn.system, standIn.imperfectionKinds);
  const held = new HeldRequests();
  const onChange = options.onChange ?? (() => undefined);
  const server = http.createServer((req, res) => {
    // Every answer carries the sandbox clock, so a client that follows the server's clock
    // (as `move` must) follows the virtual clock too.
    res.setHeader('Date', ctx.clock.now().toUTCString());
    res.on('close', onChange);
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
      const exchange: Exchange = { standIn, ctx, held, onChange, req: request, incoming: req, res };
      dispatch(exchange).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: err instanceof Error ? err.message : String(err) });
        else res.end();
      });
    });
  });
  // 'close' comes once every connection has ended: the sandbox closes them all on shutdown.
  server.on('close', () => held.cutOffAll());
  return server;
}

/** One request on its way through a stand-in server. */
interface Exchange {
  readonly standIn: StandIn;
  readonly ctx: SandboxContext;
  readonly held: HeldRequests;
  readonly onChange: () => void;
  readonly req: StandInRequest;
  readonly incoming: http.IncomingMessage;
  readonly res: http.ServerResponse;
}

async function dispatch(x: Exchange): Promise<void> {
  const { standIn, ctx, req, res } = x;
  if (req.path === '/_sandbox' || req.path.startsWith('/_sandbox/')) {
    handleControl(ctx, req, res);
    return;
  }
  const logged = ctx.requests?.record(standIn.system, req.method, req.path, ctx.clock.now());
  // 'close' comes after the answer was sent, or when the connection went without one.
  if (logged) res.once('close', () => logged.answered(res.writableFinished ? res.statusCode : null));
  const fault = ctx.faults.take(standIn.system, req.method, req.path);
  if (fault) logged?.faulted({ id: fault.id, mode: fault.kind });
  switch (fault?.kind) {
    case undefined:
      await serve(x, res);
      return;
    case 'fail':
    case 'delay':
      if (fault.delayMs > 0 && !(await x.held.hold(fault.delayMs))) return;
      res.setHeader('Date', ctx.clock.now().toUTCString());
      if (fault.status !== undefined) return standIn.writeFault(res, fault.status, req);
      await serve(x, res);
      return;
    case 'drop-answer':
      await serve(x, unseen(x.incoming, ctx));
      if (fault.status !== undefined) return standIn.writeFault(res, fault.status, req);
      // No answer at all: the client sees its connection reset, as when a proxy or the server dies mid-reply.
      res.destroy();
      return;
    case 'hold':
      return holdRequest(x, fault, logged);
  }
}

/** The stand-in serves the request into `target`; resolves the status it answered. */
async function serve(x: Exchange, target: http.ServerResponse): Promise<number> {
  await x.standIn.handle(x.req, target);
  x.onChange();
  return target.statusCode;
}

/** A response nobody receives: the stand-in applies the request and its answer goes nowhere. */
function unseen(incoming: http.IncomingMessage, ctx: SandboxContext): http.ServerResponse {
  const sink = new http.ServerResponse(incoming);
  sink.setHeader('Date', ctx.clock.now().toUTCString());
  return sink;
}

/**
 * A held request lands when its hold lets it go, whether its client is still waiting or gave up
 * (as a real server applies a request whose client timed out); only the answer is lost then.
 */
function holdRequest(x: Exchange, fault: Firing, logged: RequestEntry | undefined): void {
  const { ctx, req, res } = x;
  let clientGone = false;
  let hold: Hold | undefined;
  const land = async (): Promise<number | undefined> => {
    if (hold) x.held.untrack(hold);
    if (fault.status !== undefined) {
      if (!clientGone) {
        res.setHeader('Date', ctx.clock.now().toUTCString());
        x.standIn.writeFault(res, fault.status, req);
      }
      return fault.status;
    }
    if (clientGone) return serve(x, unseen(x.incoming, ctx));
    res.setHeader('Date', ctx.clock.now().toUTCString());
    return serve(x, res).catch((err: unknown) => {
      // As dispatch answers a stand-in that throws: the client waiting for it must not hang.
      if (!res.headersSent) sendJson(res, 500, { message: err instanceof Error ? err.message : String(err) });
      else res.end();
      throw err;
    });
  };
  res.once('close', () => {
    clientGone = true;
    hold?.clientGone();
  });
  hold = ctx.faults.hold(fault, { system: x.standIn.system, method: req.method, path: req.path }, land);
  logged?.faulted({ id: fault.id, mode: fault.kind, held: hold.id });
  if (hold.isHeld()) x.held.track(hold);
}

/**
 * What one server is holding: classic delays (real milliseconds) and holds on the sandbox clock.
 * Only the server closing cuts them all off, so nothing pending keeps a stopped sandbox alive.
 */
class HeldRequests {
  private readonly cutOffs = new Set<() => void>();
  private readonly holds = new Set<Hold>();

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

  track(hold: Hold): void {
    this.holds.add(hold);
  }

  untrack(hold: Hold): void {
    this.holds.delete(hold);
  }

  cutOffAll(): void {
    for (const cutOff of [...this.cutOffs]) cutOff();
    for (const hold of this.holds) hold.cutOff();
    this.holds.clear();
  }
}

/** The control API of docs/sandbox.md, served on every port over the same state. */
function handleControl(ctx: SandboxContext, req: StandInRequest, res: http.ServerResponse): void {
  const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
  const clockBody = () => ({ now: toRfc3339(ctx.clock.now()), mode: ctx.clock.mode });
  const imperfections = (): ImperfectionInjector => {
    if (!ctx.imperfections) throw new NotFound('this stand-in was started without the sandbox: it takes no imperfections');
    return ctx.imperfections;
  };
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
      case 'GET /_sandbox/faults/report':
        return sendJson(res, 200, ctx.faults.report());
      case 'POST /_sandbox/faults/release': {
        const body = parseJsonBody(req.body) as { id?: unknown };
        if (body.id !== undefined && typeof body.id !== 'string') return sendJson(res, 400, { message: 'body must be {} or {"id": "<held request or fault id>"}' });
        const released = ctx.faults.release(body.id);
        res.setHeader('Date', ctx.clock.now().toUTCString());
        return sendJson(res, 200, { released });
      }
      case 'GET /_sandbox/requests': {
        const requests = ctx.requests?.all() ?? [];
        return sendJson(res, 200, { total: requests.length, requests });
      }
      case 'GET /_sandbox/imperfections':
        return sendJson(res, 200, imperfections().report());
      case 'POST /_sandbox/imperfections':
        return sendJson(res, 201, imperfections().add(parseJsonBody(req.body)));
      case 'DELETE /_sandbox/imperfections':
        imperfections().clear();
        res.writeHead(204);
        res.end();
        return;
      case 'DELETE /_sandbox/requests':
        ctx.requests?.clear();
        res.writeHead(204);
        res.end();
        return;
      default:
        return sendJson(res, 404, { message: `no sandbox control endpoint ${route}` });
    }
  } catch (err) {
    sendJson(res, err instanceof NotFound ? 404 : 400, { message: err instanceof Error ? err.message : String(err) });
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
