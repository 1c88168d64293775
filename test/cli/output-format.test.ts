/**
 * `-o` is never silently ignored: each command prints the formats it supports and refuses any
 * other with exit 1 (2 for diff) and a message naming the ones it has.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('validate -o json', () => {
  test('an array of {file, line, column, severity, message} on stdout, exit 1 on a problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-json-'));
    fs.writeFileSync(path.join(dir, 'one.yaml'), 'name: one\nbackend: chronos\nschedule: "61 * * * *"\ncommand: [/bin/true]\nretries: -1\n');
    const r = await runCli(['validate', '--jobs-dir', '.', '-o', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const problems = JSON.parse(r.stdout) as unknown[];
    expect(problems).toEqual([
      { file: 'one.yaml', line: 3, column: 11, severity: 'error', message: 'schedule "61 * * * *" is not valid for Kubernetes: end of range (61) above maximum (59): 61' },
      { file: 'one.yaml', line: 5, column: 10, severity: 'error', message: 'retries must be a whole number of at least 0, found -1' },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('[] and exit 0 when every definition is valid', async () => {
    const r = await runCli(['validate', 'nightly-report', 'db-backup', '-o', 'json'], { cwd: root });
    expect([r.code, JSON.parse(r.stdout), r.stderr]).toEqual([0, [], '']);
  });

  test('warnings are listed with severity warning, and exit 0 unless --strict', async () => {
    const r = await runCli(['validate', '-o', 'json'], { cwd: root });
    const problems = JSON.parse(r.stdout) as { severity: string }[];
    expect([r.code, problems.length > 0, problems.every((p) => p.severity === 'warning')]).toEqual([0, true, true]);
    expect((await runCli(['validate', '--strict', '-o', 'json'], { cwd: root })).code).toBe(1);
  });
});

test.each([
  [['validate', '-o', 'table'], 1, 'error: -o table is not supported by validate\nUse -o text (default), -o json or -o yaml.\n'],
  [['render', 'nightly-report', '--to', 'k8s', '-o', 'table'], 1, 'error: -o table is not supported by render\nUse -o yaml (default) or -o json.\n'],
  [['next', 'nightly-report', '-o', 'xml'], 1, 'error: -o xml is not supported by next\nUse -o table (default), -o json or -o yaml.\n'],
  [['status', '-o', 'xml'], 1, 'error: -o xml is not supported by status\nUse -o table (default), -o json or -o yaml.\n'],
  [['history', '-o', 'xml'], 1, 'error: -o xml is not supported by history\nUse -o table (default), -o json or -o yaml.\n'],
  [['import', '--from', 'chronos', '-o', 'table'], 1, 'error: -o table is not supported by import\nUse -o yaml (default) or -o json.\n'],
  [['import', '--from', 'chronos', '--write', '-o', 'json'], 1, 'error: -o json does not apply with --write\n--write writes each definition as YAML into the jobs folder; -o chooses how definitions are printed without it.\n'],
  [['diff', '-o', 'json'], 2, 'error: -o json is not supported by diff\ndiff has one output format (a unified diff, as kubectl diff prints); leave out -o.\n'],
  [['apply', '-o', 'json'], 1, 'error: -o json is not supported by apply\napply has one output format (the diff of each change and a summary); leave out -o.\n'],
  [['sandbox', '-o', 'json'], 1, 'error: -o json is not supported by sandbox\nsandbox has one output format (the URLs and exports to use, as text); leave out -o.\n'],
  [['move', 'nightly-report', '--to', 'k8s', '--dry-run', '-o', 'xml'], 1, 'error: -o xml is not supported by move\nUse -o table (default), -o json or -o yaml.\n'],
  [['rollback', 'nightly-report', '-o', 'xml'], 1, 'error: -o xml is not supported by rollback\nUse -o table (default), -o json or -o yaml.\n'],
  [['resume', 'nightly-report', '-o', 'json'], 1, 'error: -o json is not supported by resume\nresume has one output format (the plan, each step and the outcome, as text); leave out -o.\n'],
  [['demo', '-o', 'json'], 1, 'error: -o json is not supported by demo\ndemo has one output format (a narrated rehearsal, as text); leave out -o.\n'],
])('%j: exit %d, naming the formats it supports', async (argv, code, stderr) => {
  const r = await runCli(argv, { cwd: root, env: { MIGRATE_CHRONOS_URL: 'http://127.0.0.1:1', KUBECONFIG: '/nonexistent/kubeconfig' } });
  expect([r.code, r.stderr, r.stdout]).toEqual([code, stderr, '']);
});

describe('import -o json', () => {
  let repo: SandboxRepo;
  beforeAll(async () => {
    repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/15 * * * *', { lines: 'env: {LEVEL: "3"}' }) } });
  });
  afterAll(() => repo.close());

  test('prints the definitions as a JSON array with the same fields as the YAML', async () => {
    const yaml = await repo.cli('import', '--from', 'chronos', 'tick');
    const json = await repo.cli('import', '--from', 'chronos', 'tick', '-o', 'json');
    expect(json.code).toBe(0);
    const docs = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(docs).toEqual([parse(yaml.stdout)]);
    expect(docs[0]).toMatchObject({ name: 'tick', backend: 'chronos', schedule: '*/15 * * * *', env: { LEVEL: '3' } });
  });
});
