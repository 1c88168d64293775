/**
 * `rollback --force` is for a system that does not answer. A client that cannot send its request
 * (a kubeconfig whose credential plugin is not installed, a plain-http server the client refuses,
 * a server certificate it does not trust, a Chronos URL that is no URL) learnt nothing about the
 * system: it is reported as what it is, and --force is refused with nothing changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { listenLocal } from '../../src/sandbox/stand-in.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let repo: SandboxRepo;
afterEach(() => repo.close());

function kubeconfig(server: string, user: Record<string, unknown>, skipTlsVerify: boolean): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'prod', cluster: { server, ...(skipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name: 'ops', user }],
    contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'ops', namespace: 'default' } }],
    'current-context': 'prod',
  });
}

/** A TLS server with a self-signed certificate for 127.0.0.1: the handshake is where a client that does not trust it stops. */
async function untrustedTlsServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const fixtures = path.resolve('test/chronos/fixtures');
  const server = https.createServer({ key: readFileSync(path.join(fixtures, 'tls-key.pem')), cert: readFileSync(path.join(fixtures, 'tls-cert.pem')) }, (_req, res) => {
    res.writeHead(500);
    res.end();
  });
  const port = await listenLocal(server as unknown as http.Server, 0);
  return {
    url: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The job moved from `from` to the other system; returns the definition and journal as they stand. */
async function moved(from: 'chronos' | 'kubernetes'): Promise<{ definition: string; journal: number }> {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', from, SCHEDULE) } });
  const to = from === 'chronos' ? 'kubernetes' : 'chronos';
  expect((await repo.cli('move', 'job', '--to', to, '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.advance(20 * 60);
  repo.sandbox.ctx.requests.clear();
  return { definition: repo.readJob('job'), journal: repo.journal().length };
}

/** Nothing was written anywhere, and the job still runs on `on` alone, every slot once. */
async function nothingChanged(before: { definition: string; journal: number }, on: 'chronos' | 'kubernetes'): Promise<void> {
  expect(repo.sandbox.ctx.requests.all().filter((r) => r.method !== 'GET')).toEqual([]);
  expect(repo.readJob('job')).toBe(before.definition);
  expect(repo.journal()).toHaveLength(before.journal);
  const [status] = JSON.parse((await repo.cli('status', 'job', '-o', 'json')).stdout) as Record<string, { enabled?: boolean } | string>[];
  const off = on === 'chronos' ? 'kubernetes' : 'chronos';
  expect(status).toMatchObject({ declared: on, [on]: { enabled: true }, [off]: { enabled: false }, verdict: 'ok' });
  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
}

const refusedForce = (stderr: string) => {
  expect(stderr).not.toContain('cannot reach the Kubernetes API');
  expect(stderr).not.toContain('going ahead because of --force');
  expect(stderr).toContain('--force is only for a system that is down: kubernetes was never asked, and if it is up that would leave job enabled on both.');
};

test('an exec credential plugin that is not installed: named, and --force refused', async () => {
  const before = await moved('chronos');
  const good = readFileSync(repo.kubeconfig, 'utf8');
  writeFileSync(repo.kubeconfig, kubeconfig(repo.kubernetesUrl, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'migrate-test-no-such-plugin', interactiveMode: 'Never' } }, true));
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: kubernetes cannot be asked \(the client is misconfigured\): kubeconfig context "prod" \(user "ops"\) gets its credentials by running "migrate-test-no-such-plugin", which is not installed\n/m);
  refusedForce(r.stderr);
  writeFileSync(repo.kubeconfig, good);
  await nothingChanged(before, 'kubernetes');
});

test('an http:// server without insecure-skip-tls-verify, which the client refuses: named, and --force refused', async () => {
  const before = await moved('chronos');
  const good = readFileSync(repo.kubeconfig, 'utf8');
  writeFileSync(repo.kubeconfig, kubeconfig(repo.kubernetesUrl, { token: 'not-sent' }, false));
  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: kubernetes cannot be asked \(the client is misconfigured\): kubeconfig context "prod" \(user "ops"\) points at http:\/\/127\.0\.0\.1:\d+ over plain http, which the Kubernetes client refuses without insecure-skip-tls-verify\n/m);
  refusedForce(r.stderr);
  writeFileSync(repo.kubeconfig, good);
  await nothingChanged(before, 'kubernetes');
});

test('an API server whose certificate the kubeconfig does not trust: a TLS failure, not "down", and --force refused', async () => {
  const before = await moved('chronos');
  const good = readFileSync(repo.kubeconfig, 'utf8');
  const tls = await untrustedTlsServer();
  try {
    writeFileSync(repo.kubeconfig, kubeconfig(tls.url, { token: 't' }, false));
    const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox', '--force');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: kubernetes cannot be asked \(the client is misconfigured\): kubeconfig context "prod" cannot talk TLS to https:\/\/127\.0\.0\.1:\d+: self.signed certificate\n/m);
    expect(r.stderr).toContain("Set the cluster's certificate-authority-data to the CA that signed the server's certificate");
    refusedForce(r.stderr);
  } finally {
    await tls.close();
  }
  writeFileSync(repo.kubeconfig, good);
  await nothingChanged(before, 'kubernetes');
});

test('a Chronos URL that is not a URL: misconfigured, and --force refused', async () => {
  const before = await moved('kubernetes');
  const r = await repo.cli('--chronos-url', 'chronos-prod:8080', 'rollback', 'job', '--yes', '--advance-sandbox', '--force');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: chronos cannot be asked \(the client is misconfigured\): the Chronos URL (is not a URL|must start with http:\/\/ or https:\/\/)/);
  expect(r.stderr).toContain('--force is only for a system that is down: chronos was never asked, and if it is up that would leave job enabled on both.');
  await nothingChanged(before, 'chronos');
});
