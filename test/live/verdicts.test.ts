/** The pure core of the live view: verdicts, secret masking, the diff text and the canonical definition. */
import { ALL_BACKENDS } from '../../backends/index.js';
import { formatDefinition } from '../../src/cli/commands/import.js';
import { readDefinition } from '../../src/core/definition.js';
import type { JobDefinition } from '../../src/core/job.js';
import { diffLive, maskSecrets, sortKeys } from '../../src/core/live-diff.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { emptyProject, parseProjectConfig } from '../../src/core/project.js';

const EMPTY_PROJECT = emptyProject(BACKEND_NAMES);
import { buildStatusReport, judgeJob, renderStatusTable, statusExitCode, summaryLine, type JobObservation, type Verdict } from '../../src/core/status.js';

const up = (enabled: boolean | undefined) =>
  enabled === undefined ? ({ reachable: true, state: { present: false, enabled: false } } as const) : ({ reachable: true, state: { present: true, enabled } } as const);
const k8s = (enabled: boolean | undefined) =>
  enabled === undefined
    ? ({ reachable: true, state: { present: false, enabled: false, namespace: 'default', activeRuns: 0 } } as const)
    : ({ reachable: true, state: { present: true, enabled, namespace: 'default', activeRuns: 0 } } as const);
const down = { reachable: false, error: 'connection refused' } as const;

function observe(declared: 'chronos' | 'kubernetes', chronos: boolean | undefined | 'down', kubernetes: boolean | undefined | 'down', extra: Partial<JobObservation> = {}): JobObservation {
  return {
    name: 'job',
    declared,
    systems: { chronos: chronos === 'down' ? down : up(chronos), kubernetes: kubernetes === 'down' ? down : k8s(kubernetes) },
    matchesDefinition: true,
    inFlight: false,
    ...extra,
  };
}

describe('judgeJob', () => {
  // [declared, chronos enabled (undefined: absent), kubernetes enabled, extra, verdict]
  test.each<[string, 'chronos' | 'kubernetes', boolean | undefined | 'down', boolean | undefined | 'down', Partial<JobObservation>, Verdict]>([
    ['enabled where declared, matching', 'chronos', true, undefined, {}, 'ok'],
    ['enabled where declared, suspended twin', 'kubernetes', false, true, {}, 'ok'],
    ['enabled where declared, different', 'chronos', true, undefined, { matchesDefinition: false }, 'drift'],
    ['enabled only in the other system', 'kubernetes', true, false, {}, 'drift'],
    ['enabled in both', 'chronos', true, true, {}, 'double'],
    ['enabled in both, even mid-move', 'kubernetes', true, true, { inFlight: true }, 'double'],
    ['absent from both', 'chronos', undefined, undefined, {}, 'orphan'],
    ['disabled and suspended', 'kubernetes', false, false, {}, 'orphan'],
    ['an unfinished move explains an orphan', 'kubernetes', false, false, { inFlight: true }, 'in-flight'],
    ['one system unreachable', 'chronos', true, 'down', {}, 'unknown'],
    ['an unfinished move, one system unreachable', 'chronos', 'down', true, { inFlight: true }, 'in-flight'],
  ])('%s: %s', (_what, declared, chronos, kubernetes, extra, verdict) => {
    expect(judgeJob(observe(declared, chronos, kubernetes, extra)).verdict).toBe(verdict);
  });

  test('worst first, then by name; exit 0 only when all are ok and both systems answered', () => {
    const report = buildStatusReport(
      [
        { ...observe('chronos', true, undefined), name: 'b-ok' },
        { ...observe('chronos', true, true), name: 'z-double' },
        { ...observe('chronos', false, false), name: 'a-orphan' },
        { ...observe('chronos', true, undefined), name: 'a-ok' },
      ],
      [],
      {},
    );
    expect(report.jobs.map((j) => j.name)).toEqual(['z-double', 'a-orphan', 'a-ok', 'b-ok']);
    expect(summaryLine(report)).toBe('4 jobs: 1 double, 1 orphan, 2 ok.');
    expect(statusExitCode(report)).toBe(1);
    expect(statusExitCode(buildStatusReport([observe('chronos', true, undefined)], [{ system: 'chronos', name: 'legacy', enabled: true }], {}))).toBe(0);
    expect(statusExitCode(buildStatusReport([], [], { chronos: 'down' }))).toBe(1);
  });
});

describe('renderStatusTable', () => {
  const report = buildStatusReport([{ ...observe('chronos', true, true), name: 'twice' }, { ...observe('kubernetes', undefined, 'down'), name: 'unseen' }], [], { kubernetes: 'connection refused' });

  test('verdicts coloured only when asked; an unreachable system shown in its cells and below', () => {
    const plain = renderStatusTable(report, ALL_BACKENDS);
    expect(plain).not.toContain('\u001b[');
    expect(plain).toMatch(/^twice\s+chronos\s+enabled\s+-\s+-\s+active\s+-\s+-\s+0\s+double$/m);
    expect(plain).toMatch(/^unseen\s+kubernetes\s+absent\s+-\s+-\s+unreachable\s+\?\s+\?\s+\?\s+unknown$/m);
    expect(plain).toContain('\nkubernetes: unreachable: connection refused\n');
    expect(renderStatusTable(report, ALL_BACKENDS, { color: true })).toContain('\u001b[1;31mdouble\u001b[0m');
  });
});

