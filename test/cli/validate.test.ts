/**
 * `migrate validate`: each mistake in its own folder under test/fixtures/invalid/ gives exit 1
 * and exactly the diagnostics in its expected.txt (position and text; a line ending in `...` is a
 * prefix); the shipped jobs/ are
 * valid. Drop a new folder in to add a case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const invalidDir = path.join(root, 'test/fixtures/invalid');
const cases = fs.readdirSync(invalidDir).filter((d) => fs.existsSync(path.join(invalidDir, d, 'expected.txt'))).sort();

function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /:\d+:\d+: (error|warning): /.test(l));
}

describe('migrate validate', () => {
  test('every fixture folder has an expected.txt', () => {
    const all = fs.readdirSync(invalidDir).sort();
    expect(cases).toEqual(all);
  });

  test.each(cases)('%s: exit 1 with the precise error', async (name) => {
    const cwd = path.join(invalidDir, name);
    const result = await runCli(['validate', '--jobs-dir', '.'], { cwd });
    const expected = fs.readFileSync(path.join(cwd, 'expected.txt'), 'utf8').trim().split('\n');
    const actual = problems(result.stderr);
    // A line ending in `...` pins the position and the start of a long explanation.
    const shown = actual.map((line, i) => (expected[i]?.endsWith('...') && line.startsWith(expected[i].slice(0, -3)) ? expected[i] : line));
    expect(shown).toEqual(expected);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  test('the shipped jobs/ are valid (exit 0); what their backends will not carry is a warning', async () => {
    const result = await runCli(['validate'], { cwd: root });
    expect(problems(result.stderr).every((l) => / warning: dropped in translation: /.test(l))).toBe(true);
    expect(result.stdout).toMatch(/^\d+ jobs valid, with \d+ warnings \(stderr\)\.\n$/);
    expect(result.code).toBe(0);
  });

  test('reports every problem in every file, not just the first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-'));
    fs.writeFileSync(path.join(dir, 'one.yaml'), 'name: Bad_Name\nbackend: chronos\nschedule: "61 * * * *"\ncommand: [/bin/true]\nretries: -1\n');
    fs.writeFileSync(path.join(dir, 'two.yaml'), 'name: two\nbackend: mesos\nschedule: "0 0 * * *"\ncommand: [/bin/true]\n');
    const result = await runCli(['validate', '--jobs-dir', '.'], { cwd: dir });
    const lines = problems(result.stderr);
    expect(lines.filter((l) => l.startsWith('one.yaml:5:10: error: retries'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('two.yaml:2:10: error: backend "mesos"'))).toHaveLength(1);
    expect(result.code).toBe(1);
  });

  test('timeZone Factory is valid, as in Go\'s tz database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-'));
    fs.writeFileSync(path.join(dir, 'factory.yaml'), 'name: factory\nbackend: kubernetes\nimage: busybox\nschedule: "0 0 * * *"\ntimezone: Factory\ncommand: [/bin/true]\n');
    const result = await runCli(['validate', '--jobs-dir', '.'], { cwd: dir });
    expect([result.code, result.stderr, result.stdout]).toEqual([0, '', '1 job valid.\n']);
  });

  describe('what the declared backend cannot carry is a warning at its place; --strict fails on it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-warn-'));
    fs.writeFileSync(
      path.join(dir, 'invoice-sync.yaml'),
      [
        'name: invoice-sync',
        'backend: chronos',
        'schedule: "15 */2 * * *"',
        'command: [ruby, sync.rb]',
        'image: null',
        'env:',
        '  RAILS_ENV: production',
        '  BILLING_API_TOKEN: {secretKeyRef: {name: billing-api, key: token}}',
        'volumes:',
        '  - {hostPath: /srv/invoices, mountPath: /data}',
        'specific:',
        '  chronos:',
        '    constraints: [[rack, EQUALS, r1]]',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'clean.yaml'), 'name: clean\nbackend: chronos\nschedule: "0 3 * * *"\ncommand: /bin/true\n');
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('exit 0: each warning at the entry it is about', async () => {
      const result = await runCli(['validate', '--jobs-dir', '.'], { cwd: dir });
      expect(problems(result.stderr)).toEqual([
        'invoice-sync.yaml:8:22: warning: dropped in translation: env.BILLING_API_TOKEN reads Kubernetes Secret billing-api/token, which Chronos cannot reference',
        'invoice-sync.yaml:10:3: warning: dropped in translation: volumes needs a container, and without an image Chronos runs the job as a command',
      ]);
      expect([result.code, result.stdout]).toEqual([0, '2 jobs valid, with 2 warnings (stderr).\n']);
    });

    test('--strict: exit 1, and -o json says which are warnings', async () => {
      const strict = await runCli(['validate', '--jobs-dir', '.', '--strict'], { cwd: dir });
      expect([strict.code, strict.stderr.split('\n').at(-2)]).toEqual([1, '2 problems found (2 warnings, failing with --strict).']);
      const json = await runCli(['validate', '--jobs-dir', '.', '--strict', '-o', 'json'], { cwd: dir });
      expect(json.code).toBe(1);
      expect((JSON.parse(json.stdout) as { severity: string }[]).map((p) => p.severity)).toEqual(['warning', 'warning']);
      const clean = await runCli(['validate', '--jobs-dir', '.', '--strict', 'clean.yaml'], { cwd: dir });
      expect([clean.code, clean.stdout]).toEqual([0, '1 job valid.\n']);
    });
  });

  test('a command job on Chronos needs no image, even without defaults.image; one on Kubernetes does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-'));
    fs.writeFileSync(path.join(dir, 'cmd.yaml'), 'name: cmd\nbackend: chronos\nschedule: "0 3 * * *"\ncommand: [/usr/bin/report]\n');
    fs.writeFileSync(path.join(dir, 'pod.yaml'), 'name: pod\nbackend: kubernetes\nschedule: "0 3 * * *"\ncommand: [/usr/bin/report]\n');
    const result = await runCli(['validate', '--jobs-dir', '.'], { cwd: dir });
    expect(problems(result.stderr)).toEqual(['pod.yaml:1:7: error: a job that runs on Kubernetes needs an image; set image here or defaults.image in migrate.yaml']);
    const chronosOnly = await runCli(['validate', '--jobs-dir', '.', 'cmd.yaml'], { cwd: dir });
    expect([chronosOnly.code, chronosOnly.stderr]).toEqual([0, '']);
  });

  test('a huge file is refused quickly with a clear message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-'));
    fs.writeFileSync(path.join(dir, 'huge.yaml'), `name: huge\n${'# padding\n'.repeat(40_000)}`);
    const result = await runCli(['validate', '--jobs-dir', '.'], { cwd: dir });
    expect(problems(result.stderr)).toEqual(['huge.yaml:1:1: error: file is larger than 256 KiB; a job definition is a few lines, so this is not one (split it, or move data out of it)']);
    expect(result.code).toBe(1);
  });

  test('validate names a job or a file', async () => {
    const byName = await runCli(['validate', 'nightly-report'], { cwd: root });
    expect(byName.stdout).toBe('1 job valid.\n');
    const missing = await runCli(['validate', 'no-such-job'], { cwd: root });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no such file or job: no-such-job\n/);
  });
});
