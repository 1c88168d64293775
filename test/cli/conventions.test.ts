/**
 * The habits kubectl, helm and terraform users bring (issue 16, "Conventions"): `-y` for `--yes`,
 * `--dry-run` on every command that changes a system, a value flag without its value refused,
 * `-v` alone for the version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { KILL_POINTS, killedMove } from '../move/kill-bench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

interface Request { readonly system: string; readonly method: string; readonly path: string }

/** The API requests the stand-ins served since the last call (the log is emptied each time). */
async function requestsSince(repo: SandboxRepo): Promise<Request[]> {
  const log = (await (await fetch(new URL('/_sandbox/requests', repo.chronosUrl))).json()) as { requests: Request[] };
  await fetch(new URL('/_sandbox/requests', repo.chronosUrl), { method: 'DELETE' });
  return log.requests;
}

const writes = (requests: readonly Request[]) => requests.filter((r) => r.method !== 'GET').map((r) => `${r.system} ${r.method} ${r.path}`);

describe('-y and --dry-run, against the sandbox', () => {
  let repo: SandboxRepo;
  beforeEach(async () => {
    repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: jobYaml('job', 'chronos', '*/5 * * * *') } });
  });
  afterEach(() => repo.close());

  test('apply --dry-run prints the preview, changes nothing; apply -y then applies it', async () => {
    repo.writeJob('job', jobYaml('job', 'chronos', '*/10 * * * *'));
    await requestsSince(repo);
    const dry = await repo.cli('apply', '--dry-run', '-y');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ chronos/job: will be updated\n');
    expect(dry.stdout).toMatch(/Plan: 0 to create, 1 to update, 0 unchanged\.\nDry run: nothing changed\.\n$/);
    expect(writes(await requestsSince(repo))).toEqual([]);
    expect((await repo.cli('diff', 'job')).code).toBe(1);

    const applied = await repo.cli('apply', '-y');
    expect([applied.code, applied.stdout]).toEqual([0, expect.stringMatching(/\nchronos\/job: updated\n$/)]);
    expect((await repo.cli('diff', 'job')).code).toBe(0);
  });

  test.each([
    ['resume', ['resume', 'job'], 'Resume the unfinished move'],
    ['rollback of an unfinished move', ['rollback', 'job'], 'Roll back the unfinished move'],
  ])('%s --dry-run says what it would do and changes nothing, even with -y', async (_name, argv, says) => {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    // Killed with the source disabled and the target not yet enabled: finishing would write to both.
    expect(await killedMove(repo, 'chronos', 'kubernetes', KILL_POINTS.find((p) => p.name === 'after source-disabled')!)).toBe('killed');
    const journal = repo.journal();
    const status = (await repo.cli('status', 'job', '-o', 'json')).stdout;
    await requestsSince(repo);

    const r = await repo.cli(...argv, '--dry-run', '-y', '--advance-sandbox');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(says);
    expect(r.stdout).toMatch(/\nDry run: nothing changed\.\n$/);
    expect(writes(await requestsSince(repo))).toEqual([]);
    expect(repo.journal()).toEqual(journal);
    expect((await repo.cli('status', 'job', '-o', 'json')).stdout).toBe(status);
    expect(JSON.parse(status)).toMatchObject([{ verdict: 'in-flight' }]);
  });

  test('resume -y finishes the move as --yes does', async () => {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    expect(await killedMove(repo, 'chronos', 'kubernetes', KILL_POINTS.find((p) => p.name === 'after source-disabled')!)).toBe('killed');
    const r = await repo.cli('resume', 'job', '-y', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('done: finished: job runs on kubernetes')]);
  });
});

describe('a value flag without its value is refused (kubectl: "flag needs an argument")', () => {
  const env = { MIGRATE_CHRONOS_URL: 'http://127.0.0.1:1', KUBECONFIG: '/nonexistent/kubeconfig' };
  test.each([
    [['status', '--context'], 1, '--context needs a value'],
    [['status', '--context', '--yes'], 1, '--context needs a value'],
    [['status', '--context='], 1, '--context needs a value'],
    [['diff', '--context'], 2, '--context needs a value'],
    [['status', '-n'], 1, '--namespace needs a value'],
    [['status', '--kubeconfig'], 1, '--kubeconfig needs a value'],
    [['validate', '-o'], 1, '--output needs a value'],
  ])('%j: exit %d, %s', async (argv, code, summary) => {
    const r = await runCli(argv, { cwd: root, env });
    expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([code, '', `error: ${summary}`]);
  });

  test('the hint says what to give, or to leave the flag out', async () => {
    const r = await runCli(['status', '--context'], { cwd: root, env });
    expect(r.stderr).toBe(
      'error: --context needs a value\nName a context of the kubeconfig (`kubectl config get-contexts` lists them), or leave --context out for its current context.\n',
    );
  });
});

describe('-v', () => {
  test('alone, prints the version as --version does', async () => {
    const short = await runCli(['-v'], { cwd: root });
    expect(short).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runCli(['--version'], { cwd: root })).toEqual(short);
  });

  test.each([
    [['status', '-v'], 1, '-v'],
    [['move', 'x', '--to', 'k8s', '-v=6'], 1, '-v=6'],
    [['diff', '-v'], 2, '-v'],
  ])("%j is refused, not taken for kubectl's log level nor for the version", async (argv, code, flag) => {
    const r = await runCli(argv, { cwd: root });
    expect([r.code, r.stdout]).toEqual([code, '']);
    expect(r.stderr).toBe(
      `error: ${flag} is not an option of migrate: -v alone prints the version, and there are no log levels as kubectl's -v=N\n` +
        'For the version: migrate --version (or migrate -v, alone). For the details of an error: --debug.\n',
    );
  });
});
