/**
 * `migrate status` naming jobs and files: a named definition that cannot be loaded is an error
 * (exit 1, with its diagnostics); an unnamed broken file is a warning and does not hide the others.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

let repo: SandboxRepo;

beforeAll(async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'kubernetes', '*/15 * * * *') } });
  repo.writeJob('broken', 'name: broken\nbackend: kubernetes\nschedule: "0 3 * * *"\ncomand: [/bin/true]\n');
});
afterAll(() => repo.close());

test('a healthy job named by name is ok (exit 0)', async () => {
  const r = await repo.cli('status', 'tick', '-o', 'json');
  expect(r.code).toBe(0);
  expect((JSON.parse(r.stdout) as { name: string; verdict: string }[]).map((j) => [j.name, j.verdict])).toEqual([['tick', 'ok']]);
});

test.each([['broken'], ['jobs/broken.yaml']])('status %s: a named definition with problems is an error with its diagnostics', async (named) => {
  const r = await repo.cli('status', named);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^error: 1 problem in the named definitions; fix them first\n/);
  expect(r.stderr).toContain('jobs/broken.yaml:4:1: error: unknown field "comand"; did you mean "command"?\n');
});

test('a broken file among healthy named ones still fails the command', async () => {
  const r = await repo.cli('status', 'tick', 'broken');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('jobs/broken.yaml:4:1: error: unknown field "comand"');
});

test('with no job named, an unrelated broken file is a warning and the others still show', async () => {
  const r = await repo.cli('status', '-o', 'json');
  expect(r.stderr).toBe('warning: 1 definition file(s) have problems and are not shown; run `migrate validate`\n');
  expect((JSON.parse(r.stdout) as { name: string; verdict: string }[]).map((j) => [j.name, j.verdict])).toEqual([['tick', 'ok']]);
  expect(r.code).toBe(0);
});
