/**
 * `migrate render` masks secret env values as every other output does, in YAML and JSON, and says
 * so on stderr; `--show-secrets` prints them (for `kubectl apply -f -`). A secretKeyRef is a
 * reference and is printed as it is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { MASK } from '../../src/core/secrets.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-render-secrets-'));
  fs.mkdirSync(path.join(dir, 'jobs'));
  fs.writeFileSync(path.join(dir, 'migrate.yaml'), 'defaults:\n  image: busybox\n');
  fs.writeFileSync(
    path.join(dir, 'jobs', 'billing.yaml'),
    'name: billing\nbackend: kubernetes\nschedule: "*/5 * * * *"\ncommand: [/bin/true]\n' +
      'env:\n  DB_PASSWORD: hunter2\n  signing_key: s3cr3t-k3y\n  RAILS_ENV: production\n  API_TOKEN: {secretKeyRef: {name: api, key: token}}\n',
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type EnvEntry = { name: string; value?: string; valueFrom?: unknown };
const cronJobEnv = (manifest: any): EnvEntry[] => manifest.spec.jobTemplate.spec.template.spec.containers[0].env; // eslint-disable-line @typescript-eslint/no-explicit-any
const chronosEnv = (manifest: any): EnvEntry[] => manifest.environmentVariables; // eslint-disable-line @typescript-eslint/no-explicit-any
const note = `note: env DB_PASSWORD, signing_key masked as ${MASK}; --show-secrets prints the values (e.g. to pipe into kubectl apply -f -)\n`;

describe.each([
  ['k8s', cronJobEnv],
  ['chronos', chronosEnv],
] as const)('render --to %s', (to, envOf) => {
  test.each(['yaml', 'json'])('-o %s masks secret values by default and says which on stderr', async (format) => {
    const result = await runCli(['render', 'billing', '--to', to, '-o', format], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/hunter2|s3cr3t/);
    const env = envOf(format === 'json' ? JSON.parse(result.stdout) : parse(result.stdout));
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'DB_PASSWORD', value: MASK },
        { name: 'signing_key', value: MASK },
        { name: 'RAILS_ENV', value: 'production' },
      ]),
    );
    expect(result.stderr).toContain(note);
  });

  test('--show-secrets prints the values, and no note', async () => {
    const result = await runCli(['render', 'billing', '--to', to, '--show-secrets'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(envOf(parse(result.stdout))).toEqual(expect.arrayContaining([{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'signing_key', value: 's3cr3t-k3y' }]));
    expect(result.stderr).not.toContain('masked');
  });
});

test('a Kubernetes secretKeyRef is a reference, not a value: kept', async () => {
  const result = await runCli(['render', 'billing', '--to', 'k8s'], { cwd: dir });
  expect(cronJobEnv(parse(result.stdout))).toContainEqual({ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } });
});

test('a job with no secret value prints no note', async () => {
  fs.writeFileSync(path.join(dir, 'jobs', 'plain.yaml'), 'name: plain\nbackend: kubernetes\nschedule: "0 3 * * *"\ncommand: [/bin/true]\nenv: {RAILS_ENV: production}\n');
  const result = await runCli(['render', 'plain', '--to', 'k8s'], { cwd: dir });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
});
