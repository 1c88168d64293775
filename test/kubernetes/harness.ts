/** Starts the Kubernetes stand-in on 127.0.0.1 port 0 with a virtual clock, for tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesStandIn, type KubernetesStandInOptions } from '../../backends/kubernetes/api-server/server.js';
import { KubernetesApiError } from '../../backends/kubernetes/client.js';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { SandboxClock } from '../../src/sandbox/clock.js';
import { FaultInjector } from '../../src/sandbox/faults.js';
import { RunLedger } from '../../src/sandbox/ledger.js';
import { createStandInServer, listenLocal, type SandboxContext } from '../../src/sandbox/stand-in.js';

export interface Harness {
  readonly ctx: SandboxContext;
  readonly clock: SandboxClock;
  readonly ledger: RunLedger;
  readonly standIn: KubernetesStandIn;
  readonly url: string;
  readonly kubeconfigPath: string;
  close(): Promise<void>;
}

export async function startHarness(start = '2026-11-01T09:00:00Z', opts: KubernetesStandInOptions = {}): Promise<Harness> {
  const clock = new SandboxClock('virtual', new Date(start));
  const ledger = new RunLedger();
  const ctx: SandboxContext = { clock, ledger, faults: new FaultInjector() };
  const standIn = new KubernetesStandIn(ctx, opts);
  const server: http.Server = createStandInServer(standIn, ctx);
  const port = await listenLocal(server, 0);
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'k8s-standin-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, sandboxKubeconfig({ server: url }));
  return {
    ctx, clock, ledger, standIn, url, kubeconfigPath,
    close: () =>
      new Promise<void>((resolve) => {
        standIn.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The KubernetesApiError a call fails with; any other outcome fails the test. */
export async function apiError(p: Promise<unknown>): Promise<KubernetesApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubernetesApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
