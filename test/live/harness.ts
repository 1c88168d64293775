/**
 * The live view's test bench: the whole sandbox (both stand-ins, one virtual clock) on 127.0.0.1
 * port 0, a throwaway jobs repository, and the CLI run in-process against both over real sockets.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { FixedClock } from '../../src/core/clock.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { runCli, type CliResult } from '../helpers/cli.js';

import { KUBECTL } from '../helpers/kubectl.js';

export { KUBECTL };
export const START = new Date('2026-11-25T10:07:00Z');

export interface LiveBench {
  readonly sandbox: Sandbox;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly chronosUrl: string;
  readonly env: Record<string, string>;
  /** Writes `jobs/<name>.yaml`. */
  job(name: string, yaml: string): void;
  removeJob(name: string): void;
  /** Runs migrate in the bench's repository, its clock following the sandbox's. */
  cli(...argv: string[]): Promise<CliResult>;
  /** The same, with some environment variables replaced (e.g. MIGRATE_CHRONOS_URL). */
  cliWith(env: Record<string, string>, ...argv: string[]): Promise<CliResult>;
  /** The real kubectl with a fresh --cache-dir. */
  kubectl(...args: string[]): Promise<CliResult>;
  /** Plain HTTP to the Chronos stand-in. */
  chronos(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  advance(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBench(options: { start?: Date; project?: string } = {}): Promise<LiveBench> {
  const sandbox = await startSandbox({ clock: 'virtual', start: options.start ?? START });
  const dir = mkdtempSync(join(tmpdir(), 'migrate-live-'));
  mkdirSync(join(dir, 'jobs'));
  writeFileSync(join(dir, 'migrate.yaml'), options.project ?? 'defaults:\n  image: registry.example.com/app:1.2\n');
  const kubeconfig = await writeSandboxKubeconfig(join(dir, 'kube'), sandbox.urls.kubernetes!);
  const chronosUrl = sandbox.urls.chronos!;
  const env = { MIGRATE_CHRONOS_URL: chronosUrl, KUBECONFIG: kubeconfig };
  let runs = 0;
  const bench: LiveBench = {
    sandbox,
    dir,
    kubeconfig,
    chronosUrl,
    env,
    job: (name, yaml) => writeFileSync(join(dir, 'jobs', `${name}.yaml`), yaml),
    removeJob: (name) => rmSync(join(dir, 'jobs', `${name}.yaml`), { force: true }),
    cli: (...argv) => runCli(argv, { cwd: dir, env, clock: new FixedClock(sandbox.ctx.clock.now()) }),
    cliWith: (overrides, ...argv) => runCli(argv, { cwd: dir, env: { ...env, ...overrides }, clock: new FixedClock(sandbox.ctx.clock.now()) }),
    kubectl: (...args) =>
      new Promise((resolve) => {
        const cacheDir = join(dir, `kubectl-cache-${runs++}`);
        execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env: { ...process.env, KUBECONFIG: '', HOME: dir }, timeout: 20_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
        });
      }),
    async chronos(method, path, body) {
      const res = await fetch(`${chronosUrl}/v1/scheduler${path}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, json };
    },
    async advance(seconds) {
      const res = await fetch(`${chronosUrl}/_sandbox/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds }) });
      if (!res.ok) throw new Error(`advance failed: ${res.status}`);
    },
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

export interface CountingProxy {
  readonly url: string;
  /** `METHOD /path?query` of every request passed through, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A plain HTTP proxy on 127.0.0.1 that records every request it forwards: how API calls are counted. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const http = await import('node:http');
  const requests: string[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
