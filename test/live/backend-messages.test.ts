/**
 * What the commands say through a backend's own members rather than their own code: apply's
 * refusal of a CronJob whose container is not `main` (`applyRefusal`), where `import` and
 * `status` name a scope (`scopeNoun`), and `import` failing with its client's error whole.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { startBench, type LiveBench } from './harness.js';

let b: LiveBench;
beforeAll(async () => {
  b = await startBench();
});
afterAll(() => b.close());

const createCronJob = (name: string, container: string) =>
  fetch(`${b.sandbox.urls.kubernetes!}/apis/batch/v1/namespaces/default/cronjobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' },
      spec: { schedule: '0 * * * *', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: container, image: 'busybox:1.36' }] } } } } },
    }),
  });

test('apply refuses a CronJob whose container has another name, and writes nothing', async () => {
  expect((await createCronJob('sidecar', 'app')).status).toBe(201);
  b.job('sidecar', 'name: sidecar\nbackend: kubernetes\nschedule: "0 * * * *"\ncommand: [run]\n');
  try {
    const r = await b.cli('apply', '--yes', 'sidecar');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      '! kubernetes/default/sidecar: refused: its container is named "app", not "main"; server-side apply would add a second container. Rename it, or delete the CronJob and apply again\n' +
        '\nNo changes: 1 refused (see above).\n',
    );
  } finally {
    b.removeJob('sidecar');
  }
});

test('import names the namespace it looked in for a CronJob that is not there', async () => {
  const r = await b.cli('import', '--from', 'kubernetes', 'no-such-cronjob');
  expect([r.code, r.stderr]).toEqual([1, 'error: no-such-cronjob: no such job in namespace default\n']);
});

test('status names the namespace a refused LIST was in', async () => {
  b.job('hourly', 'name: hourly\nbackend: kubernetes\nschedule: "0 * * * *"\ncommand: [run]\n');
  try {
    await fetch(`${b.chronosUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ system: 'kubernetes', method: 'GET', path: 'cronjobs', status: 403, times: 1 }) });
    const r = await b.cli('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\nkubernetes: unreachable: namespace default: .*lack "list" on batch\/cronjobs/);
  } finally {
    b.removeJob('hourly');
  }
});

test('import fails with its client\'s whole error, every line of it', async () => {
  const kubeconfig = join(b.dir, 'failing-plugin');
  writeFileSync(kubeconfig, sandboxKubeconfig({ server: b.sandbox.urls.kubernetes! }).replace('user: {}', 'user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: "false"'));
  const r = await b.cliWith({ KUBECONFIG: kubeconfig }, 'import', '--from', 'kubernetes');
  expect([r.code, r.stdout]).toEqual([1, '']);
  expect(r.stderr).toMatch(/^error: kubeconfig context "migrate-sandbox" \(user "migrate-sandbox"\) gets its credentials by running "false", which failed\n.+\nRun it by hand to see why/);
});
