/**
 * The HTTP endpoint of `slo --serve`: `GET /metrics` answers what `render` gives at that moment
 * (scrapes that arrive while one is being read share it). It binds 127.0.0.1 unless an address is
 * given, and `0.0.0.0` (every interface) only when given so.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../core/errors.js';
import type { RenderedMetrics } from './slo-metrics.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `9464`, `:9464`, `host:9464` or `[::1]:9464`; a missing host is 127.0.0.1. Port 0 picks a free one. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UserError(`--serve ${text} is not an address to listen on`, 'Give a port (9464, :9464) or a host and a port (127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464 for every interface).');
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}

/** The URL a scraper uses; an IPv6 host in brackets. */
export function metricsUrl(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}/metrics`;
}

export interface MetricsEndpoint {
  /** Where it listens (the port actually bound, when 0 was asked). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/** Listens on `address`; each scrape of `/metrics` calls `render` (one at a time), and `onError` hears a scrape that failed. */
export async function startMetricsEndpoint(address: ListenAddress, render: () => Promise<RenderedMetrics>, onError: (err: unknown) => void): Promise<MetricsEndpoint> {
  let inFlight: Promise<RenderedMetrics> | undefined;
  const scrape = (): Promise<RenderedMetrics> => {
    inFlight ??= render().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('migrate slo --serve: the figures are at /metrics\n');
      return;
    }
    scrape().then(
      (m) => {
        res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': Buffer.byteLength(m.text) });
        res.end(req.method === 'HEAD' ? undefined : m.text);
      },
      (err: unknown) => {
        onError(err);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`the SLO figures could not be read: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new UserError(`${address.host}:${address.port} is already in use`, 'Give --serve another port, or 0 for any free one.')
        : err.code === 'EADDRNOTAVAIL'
          ? new UserError(`${address.host} is not an address of this machine`, 'Give --serve a port alone to listen on 127.0.0.1.')
          : err);
    });
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: address.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
