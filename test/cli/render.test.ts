/**
 * `migrate render`: golden files for every shipped job on both backends (where the backend can
 * run it), rewritten with UPDATE_GOLDEN=1. The clock is fixed, so Chronos starts are stable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jobs = fs.readdirSync(path.join(root, 'jobs')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();


describe('migrate render', () => {
  test.each(jobs)('%s --to k8s', async (job) => {
    const result = await runCli(['render', job, '--to', 'k8s'], { cwd: root });
    expect(result.code).toBe(0);
    expectGolden('render', `${job}.kubernetes.yaml`, `${result.stdout}${result.stderr ? `# stderr:\n${result.stderr.replace(/^/gm, '# ')}` : ''}`);
  });

  test.each(jobs)('%s --to chronos', async (job) => {
    const result = await runCli(['render', job, '--to', 'chronos'], { cwd: root });
    expectGolden('render', `${job}.chronos.txt`, `exit ${result.code}\n${result.stdout}${result.stderr ? `# stderr:\n${result.stderr.replace(/^/gm, '# ')}` : ''}`);
  });

  test('-o json prints the same manifest as YAML does', async () => {
    const yaml = await runCli(['render', 'nightly-report', '--to', 'chronos'], { cwd: root });
    const json = await runCli(['render', 'nightly-report', '--to', 'chronos', '-o', 'json'], { cwd: root });
    expect(JSON.parse(json.stdout)).toEqual(parse(yaml.stdout));
  });

  test('a schedule Chronos cannot express is refused with the reason, exit 1', async () => {
    const result = await runCli(['render', 'weekday-digest', '--to', 'chronos'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: job weekday-digest cannot be rendered for Chronos: /);
  });

  test.each([
    [['render', 'nightly-report', '--to', 'mesos'], /^error: --to mesos is not a backend\n/],
    [['render', 'no-such-job', '--to', 'k8s'], /^error: no job named "no-such-job" in jobs\nKnown jobs: /],
    [['render', 'nightly-report'], /Missing required argument: to/],
  ])('%j fails with a clear message', async (argv, message) => {
    const result = await runCli(argv, { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  test('-n overrides the namespace as it does for status and diff; without it, the definition\'s (no kubeconfig needed)', async () => {
    const flagged = await runCli(['render', 'db-backup', '--to', 'k8s', '-n', 'batch'], { cwd: root });
    expect(flagged.code).toBe(0);
    expect(parse(flagged.stdout).metadata.namespace).toBe('batch');
    const plain = await runCli(['render', 'db-backup', '--to', 'k8s'], { cwd: root, env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
    expect(plain.code).toBe(0);
    expect(parse(plain.stdout).metadata.namespace).toBe('default');
  });

  describe('an image only where the backend needs one', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-render-image-'));
      fs.mkdirSync(path.join(dir, 'jobs'));
      // No defaults.image: the seed's own example, declared on Kubernetes, without one.
      fs.writeFileSync(path.join(dir, 'migrate.yaml'), 'defaults:\n  timezone: Etc/UTC\n');
      fs.writeFileSync(path.join(dir, 'jobs', 'job-name-here.yaml'), "name: job-name-here\nkubernetes:\n  schedule: '15 */2 * * *'\ncommand: [ruby, /path/to/script.rb]\n");
      fs.writeFileSync(path.join(dir, 'jobs', 'report.yaml'), 'name: report\nbackend: chronos\nschedule: "0 3 * * *"\ncommand: /usr/bin/report\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test.each(['job-name-here', 'report'])('%s --to chronos: a command job, no container', async (job) => {
      const result = await runCli(['render', job, '--to', 'chronos'], { cwd: dir });
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(parse(result.stdout)).not.toHaveProperty('container');
    });

    test.each(['job-name-here', 'report'])('%s --to k8s: refused, saying where to set one', async (job) => {
      const result = await runCli(['render', job, '--to', 'k8s'], { cwd: dir });
      expect([result.code, result.stdout]).toEqual([1, '']);
      expect(result.stderr).toBe(`error: job ${job} has no image: Kubernetes runs every job in a container\nSet image: in the definition, or defaults.image in migrate.yaml (a job may run without one on Chronos, as a command).\n`);
    });
  });

  describe('names a job the way status and validate do', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-render-'));
      fs.mkdirSync(path.join(dir, 'jobs'));
      fs.writeFileSync(path.join(dir, 'migrate.yaml'), 'defaults:\n  image: busybox\n');
      fs.writeFileSync(path.join(dir, 'jobs', 'good.yaml'), 'name: good\nbackend: kubernetes\nschedule: "0 3 * * *"\ncommand: [/bin/true]\n');
      fs.writeFileSync(path.join(dir, 'jobs', 'typo.yaml'), 'name: typo\nbackend: kubernetes\nschedule: "0 3 * * *"\ncomand: [/bin/true]\n');
      fs.mkdirSync(path.join(dir, 'elsewhere'));
      fs.writeFileSync(path.join(dir, 'elsewhere', 'trial.yaml'), 'name: trial\nbackend: kubernetes\nschedule: "*/15 * * * *"\ncommand: [/bin/true]\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('a definition file outside the jobs folder, by relative or absolute path', async () => {
      for (const file of ['elsewhere/trial.yaml', path.join(dir, 'elsewhere', 'trial.yaml')]) {
        const result = await runCli(['render', file, '--to', 'k8s'], { cwd: dir });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(parse(result.stdout)).toMatchObject({ kind: 'CronJob', metadata: { name: 'trial' }, spec: { schedule: '*/15 * * * *' } });
      }
    });

    test('a definition file inside the jobs folder, by path', async () => {
      const result = await runCli(['render', 'jobs/good.yaml', '--to', 'k8s'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(parse(result.stdout)).toMatchObject({ metadata: { name: 'good' } });
    });

    test.each([['typo'], ['jobs/typo.yaml']])('%s: a job file with a problem shows its diagnostics, not "no job named"', async (job) => {
      const result = await runCli(['render', job, '--to', 'k8s'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toMatch(/no job named/);
      expect(result.stderr).toMatch(/^error: jobs\/typo\.yaml has 1 problem; fix it first\n/);
      expect(result.stderr).toContain('jobs/typo.yaml:4:1: error: unknown field "comand"; did you mean "command"?\n');
    });
  });

  describe('reads the files named after the job, not the whole folder', () => {
    const job = (name: string, schedule = '0 3 * * *') => `name: ${name}\nbackend: kubernetes\nschedule: "${schedule}"\nimage: busybox\ncommand: [/bin/true]\n`;
    const folder = (files: Record<string, string>): string => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-render-named-'));
      fs.mkdirSync(path.join(dir, 'jobs'));
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'jobs', file), text);
      return dir;
    };
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    test('a second definition of the name in a file named otherwise is left to validate', async () => {
      const dir = folder({ 'good.yaml': job('good'), 'zz-copy.yaml': job('good', '0 4 * * *') });
      dirs.push(dir);
      for (const given of ['good', 'jobs/good.yaml']) {
        const result = await runCli(['render', given, '--to', 'k8s'], { cwd: dir });
        expect([result.code, result.stderr]).toEqual([0, '']);
        expect(parse(result.stdout)).toMatchObject({ metadata: { name: 'good' }, spec: { schedule: '0 3 * * *' } });
      }
      const validate = await runCli(['validate'], { cwd: dir });
      expect(validate.code).toBe(1);
      expect(validate.stderr).toContain('jobs/good.yaml:1:7: error: job name "good" is also used by jobs/zz-copy.yaml:1:7');
    });

    test('the same name in <name>.yaml and <name>.yml is caught', async () => {
      const dir = folder({ 'good.yaml': job('good'), 'good.yml': job('good') });
      dirs.push(dir);
      const result = await runCli(['render', 'good', '--to', 'k8s'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: jobs\/good\.yaml has 1 problem; fix it first\njobs\/good\.yaml:1:7: error: job name "good" is also used by jobs\/good\.yml:1:7/);
    });

    test("a file declaring another job's name is checked against the files named after that job", async () => {
      const dir = folder({ 'good.yaml': job('good'), 'renamed.yaml': job('good') });
      dirs.push(dir);
      const result = await runCli(['render', 'jobs/renamed.yaml', '--to', 'k8s'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('jobs/renamed.yaml:1:7: error: job name "good" is also used by jobs/good.yaml:1:7');
    });

    test('a job in a file named otherwise is still found, by reading the folder', async () => {
      const dir = folder({ 'legacy.yaml': job('old-name'), 'other.yaml': job('other') });
      dirs.push(dir);
      const result = await runCli(['render', 'old-name', '--to', 'k8s'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(parse(result.stdout)).toMatchObject({ metadata: { name: 'old-name' } });
      const unknown = await runCli(['render', 'nothing', '--to', 'k8s'], { cwd: dir });
      expect(unknown.stderr).toBe('error: no job named "nothing" in jobs\nKnown jobs: old-name, other\n');
    });
  });
});
