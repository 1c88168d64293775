/** `--config`: a project file named on the command line must exist; the default ./migrate.yaml may be absent. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-config-'));
  fs.mkdirSync(path.join(dir, 'jobs'));
  fs.writeFileSync(path.join(dir, 'jobs', 'boxed.yaml'), 'name: boxed\nbackend: kubernetes\nschedule: "0 3 * * *"\ncommand: [/bin/true]\n');
  fs.writeFileSync(path.join(dir, 'project.yaml'), 'defaults:\n  image: busybox\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test.each([
  [['validate', '--config', 'missing.yaml']],
  [['validate', '--config=/nonexistent/migrate.yaml']],
  [['render', 'boxed', '--to', 'k8s', '--config', 'missing.yaml']],
  [['status', '--config', 'missing.yaml']],
  [['import', '--from', 'chronos', '--config', 'missing.yaml']],
  [['history', '--config', 'elsewhere/missing.yaml']],
])('%j: a --config that does not exist is an error naming it', async (argv) => {
  const r = await runCli(argv, { cwd: dir, env: { MIGRATE_CHRONOS_URL: 'http://127.0.0.1:1' } });
  const given = argv.find((a) => a.startsWith('--config='))?.slice('--config='.length) ?? argv[argv.indexOf('--config') + 1];
  expect([r.code, r.stdout]).toEqual([1, '']);
  expect(r.stderr).toMatch(new RegExp(`^error: no project file at ${given.replace(/[/.]/g, '\\$&')}\n`));
});

test('a --config that exists is read', async () => {
  const r = await runCli(['validate', '--config', 'project.yaml'], { cwd: dir });
  expect([r.code, r.stdout, r.stderr]).toEqual([0, '1 job valid.\n', '']);
});

test('without --config, a missing ./migrate.yaml is no error (the job then lacks an image)', async () => {
  const r = await runCli(['validate'], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^jobs\/boxed\.yaml:\d+:\d+: error: a job that runs on Kubernetes needs an image/);
});
