/**
 * `migrate import`: the round trip is the test. A job made by hand in a live system, imported,
 * must diff clean against that same system, before and after it has run.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startBench, type LiveBench } from './harness.js';
import { describeWithKubectl } from '../helpers/kubectl.js';

let b: LiveBench;
beforeAll(async () => {
  // No default image: a Chronos job without a container must stay without one.
  b = await startBench({ project: 'kubernetes:\n  namespace: default\n' });
});
afterAll(() => b.close());

const chronosJobs: [string, Record<string, unknown>][] = [
  ['container', { command: 'echo hello', schedule: 'R/2026-11-25T11:00:00.000Z/PT1H', container: { type: 'DOCKER', image: 'busybox:1.36' } }],
  ['env', { command: 'env', schedule: 'R/2026-11-25T10:30:00.000Z/PT30M', environmentVariables: [{ name: 'LEVEL', value: '3' }, { name: 'DB_PASSWORD', value: 'hunter2' }] }],
  ['cpus-mem', { command: 'crunch', schedule: 'R/2026-11-26T00:00:00.000Z/P1D', cpus: 0.5, mem: 512, disk: 1024 }],
  ['shell-false-args', { command: '/usr/bin/ruby', shell: false, arguments: ['/app/report.rb', '--verbose'], schedule: 'R/2026-11-25T12:00:00.000Z/PT4H' }],
  ['odd-hour-pt2h', { command: 'sync', schedule: 'R/2026-11-25T11:15:00.000Z/PT2H' }],
  ['weekly-p1w', { command: 'weekly', schedule: 'R/2026-11-30T03:00:00.000Z/P1W' }],
  ['berlin-zone', { command: 'berlin', schedule: 'R/2026-11-26T04:30:00.000+01:00/P1D', scheduleTimeZone: 'Europe/Berlin' }],
];

describe('import --from chronos: every job diffs clean against Chronos', () => {
  beforeAll(async () => {
    for (const [name, body] of chronosJobs) {
      const res = await b.chronos('POST', '/iso8601', { name: `c-${name}`, owner: 'ops@example.com', ...body });
      expect(res.status).toBe(204);
    }
  });

  test.each(chronosJobs)('%s', async (name) => {
    const job = `c-${name}`;
    const imported = await b.cli('import', '--from', 'chronos', job, '--write');
    expect(imported.stderr).not.toMatch(/^error/m);
    expect([imported.code, imported.stdout]).toEqual([0, `wrote jobs/${job}.yaml\n`]);
    const definition = parse(readFileSync(join(b.dir, 'jobs', `${job}.yaml`), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(definition).slice(0, 3)).toEqual(['name', 'backend', 'schedule']);
    expect(definition.backend).toBe('chronos');
    const diff = await b.cli('diff', job);
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, '', '']);
  });

  test('the schedules are translated to cron, in the zone they ran in', async () => {
    const read = (job: string) => parse(readFileSync(join(b.dir, 'jobs', `c-${job}.yaml`), 'utf8')) as Record<string, unknown>;
    expect(read('odd-hour-pt2h')).toMatchObject({ schedule: '15 1-23/2 * * *' });
    expect(read('weekly-p1w').schedule).toMatch(/^0 3 \* \* (1|MON|mon)$/);
    expect(read('berlin-zone')).toMatchObject({ schedule: '30 4 * * *', timezone: 'Europe/Berlin' });
    expect(read('shell-false-args')).toMatchObject({ command: ['/usr/bin/ruby', '/app/report.rb', '--verbose'] });
    expect(read('container')).toMatchObject({ image: 'busybox:1.36', command: 'echo hello' });
  });

  test('after a day of runs (schedules rewritten, counters up) they still diff clean', async () => {
    await b.advance(26 * 3600);
    const runs = (await (await fetch(`${b.chronosUrl}/_sandbox/runs`)).json()) as { job: string }[];
    expect(runs.filter((r) => r.job === 'c-env').length).toBeGreaterThanOrEqual(10);
    const diff = await b.cli('diff', ...chronosJobs.map(([n]) => `c-${n}`));
    expect([diff.code, diff.stdout]).toEqual([0, '']);
  });

  test('to stdout, secret values are masked and the definitions are YAML documents', async () => {
    const r = await b.cli('import', '--from', 'chronos', 'c-env', 'c-container');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stderr).toContain('warning: c-env: env DB_PASSWORD masked as *** on stdout');
    const docs = r.stdout.split('---\n').map((d) => parse(d) as { name: string; env?: Record<string, string> });
    expect(docs.map((d) => d.name)).toEqual(['c-env', 'c-container']);
    expect(docs[0].env).toEqual({ LEVEL: '3', DB_PASSWORD: '***' });
  });

  test('an existing file is not overwritten without --force', async () => {
    const before = readFileSync(join(b.dir, 'jobs', 'c-env.yaml'), 'utf8');
    const r = await b.cli('import', '--from', 'chronos', 'c-env', '--write');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: c-env: jobs/c-env.yaml exists; not overwritten (--force overwrites it)\n');
    const forced = await b.cli('import', '--from', 'chronos', 'c-env', '--write', '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(b.dir, 'jobs', 'c-env.yaml'), 'utf8')).toBe(before);
  });

  test.each([
    ['c-every-90m', { command: 'x', schedule: 'R/2026-11-27T00:00:00.000Z/PT90M' }, /schedule R\/.*PT90M cannot be written as cron/],
    ['c-finite', { command: 'x', schedule: 'R5/2026-11-27T00:00:00.000Z/PT1H' }, /R5 runs 5 more times and stops/],
    ['c-dependent', { command: 'x', parents: ['c-env'] }, /a dependent job \(runs after c-env\)/],
    ['Nightly_Report', { command: 'x', schedule: 'R/2026-11-27T00:00:00.000Z/PT1H' }, /name "Nightly_Report" is not a DNS-1123 label/],
  ])('%s is reported and skipped; the others still import', async (name, body, reason) => {
    const posted = await b.chronos('POST', 'parents' in body ? '/dependency' : '/iso8601', { name, ...body });
    expect(posted.status).toBe(204);
    const r = await b.cli('import', '--from', 'chronos', name, 'c-container');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain(`error: ${name}: not imported`);
    expect((parse(r.stdout) as { name: string }).name).toBe('c-container');
    expect(existsSync(join(b.dir, 'jobs', `${name}.yaml`))).toBe(false);
  });

  test('a name that is not in Chronos is an error naming it', async () => {
    const r = await b.cli('import', '--from', 'chronos', 'no-such-job');
    expect([r.code, r.stderr]).toEqual([1, 'error: no-such-job: no such job in Chronos\n']);
  });
});

const cronJobs: [string, Record<string, unknown>, RegExp | undefined][] = [
  ['k-basic', { schedule: '*/5 * * * *', timeZone: 'Etc/UTC', startingDeadlineSeconds: 300, concurrencyPolicy: 'Forbid', container: { command: ['/bin/sh', '-c', 'echo hi'] } }, undefined],
  ['k-env-resources', {
    schedule: '0 3 * * *', timeZone: 'Europe/Berlin', startingDeadlineSeconds: 600, backoffLimit: 1,
    container: { command: ['ruby', 'x.rb'], env: [{ name: 'MODE', value: 'fast' }, { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'app', key: 'api-key' } } }], resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '1Gi' } } },
  }, undefined],
  ['k-weekday', { schedule: '0 9 * * 1-5', timeZone: 'America/New_York', startingDeadlineSeconds: 1200, concurrencyPolicy: 'Replace', container: { command: ['digest'] } }, undefined],
  ['k-on-failure', { schedule: '0 * * * *', timeZone: 'Etc/UTC', startingDeadlineSeconds: 60, restartPolicy: 'OnFailure', container: { command: ['x'] } }, /restartPolicy OnFailure is not imported/],
  ['k-no-zone', { schedule: '0 * * * *', startingDeadlineSeconds: 60, container: { command: ['x'] } }, /no timeZone/],
];