describe('maskSecrets', () => {
  const chronos = (env: Record<string, string>) => ({ environmentVariables: Object.entries(env).map(([name, value]) => ({ name, value })) });
  test.each([
    ['a secret name, same value', { API_TOKEN: 'a' }, { API_TOKEN: 'a' }, ['***'], ['***']],
    ['a secret name, changed value', { DB_PASSWORD: 'a' }, { DB_PASSWORD: 'b' }, ['*** (before)'], ['*** (after)']],
    ['a plain name stays visible', { MODE: 'a' }, { MODE: 'b' }, ['a'], ['b']],
    ['only on one side', { SIGNING_KEY: 'a' }, {}, ['*** (before)'], []],
  ])('%s', (_what, live, desired, liveValues, desiredValues) => {
    const [l, d] = maskSecrets(chronos(live), chronos(desired));
    expect(l.environmentVariables.map((e) => e.value)).toEqual(liveValues);
    expect(d.environmentVariables.map((e) => e.value)).toEqual(desiredValues);
  });

  test('a value the other side reads from a Secret is masked, whatever its name', () => {
    const live = { spec: { containers: [{ env: [{ name: 'DSN', value: 'postgres://u:p@db' }] }] } };
    const desired = { spec: { containers: [{ env: [{ name: 'DSN', valueFrom: { secretKeyRef: { name: 'db', key: 'dsn' } } }] }] } };
    const [l, d] = maskSecrets(live, desired);
    expect(l.spec.containers[0].env[0].value).toBe('*** (before)');
    expect(d).toEqual(desired);
    expect(live.spec.containers[0].env[0].value).toBe('postgres://u:p@db');
  });
});

describe('diffLive', () => {
  test('kubectl labels, sorted keys, no output when equal', () => {
    const d = diffLive({ liveLabel: 'LIVE chronos/x', desiredLabel: 'DESIRED kubernetes/default/x', live: { b: 1, a: 1 }, desired: { a: 1, b: 2 } });
    expect(d.patch).toBe('--- LIVE chronos/x\n+++ DESIRED kubernetes/default/x\n@@ -1,2 +1,2 @@\n a: 1\n-b: 1\n+b: 2\n');
    expect(diffLive({ liveLabel: 'L', desiredLabel: 'D', live: { b: 1, a: [1] }, desired: { a: [1], b: 1 } })).toEqual({ changed: false, patch: '' });
    expect(sortKeys({ b: { d: 1, c: undefined }, a: 2 })).toEqual({ a: 2, b: { d: 1 } });
  });
});

describe('formatDefinition', () => {
  const base: JobDefinition = {
    name: 'nightly-report', backend: 'chronos', schedule: '15 */2 * * *', timezone: 'Etc/UTC', command: ['ruby', '/app/x.rb'], image: 'app:1',
    env: { RAILS_ENV: 'production', API_KEY: { secretKeyRef: { name: 'app', key: 'api' } } }, resources: { requests: { cpu: '0.1', memory: '128M' } },
    retries: 2, concurrency: 'forbid', startingDeadlineSeconds: 1200, owner: 'ops@example.com', description: undefined, tier: 'low', labels: {}, namespace: 'default',
  };
  const project = parseProjectConfig('migrate.yaml', 'defaults:\n  image: app:1\n  retries: 5\n  timezone: Europe/Berlin\n  resources: {requests: {cpu: 1}}\nkubernetes:\n  namespace: batch\n', BACKEND_NAMES).config;

  test.each([
    ['no project file', EMPTY_PROJECT, base],
    ['project defaults that differ from the job', project, base],
    ['a job equal to the project defaults', project, { ...base, image: 'app:1', retries: 5, timezone: 'Europe/Berlin', resources: { requests: { cpu: '1' } }, namespace: 'batch' }],
    ['a job with no resources under default resources', project, { ...base, resources: {} }],
    ['shell command, kubernetes, every optional field', EMPTY_PROJECT, { ...base, backend: 'kubernetes', command: 'echo hi', concurrency: 'replace', startingDeadlineSeconds: 90, labels: { team: 'data' }, description: 'd', namespace: 'jobs' }],
  ] as const)('%s: loads back to the same job', (_what, p, job) => {
    const text = formatDefinition(job as JobDefinition, p);
    const loaded = readDefinition('jobs/x.yaml', text, p);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.definition!.job).toEqual(job);
  });

  test('only what differs from the defaults, in docs/format.md order', () => {
    expect(formatDefinition({ ...base, env: {}, owner: undefined, tier: undefined, resources: {} }, EMPTY_PROJECT)).toBe(
      'name: nightly-report\nbackend: chronos\nschedule: 15 */2 * * *\ncommand:\n  - ruby\n  - /app/x.rb\nimage: app:1\n',
    );
  });
});
