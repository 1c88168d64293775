/**
 * `migrate import`: the round trip is the test. A job made by hand in a live system, imported,
 * must diff clean against that same system, before and after it has run.
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
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
  ['docker-volumes', {
    command: 'etl --date today', schedule: 'R/2026-11-26T02:00:00.000Z/P1D',
    container: {
      type: 'DOCKER', image: 'registry.example.com/etl:4.2', network: 'BRIDGE', forcePullImage: true,
      volumes: [{ containerPath: '/data', hostPath: '/srv/etl', mode: 'RW' }, { containerPath: '/etc/etl', hostPath: '/etc/etl', mode: 'RO' }, { containerPath: 'scratch', mode: 'RW' }],
      parameters: [{ key: 'memory-swap', value: '1g' }, { key: 'label', value: 'team=data' }],
    },
  }],
  ['mesos-fields', {
    command: 'fetch-and-run', schedule: 'R/2026-11-25T12:00:00.000Z/PT6H', ownerName: 'Data platform',
    constraints: [['rack', 'EQUALS', 'r1'], ['hostname', 'LIKE', 'batch-.*']], uris: ['https://artifacts.example.com/tool.tgz'],
    runAsUser: 'batch', highPriority: true, softError: true,
  }],
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
    // The values of secret-looking env variables in the file, as they are: the round trip is then exact.
    const imported = await b.cli('import', '--from', 'chronos', job, '--write', '--include-secrets');
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

  test('the container and Chronos\' own fields: mapped where a definition has the field, carried in specific.chronos where not, each said', async () => {
    const read = (job: string) => parse(readFileSync(join(b.dir, 'jobs', `c-${job}.yaml`), 'utf8')) as Record<string, unknown>;
    expect(read('docker-volumes')).toMatchObject({
      image: 'registry.example.com/etl:4.2',
      pullPolicy: 'always',
      network: 'bridge',
      volumes: [{ hostPath: '/srv/etl', mountPath: '/data' }, { hostPath: '/etc/etl', mountPath: '/etc/etl', readOnly: true }],
      specific: { chronos: { container: { parameters: [{ key: 'memory-swap', value: '1g' }, { key: 'label', value: 'team=data' }], volumes: [{ containerPath: 'scratch', mode: 'RW' }] } } },
    });
    expect(read('mesos-fields')).toMatchObject({
      owner: 'Data platform <ops@example.com>',
      specific: {
        chronos: {
          constraints: [['rack', 'EQUALS', 'r1'], ['hostname', 'LIKE', 'batch-.*']],
          fetch: [{ uri: 'https://artifacts.example.com/tool.tgz', executable: false, cache: false, extract: true }],
          runAsUser: 'batch', highPriority: true, softError: true,
        },
      },
    });
    const again = await b.cli('import', '--from', 'chronos', 'c-docker-volumes', 'c-mesos-fields');
    expect(again.stderr.split('\n').filter(Boolean).sort()).toEqual([
      'warning: c-docker-volumes: docker parameters --memory-swap=1g --label=team=data: no equivalent outside Chronos; kept as specific.chronos.container, so a move elsewhere drops it',
      'warning: c-docker-volumes: volumes that are not a host folder at an absolute path (scratch): no equivalent outside Chronos; kept as specific.chronos.container, so a move elsewhere drops it',
      'warning: c-mesos-fields: constraints [["rack","EQUALS","r1"],["hostname","LIKE","batch-.*"]]: no equivalent outside Chronos; kept as specific.chronos.constraints, so a move elsewhere drops it',
      'warning: c-mesos-fields: fetch [{"uri":"https://artifacts.example.com/tool.tgz","executable":false,"cache":false,"extract":true}]: no equivalent outside Chronos; kept as specific.chronos.fetch, so a move elsewhere drops it',
      'warning: c-mesos-fields: highPriority true: no equivalent outside Chronos; kept as specific.chronos.highPriority, so a move elsewhere drops it',
      'warning: c-mesos-fields: runAsUser "batch": no equivalent outside Chronos; kept as specific.chronos.runAsUser, so a move elsewhere drops it',
      'warning: c-mesos-fields: softError true: no equivalent outside Chronos; kept as specific.chronos.softError, so a move elsewhere drops it',
    ]);
  });

  test('rendered for Kubernetes, the container maps to the pod and what does not map is listed', async () => {
    const r = await b.cli('render', 'c-docker-volumes', '--to', 'k8s', '-o', 'json');
    expect(r.code).toBe(0);
    const pod = (JSON.parse(r.stdout) as { spec: { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } } }).spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({
      volumes: [{ name: 'host-0', hostPath: { path: '/srv/etl' } }, { name: 'host-1', hostPath: { path: '/etc/etl' } }],
      containers: [{ image: 'registry.example.com/etl:4.2', imagePullPolicy: 'Always', volumeMounts: [{ name: 'host-0', mountPath: '/data' }, { name: 'host-1', mountPath: '/etc/etl', readOnly: true }] }],
    });
    expect(pod.hostNetwork).toBeUndefined();
    expect(r.stderr).toBe(
      'warning: dropped in translation: specific.chronos.container ({"parameters":[{"key":"memory-swap","value":"1g"},{"key":"label","value":"team=data"}],"volumes":[{"containerPath":"scratch","mode":"RW"}]}) is chronos\'s own and has no Kubernetes equivalent\n',
    );
  });

  test('to stdout as to a file, a secret-looking value is never written: a secretKeyRef to fill in, and import says what that changes', async () => {
    const r = await b.cli('import', '--from', 'chronos', 'c-env', 'c-container');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stderr).toBe(
      'warning: c-env: env DB_PASSWORD (secret c-env, key DB_PASSWORD) written as a secretKeyRef to fill in, not in clear: create the secret with those keys, or re-import with --include-secrets to write the values\n' +
        'warning: c-env: applied back as written, it changes environmentVariables on Chronos (`migrate diff c-env` shows how): dropped in translation: env.DB_PASSWORD reads Kubernetes Secret c-env/DB_PASSWORD, which Chronos cannot reference\n',
    );
    const docs = r.stdout.split('---\n').map((d) => parse(d) as { name: string; env?: Record<string, unknown> });
    expect(docs.map((d) => d.name)).toEqual(['c-env', 'c-container']);
    expect(docs[0].env).toEqual({ LEVEL: '3', DB_PASSWORD: { secretKeyRef: { name: 'c-env', key: 'DB_PASSWORD' } } });
    const json = await b.cli('import', '--from', 'chronos', 'c-env', '-o', 'json');
    expect(json.stdout).not.toContain('hunter2');
    const shown = await b.cli('import', '--from', 'chronos', 'c-env', '--include-secrets');
    expect([shown.stderr, (parse(shown.stdout) as { env: unknown }).env]).toEqual(['', { LEVEL: '3', DB_PASSWORD: 'hunter2' }]);
  });

  test('--write without --include-secrets: the file holds the reference, and diff shows exactly the variable Chronos will lose', async () => {
    const r = await b.cli('import', '--from', 'chronos', 'c-env', '--write', '--force');
    expect(r.code).toBe(0);
    const text = readFileSync(join(b.dir, 'jobs', 'c-env.yaml'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(parse(text)).toMatchObject({ env: { DB_PASSWORD: { secretKeyRef: { name: 'c-env', key: 'DB_PASSWORD' } } } });
    const diff = await b.cli('diff', 'c-env');
    expect(diff.code).toBe(1);
    expect(diff.stdout.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-  - name: DB_PASSWORD', '-    value: "*** (before)"']);
    expect((await b.cli('import', '--from', 'chronos', 'c-env', '--write', '--force', '--include-secrets')).code).toBe(0);
  });

  test('an existing file is not overwritten without --force', async () => {
    const before = readFileSync(join(b.dir, 'jobs', 'c-env.yaml'), 'utf8');
    const r = await b.cli('import', '--from', 'chronos', 'c-env', '--write', '--include-secrets');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: c-env: jobs/c-env.yaml exists; not overwritten (--force overwrites it)\n');
    const forced = await b.cli('import', '--from', 'chronos', 'c-env', '--write', '--force', '--include-secrets');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(b.dir, 'jobs', 'c-env.yaml'), 'utf8')).toBe(before);
  });

  test.each([
    ['c-every-90m', { command: 'x', schedule: 'R/2026-11-27T00:00:00.000Z/PT90M' }, /schedule R\/.*PT90M cannot be written as cron/],
    ['c-finite', { command: 'x', schedule: 'R5/2026-11-27T00:00:00.000Z/PT1H' }, /R5 runs 5 more times and stops/],
    ['c-dependent', { command: 'x', parents: ['c-env'] }, /a dependent job \(runs after c-env\)/],
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

  test('a Chronos name no definition can take is kept in specific.chronos.name; the definition is named as every backend can hold it', async () => {
    const long = `Billing_${'Reconcile'.repeat(6)}`;
    // Two that would get one name: the second gets a suffix.
    for (const name of ['ETL_Daily.v2', 'etl_daily.v2', long]) {
      expect((await b.chronos('POST', '/iso8601', { name, command: 'etl', schedule: 'R/2026-11-26T01:00:00.000Z/P1D' })).status).toBe(204);
    }
    const r = await b.cli('import', '--from', 'chronos', 'ETL_Daily.v2', 'etl_daily.v2', long, '--write');
    expect(r.code).toBe(0);
    const named = (live: string, as: string) => `warning: ${live}: named ${as} (a DNS-1123 label of at most 52 characters, as every backend can hold); its Chronos name stays ${live}, in specific.chronos.name\n`;
    const shortened = 'billing-reconcilereconcilereconcilereconcilereconcil';
    expect(r.stderr).toBe(named('ETL_Daily.v2', 'etl-daily-v2') + named('etl_daily.v2', 'etl-daily-v2-2') + named(long, shortened));
    expect(r.stdout).toBe(`wrote jobs/etl-daily-v2.yaml\nwrote jobs/etl-daily-v2-2.yaml\nwrote jobs/${shortened}.yaml\n`);
    const definition = parse(readFileSync(join(b.dir, 'jobs', 'etl-daily-v2.yaml'), 'utf8')) as Record<string, unknown>;
    expect(definition).toMatchObject({ name: 'etl-daily-v2', specific: { chronos: { name: 'ETL_Daily.v2' } } });
    // The definition's name is the Kubernetes name; status, diff and validate find the Chronos job by its own.
    const diff = await b.cli('diff', 'etl-daily-v2');
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, '', '']);
    const status = await b.cli('status', 'etl-daily-v2', '-o', 'json');
    expect(JSON.parse(status.stdout)).toMatchObject([{ name: 'etl-daily-v2', chronos: { present: true, enabled: true }, verdict: 'ok' }]);
    const render = await b.cli('render', 'etl-daily-v2', '--to', 'chronos', '-o', 'json');
    expect([JSON.parse(render.stdout).name, render.stderr]).toEqual(['ETL_Daily.v2', '']);
    const validate = await b.cli('validate', 'etl-daily-v2', 'etl-daily-v2-2');
    expect([validate.code, validate.stderr]).toEqual([0, '']);
  });

  test('with defaults.image in migrate.yaml, a job without a container is written with image: null, and diffs clean', async () => {
    writeFileSync(join(b.dir, 'with-image.yaml'), 'defaults:\n  image: registry.example.com/app:1.2\n');
    const flags = ['--config', 'with-image.yaml', '--jobs-dir', 'jobs-with-image'];
    const r = await b.cli('import', '--from', 'chronos', 'c-cpus-mem', '--write', ...flags);
    expect(r.stderr).toBe("warning: c-cpus-mem: it runs without a container: written with image: null, so that migrate.yaml's defaults.image (registry.example.com/app:1.2) does not give it one; a move to a system that runs only containers needs an image set\n");
    expect(readFileSync(join(b.dir, 'jobs-with-image', 'c-cpus-mem.yaml'), 'utf8')).toContain('image: null\n');
    const diff = await b.cli('diff', 'c-cpus-mem', ...flags);
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, '', '']);
    const status = await b.cli('status', 'c-cpus-mem', '-o', 'json', ...flags);
    expect(JSON.parse(status.stdout)).toMatchObject([{ verdict: 'ok' }]);
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
  ['k-host-volumes', {
    schedule: '30 2 * * *', timeZone: 'Etc/UTC', startingDeadlineSeconds: 1200, concurrencyPolicy: 'Forbid',
    pod: { hostNetwork: true, volumes: [{ name: 'host-0', hostPath: { path: '/srv/etl' } }, { name: 'host-1', hostPath: { path: '/etc/etl' } }] },
    container: { command: ['etl'], imagePullPolicy: 'Always', volumeMounts: [{ name: 'host-0', mountPath: '/data' }, { name: 'host-1', mountPath: '/etc/etl', readOnly: true }] },
  }, undefined],
];

function cronJobYaml(name: string, o: Record<string, any>): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { container, restartPolicy, backoffLimit, pod, ...spec } = o;
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', labels: { team: 'data' } },
    spec: {
      ...spec,
      jobTemplate: { spec: { ...(backoffLimit !== undefined ? { backoffLimit } : {}), template: { spec: { restartPolicy: restartPolicy ?? 'Never', ...pod, containers: [{ name: 'main', image: 'busybox:1.36', ...container }] } } } },
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

  test('host network, hostPath volumes and a pull policy other than the default are read into the definition', async () => {
    const definition = parse(readFileSync(join(b.dir, 'jobs', 'k-host-volumes.yaml'), 'utf8')) as Record<string, unknown>;
    expect(definition).toMatchObject({
      pullPolicy: 'always',
      network: 'host',
      volumes: [{ hostPath: '/srv/etl', mountPath: '/data' }, { hostPath: '/etc/etl', mountPath: '/etc/etl', readOnly: true }],
    });
  });

  test('after runs, an imported CronJob still diffs clean', async () => {
    await b.advance(3600);
    const diff = await b.cli('diff', 'k-basic', 'k-weekday');
    expect([diff.code, diff.stdout]).toEqual([0, '']);
  });
});
