/** Where the live systems are: flags over environment over migrate.yaml, built lazily. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { openConnections, type ConnectionArgs } from '../../src/cli/connections.js';
import type { CliIO } from '../../src/cli/io.js';
import { FixedClock } from '../../src/core/clock.js';
import { EMPTY_PROJECT, parseProjectConfig } from '../../src/core/project.js';

const dir = mkdtempSync(join(tmpdir(), 'connections-'));
const kubeA = join(dir, 'a');
const kubeB = join(dir, 'b');
writeFileSync(kubeA, sandboxKubeconfig({ server: 'http://127.0.0.1:1111', namespace: 'from-context' }));
writeFileSync(kubeB, sandboxKubeconfig({ server: 'http://127.0.0.1:2222', contextName: 'other' }));

const io = (env: Record<string, string>): CliIO => ({ stdout: { write: () => {} }, stderr: { write: () => {} }, isTTY: false, env, cwd: dir, clock: new FixedClock('2026-11-25T10:00:00Z') });
const project = parseProjectConfig('migrate.yaml', 'chronos:\n  url: http://chronos.project:8080\nkubernetes:\n  namespace: from-project\n').config;

describe('openConnections', () => {
  test.each<[string, ConnectionArgs, Record<string, string>, typeof project, string]>([
    ['the flag wins', { 'chronos-url': 'http://flag:1' }, { MIGRATE_CHRONOS_URL: 'http://env:1' }, project, 'http://flag:1'],
    ['then the environment', {}, { MIGRATE_CHRONOS_URL: 'http://env:1' }, project, 'http://env:1'],
    ['then migrate.yaml', {}, {}, project, 'http://chronos.project:8080'],
    ['credentials in the URL are never shown', {}, { MIGRATE_CHRONOS_URL: 'http://ops:s3cret@env:1' }, project, 'http://env:1'],
  ])('Chronos URL: %s', (_what, args, env, p, shown) => {
    const conn = openConnections(io(env), args, p);
    expect(conn.chronos().displayUrl).toBe(shown);
    expect(conn.chronosUrl).toBe(shown);
  });

  test('no Chronos URL anywhere: an actionable error, and only when Chronos is used', () => {
    const conn = openConnections(io({ KUBECONFIG: kubeA }), {}, EMPTY_PROJECT);
    expect(conn.kubernetes().namespace).toBe('from-context');
    expect(() => conn.chronos()).toThrow('no Chronos URL is configured');
  });

  test.each<[string, ConnectionArgs, Record<string, string>, typeof project, string | undefined, string, string]>([
    ['-n wins over the job', { namespace: 'flag' }, { KUBECONFIG: kubeA }, project, 'job-ns', 'flag', 'http://127.0.0.1:1111'],
    ["then the job's namespace", {}, { KUBECONFIG: kubeA }, project, 'job-ns', 'job-ns', 'http://127.0.0.1:1111'],
    ['then migrate.yaml', {}, { KUBECONFIG: kubeA }, project, undefined, 'from-project', 'http://127.0.0.1:1111'],
    ["then the context's", {}, { KUBECONFIG: kubeA }, EMPTY_PROJECT, undefined, 'from-context', 'http://127.0.0.1:1111'],
    ['--kubeconfig wins over KUBECONFIG', { kubeconfig: kubeB }, { KUBECONFIG: kubeA }, EMPTY_PROJECT, undefined, 'default', 'http://127.0.0.1:2222'],
  ])('Kubernetes: %s', (_what, args, env, p, jobNamespace, namespace, server) => {
    const client = openConnections(io(env), args, p).kubernetes(jobNamespace);
    expect([client.namespace, client.server]).toEqual([namespace, server]);
  });

  test('one client per namespace, reused', () => {
    const conn = openConnections(io({ KUBECONFIG: kubeA }), {}, EMPTY_PROJECT);
    expect(conn.kubernetes('a')).toBe(conn.kubernetes('a'));
    expect(conn.kubernetes('a')).not.toBe(conn.kubernetes('b'));
  });

  test('an unknown context is an error naming the known ones', () => {
    const conn = openConnections(io({ KUBECONFIG: kubeA }), { context: 'prod' }, EMPTY_PROJECT);
    expect(() => conn.kubernetes()).toThrow('kubeconfig has no context "prod"');
  });
});