function cronJobYaml(name: string, o: Record<string, any>): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { container, restartPolicy, backoffLimit, ...spec } = o;
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', labels: { team: 'data' } },
    spec: {
      ...spec,
      jobTemplate: { spec: { ...(backoffLimit !== undefined ? { backoffLimit } : {}), template: { spec: { restartPolicy: restartPolicy ?? 'Never', containers: [{ name: 'main', image: 'busybox:1.36', ...container }] } } } },
    },
  });
}

const kubectlSuite = describeWithKubectl;

kubectlSuite('import --from kubernetes: CronJobs made with kubectl diff clean against Kubernetes', () => {
  beforeAll(async () => {
    const { writeFileSync } = await import('node:fs');
    // One kubectl run for all of them: one YAML stream.
    const file = join(b.dir, 'cronjobs.yaml');
    writeFileSync(file, cronJobs.map(([name, o]) => stringify(JSON.parse(cronJobYaml(name, o)))).join('---\n'));
    const r = await b.kubectl('apply', '-f', file);
    expect(r.stderr).toBe('');
  });

  test.each(cronJobs)('%s', async (name, _o, warning) => {
    const imported = await b.cli('import', '--from', 'kubernetes', name, '--write');
    expect(imported.code).toBe(0);
    const diff = await b.cli('diff', name);
    if (warning) {
      // What the definition cannot carry is said, and the diff shows it rather than hiding it.
      expect(imported.stderr).toMatch(warning);
      expect(diff.code).toBe(1);
    } else {
      expect(imported.stderr).toBe('');
      expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, '', '']);
    }
  });

  test('the canonical format: docs/format.md field order, only what differs from the defaults', async () => {
    const text = readFileSync(join(b.dir, 'jobs', 'k-env-resources.yaml'), 'utf8');
    expect(Object.keys(parse(text) as object)).toEqual(['name', 'backend', 'schedule', 'timezone', 'command', 'image', 'env', 'resources', 'retries', 'concurrency', 'startingDeadline', 'labels']);
    expect(parse(text)).toMatchObject({ backend: 'kubernetes', env: { API_KEY: { secretKeyRef: { name: 'app', key: 'api-key' } } }, startingDeadline: '10m', labels: { team: 'data' } });
  });

  test('after runs, an imported CronJob still diffs clean', async () => {
    await b.advance(3600);
    const diff = await b.cli('diff', 'k-basic', 'k-weekday');
    expect([diff.code, diff.stdout]).toEqual([0, '']);
  });
});
