/**
 * `migrate rbac`: a Role and a RoleBinding per namespace, with exactly the verbs migrate sends. The
 * Role is checked against the request log of a round that uses every call migrate makes (a move
 * killed mid-way and resumed with a slot started by hand, a rollback, a move that replaces the
 * disabled copy, status and history of two jobs): every call is granted, and every grant is used.
 */
import YAML from 'yaml';
import { ACCESS_RULES } from '../../backends/kubernetes/rbac.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { KILL_POINTS, killedMove } from '../move/kill-bench.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let repo: SandboxRepo;
afterEach(() => repo.close());

interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly rules?: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[]; readonly verbs: readonly string[] }[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: readonly Record<string, string>[];
}

const documents = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS() as Manifest);

test('a Role and a RoleBinding in each namespace the jobs live in, bound to the subject asked for', async () => {
  repo = await startSandboxRepo({
    start: START,
    apply: false,
    jobs: { a: jobYaml('a', 'chronos', SCHEDULE, { lines: 'namespace: team-a' }), b: jobYaml('b', 'chronos', SCHEDULE, { lines: 'namespace: team-b' }), c: jobYaml('c', 'chronos', SCHEDULE) },
  });
  const r = await repo.cli('rbac', '--user', 'alice@example.com');
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout.split('\n')[0]).toBe('# Kubernetes: apply with `migrate rbac | kubectl apply -f -`');
  const docs = documents(r.stdout);
  expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
    'Role default/migrate', 'RoleBinding default/migrate', 'Role team-a/migrate', 'RoleBinding team-a/migrate', 'Role team-b/migrate', 'RoleBinding team-b/migrate',
  ]);
  expect(docs[0]!.rules).toEqual([
    { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'delete'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update'] },
  ]);
  expect(docs[1]).toMatchObject({ roleRef: { kind: 'Role', name: 'migrate' }, subjects: [{ kind: 'User', name: 'alice@example.com', apiGroup: 'rbac.authorization.k8s.io' }] });

  const sa = documents((await repo.cli('rbac', 'a', '--service-account', 'ops:migrate')).stdout);
  expect(sa.map((d) => `${d.kind} ${d.metadata.namespace}`)).toEqual(['Role team-a', 'RoleBinding team-a']);
  expect(sa[1]!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'migrate', namespace: 'ops' }]);
  expect(documents((await repo.cli('rbac', 'c')).stdout)[1]!.subjects).toEqual([{ kind: 'Group', name: 'migrate-operators', apiGroup: 'rbac.authorization.k8s.io' }]);

  const two = await repo.cli('rbac', '--user', 'alice', '--group', 'ops');
  expect([two.code, two.stderr.split('\n')[0]]).toEqual([1, 'error: name one of --user, --group and --service-account']);
  expect((await repo.cli('rbac', '--service-account', 'migrate')).stderr).toMatch(/^error: --service-account migrate is not NAMESPACE:NAME/);
});

test('the Role grants every call a round of moves makes, and nothing it does not make', async () => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE), other: jobYaml('other', 'chronos', SCHEDULE) } });
  await repo.advanceTo('2026-11-25T10:12:30Z');
  // Killed after disabling Chronos; back after the 10:15 slot passed: resume takes over the Lease
  // and starts that slot by hand on Kubernetes.
  expect(await killedMove(repo, 'chronos', 'kubernetes', KILL_POINTS.find((p) => p.name === 'after source-disabled')!)).toBe('killed');
  await repo.advance(5 * 60);
  expect((await repo.cli('resume', 'job', '--yes', '--advance-sandbox')).stdout).toMatch(/done: finished: job runs on kubernetes/);
  await repo.advance(10 * 60);
  expect((await repo.cli('rollback', 'job', '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.advance(10 * 60);
  // Kubernetes holds the disabled copy: the move replaces it with a fresh CronJob.
  expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  expect((await repo.cli('status')).stderr).toBe('');
  expect((await repo.cli('history')).code).toBe(0);

  const log = (await (await fetch(new URL('/_sandbox/requests', repo.chronosUrl))).json()) as { requests: { system: string; method: string; path: string }[] };
  const used = new Set(log.requests.filter((q) => q.system === 'kubernetes').map((q) => callOf(q.method, q.path)));
  const granted = new Set(ACCESS_RULES.flatMap((r) => r.verbs.map((v) => `${v} ${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ''}`)));
  expect([...used].sort()).toEqual([...granted].sort());

  await repo.advance(3600);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});

/** A request as RBAC names it: `verb resource.group`. */
function callOf(method: string, path: string): string {
  const m = /^\/(?:api|apis\/([^/]+))\/v1\/namespaces\/[^/]+\/([^/]+)(\/[^/]+)?$/.exec(path);
  if (!m) return `${method} ${path}`;
  const [, group, resource, name] = m;
  const verb = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[method] ?? method;
  return `${verb} ${resource}${group ? `.${group}` : ''}`;
}
