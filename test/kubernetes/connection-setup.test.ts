/**
 * Failures before any request that come from the kubeconfig, not from a cluster that does not
 * answer: a server certificate it does not trust, a host name that does not exist. `misconfigured`,
 * so `rollback --force` never takes them for "down".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { KubernetesClient, kubernetesFailureClass } from '../../backends/kubernetes/client.js';
import { connectionSetupError, KubeconfigError, sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { listenLocal } from '../../src/sandbox/stand-in.js';

const loaded = { context: 'prod', server: 'https://kube.example.com:6443' };

test('an API server whose certificate the kubeconfig does not trust: misconfigured, named, not retried', async () => {
  const fixtures = path.resolve('test/chronos/fixtures');
  let requests = 0;
  const server = https.createServer({ key: readFileSync(join(fixtures, 'tls-key.pem')), cert: readFileSync(join(fixtures, 'tls-cert.pem')) }, (_req, res) => {
    requests += 1;
    res.end();
  });
  const port = await listenLocal(server as unknown as http.Server, 0);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'kc-tls-'));
    writeFileSync(join(dir, 'config'), sandboxKubeconfig({ server: `https://127.0.0.1:${port}` }).replace(/\s*insecure-skip-tls-verify: true/, ''));
    const sleeps: number[] = [];
    const client = new KubernetesClient({ kubeconfig: join(dir, 'config'), retries: 2, sleep: async (ms) => void sleeps.push(ms) });
    const err = await client.read('nightly').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KubeconfigError);
    expect(kubernetesFailureClass(err)).toBe('misconfigured');
    expect((err as KubeconfigError).summary).toMatch(new RegExp(`^kubeconfig context "migrate-sandbox" cannot talk TLS to https://127\\.0\\.0\\.1:${port}: self.signed certificate`));
    expect([requests, sleeps]).toEqual([0, []]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a host name the resolver says does not exist is the kubeconfig; a resolver that does not answer, or a refused connection, is not', () => {
  const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND kube.example.com'), { code: 'ENOTFOUND', hostname: 'kube.example.com' });
  const err = connectionSetupError(notFound, loaded);
  expect(err).toBeInstanceOf(KubeconfigError);
  expect(kubernetesFailureClass(err)).toBe('misconfigured');
  expect(err?.summary).toBe('kubeconfig context "prod" points at https://kube.example.com:6443, whose host name does not exist');
  expect(connectionSetupError(Object.assign(new Error('getaddrinfo EAI_AGAIN kube.example.com'), { code: 'EAI_AGAIN' }), loaded)).toBeUndefined();
  expect(connectionSetupError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), loaded)).toBeUndefined();
});
