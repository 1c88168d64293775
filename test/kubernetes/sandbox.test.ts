/** The Kubernetes stand-in inside `migrate sandbox`: shared clock, ledger, control API, state dir. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';

const manifest = {
  apiVersion: 'batch/v1' as const,
  kind: 'CronJob' as const,
  metadata: { name: 'nightly' },
  spec: {
    schedule: '*/10 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'main', image: 'busybox' }] } } } },
  },
};

test('the sandbox serves Kubernetes beside Chronos; the state dir keeps CronJobs, Jobs and runs', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-k8s-'));
  const first = await startSandbox({ clock: 'virtual', start: new Date('2026-11-01T09:00:00Z'), stateDir });
  try {
    expect(first.urls.kubernetes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kubeconfig = await writeSandboxKubeconfig(stateDir, first.urls.kubernetes!);
    const client = new KubernetesClient({ kubeconfig, sleep: async () => {} });
    await client.apply(manifest);
    // The control API on the Kubernetes port moves the shared clock.
    const res = await fetch(`${first.urls.kubernetes}/_sandbox/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds: 601 }) });
    expect(((await res.json()) as { now: string }).now).toBe('2026-11-01T09:10:01Z');
    const runs = (await (await fetch(`${first.urls.chronos}/_sandbox/runs`)).json()) as { system: string; scheduledFor: string }[];
    expect(runs).toEqual([expect.objectContaining({ system: 'kubernetes', job: 'nightly', scheduledFor: '2026-11-01T09:10:00.000Z' })]);
  } finally {
    await first.close();
  }
  const second = await startSandbox({ clock: 'virtual', stateDir });
  try {
    const kubeconfig = await writeSandboxKubeconfig(stateDir, second.urls.kubernetes!);
    const client = new KubernetesClient({ kubeconfig, sleep: async () => {} });
    expect((await client.read('nightly'))?.status).toMatchObject({ lastScheduleTime: '2026-11-01T09:10:00Z' });
    second.ctx.clock.advance(600);
    expect(second.ctx.ledger.all().map((e) => e.scheduledFor)).toEqual(['2026-11-01T09:10:00.000Z', '2026-11-01T09:20:00.000Z']);
    expect((await client.listJobs()).map((j) => j.metadata.name)).toEqual(['nightly-29892070', 'nightly-29892080']);
  } finally {
    await second.close();
  }
});
