/**
 * A server that accepts connections and never answers: every timed-out attempt must close its
 * connection, or the request keeps the process alive after the command has given up.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesApiError, KubernetesClient } from '../../backends/kubernetes/client.js';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import type { CronJobManifest } from '../../backends/kubernetes/render.js';
import { apiError } from './harness.js';

interface HangingServer {
  readonly kubeconfig: string;
  /** One promise per accepted connection, resolved when the connection closes. */
  readonly closed: Promise<void>[];
  close(): Promise<void>;
}

async function hangingServer(): Promise<HangingServer> {
  const closed: Promise<void>[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // read (and drop) the request, so the client's FIN is seen
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'kc-hang-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, sandboxKubeconfig({ server: `http://127.0.0.1:${port}` }));
  return {
    kubeconfig,
    closed,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once every connection the server accepted has closed; fails if one is still open after `ms`. */
async function allClosedWithin(server: HangingServer, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a connection was still open ${ms} ms after the call gave up`)), ms);
  });
  try {
    await Promise.race([Promise.all(server.closed), open]);
  } finally {
    clearTimeout(timer);
  }
}


const manifest: CronJobManifest = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly' },
  spec: {
    schedule: '0 2 * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } } },
  },
} as CronJobManifest;

let server: HangingServer;
let client: KubernetesClient;
const waits: number[] = [];

beforeEach(async () => {
  server = await hangingServer();
  waits.length = 0;
  client = new KubernetesClient({ kubeconfig: server.kubeconfig, timeoutMs: 200, retries: 1, sleep: async (ms) => void waits.push(ms) });
});
afterEach(() => server.close());

test('a typed read that times out closes its connection, on every attempt', async () => {
  const err = await apiError(client.read('nightly'));
  expect(server.closed).toHaveLength(2);
  await allClosedWithin(server, 1000);
  expect(err.reason).toBe('Timeout');
  expect(err.summary).toMatch(/^get CronJob default\/nightly: no answer from http:\/\/127\.0\.0\.1:\d+ in 2 attempts of 200 ms each$/);
  expect(waits).toEqual([200]);
});

test('a create (not retried) that times out closes its connection', async () => {
  const err = await apiError(client.create(manifest));
  expect(err.summary).toMatch(/^create CronJob default\/nightly: no answer from http:\/\/127\.0\.0\.1:\d+ in 200 ms$/);
  expect(server.closed).toHaveLength(1);
  await allClosedWithin(server, 1000);
});

test('the plain-JSON CronJob list that times out closes its connection', async () => {
  const err = await apiError(client.list());
  expect(server.closed).toHaveLength(2);
  await allClosedWithin(server, 1000);
  expect(err.summary).toMatch(/^list CronJobs in namespace default: no answer from http:\/\/127\.0\.0\.1:\d+ in 2 attempts of 200 ms each$/);
});

test('whole seconds read as seconds', async () => {
  const patient = new KubernetesClient({ kubeconfig: server.kubeconfig, timeoutMs: 1000, retries: 0, sleep: async () => {} });
  const err = await apiError(patient.readJob('nightly-1'));
  await allClosedWithin(server, 1000);
  expect(err.summary).toMatch(/^get Job default\/nightly-1: no answer from http:\/\/127\.0\.0\.1:\d+ in 1 s$/);
});
