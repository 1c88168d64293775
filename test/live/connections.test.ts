/** Where the live systems are: flags over environment over migrate.yaml, built lazily. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubernetesBackend } from '../../backends/kubernetes/backend.js';
import { sandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { connectionSettings, openConnections, type ConnectionArgs } from '../../src/cli/connections.js';
import type { CliIO } from '../../src/cli/io.js';
import { FixedClock } from '../../src/core/clock.js';
import { DEFAULT_TIMEZONE, type JobDefinition } from '../../src/core/job.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { emptyProject, parseProjectConfig } from '../../src/core/project.js';

const EMPTY_PROJECT = emptyProject(BACKEND_NAMES);

const dir = mkdtempSync(join(tmpdir(), 'connections-'));
const kubeA = join(dir, 'a');
const kubeB = join(dir, 'b');
writeFileSync(kubeA, sandboxKubeconfig({ server: 'http://127.0.0.1:1111', namespace: 'from-context' }));
writeFileSync(kubeB, sandboxKubeconfig({ server: 'http://127.0.0.1:2222', contextName: 'other' }));

const io = (env: Record<string, string>): CliIO => ({ stdout: { write: () => {} }, stderr: { write: () => {} }, isTTY: false, env, cwd: dir, clock: new FixedClock('2026-11-25T10:00:00Z') });
const job = (namespace: string): JobDefinition => ({
  name: 'x', backend: 'kubernetes', schedule: '0 * * * *', timezone: DEFAULT_TIMEZONE, command: ['true'], env: {}, resources: {},
  retries: 2, concurrency: 'forbid', startingDeadlineSeconds: 1200, labels: {}, namespace,
});
const project = parseProjectConfig('migrate.yaml', 'chronos:\n  url: http://chronos.project:8080\nkubernetes:\n  namespace: from-project\n', BACKEND_NAMES).config;

describe('openConnections', () => {
  test.each<[string, ConnectionArgs, Record<string, string>, typeof project, string]>([
    ['the flag wins', { 'chronos-url': 'http://flag:1' }, { MIGRATE_CHRONOS_URL: 'http://env:1' }, project, 'http://flag:1'],
    ['then the environment', {}, { MIGRATE_CHRONOS_URL: 'http://env:1' }, project, 'http://env:1'],
    ['then migrate.yaml', {}, {}, project, 'http://chronos.project:8080'],
    ['credentials in the URL are never shown', {}, { MIGRATE_CHRONOS_URL: 'http://ops:s3cret@env:1' }, project, 'http://env:1'],
  ])('Chronos URL: %s', (_what, args, env, p, shown) => {
    expect(openConnections(io(env), args, p).to('chronos').location()).toBe(shown);
  });

  test('no Chronos URL anywhere: an actionable error, and only when Chronos is used', () => {
    const conn = openConnections(io({ KUBECONFIG: kubeA }), {}, EMPTY_PROJECT);
    expect(conn.to('kubernetes').scopeOf()).toBe('from-context');
    expect(() => conn.to('chronos').location()).toThrow('no Chronos URL is configured');
  });

  test.each<[string, ConnectionArgs, Record<string, string>, typeof project, string | undefined, string, string]>([
    ['-n wins over the job', { namespace: 'flag' }, { KUBECONFIG: kubeA }, project, 'job-ns', 'flag', 'http://127.0.0.1:1111'],
    ["then the job's namespace", {}, { KUBECONFIG: kubeA }, project, 'job-ns', 'job-ns', 'http://127.0.0.1:1111'],
    ['then migrate.yaml', {}, { KUBECONFIG: kubeA }, project, undefined, 'from-project', 'http://127.0.0.1:1111'],
    ["then the context's", {}, { KUBECONFIG: kubeA }, EMPTY_PROJECT, undefined, 'from-context', 'http://127.0.0.1:1111'],
    ['--kubeconfig wins over KUBECONFIG', { kubeconfig: kubeB }, { KUBECONFIG: kubeA }, EMPTY_PROJECT, undefined, 'default', 'http://127.0.0.1:2222'],
  ])('Kubernetes: %s', (_what, args, env, p, jobNamespace, namespace, server) => {
    const kube = openConnections(io(env), args, p).to('kubernetes');
    const scope = jobNamespace === undefined ? kube.scopeOf() : kube.scopeOf(job(jobNamespace));
    expect([scope, kube.location()]).toEqual([namespace, server]);
  });

  test('one client per namespace, reused, bound to it', () => {
    const kube = kubernetesBackend.connect(connectionSettings(io({ KUBECONFIG: kubeA }), {}, EMPTY_PROJECT));
    expect(kube.client('a')).toBe(kube.client('a'));
    expect(kube.client('a')).not.toBe(kube.client('b'));
    expect([kube.client('a').namespace, kube.client('a').server]).toEqual(['a', 'http://127.0.0.1:1111']);
  });

  test('an unknown context is an error naming the known ones', () => {
    const conn = openConnections(io({ KUBECONFIG: kubeA }), { context: 'prod' }, EMPTY_PROJECT);
    expect(() => conn.to('kubernetes').scopeOf()).toThrow('kubeconfig has no context "prod"');
  });
});
