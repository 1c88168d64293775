/** Which jobs a `move` takes and in what order: nothing to do is not a refusal, and a wave goes least important first. */
import type { BeginRecord } from '../../src/core/journal.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { KILL_POINTS, killedMove } from './kill-bench.js';

const SCHEDULE = '*/5 * * * *';
let repo: SandboxRepo;
afterEach(() => repo.close());

const tier = (name: string, backend: 'chronos' | 'kubernetes', level?: string) => jobYaml(name, backend, SCHEDULE, level ? { lines: `tier: ${level}` } : {});

test('a named job already on the target: nothing to do, exit 0, nothing journalled', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { done: tier('done', 'kubernetes') } });
  const r = await repo.cli('move', 'done', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, 'Already on kubernetes (nothing to do): done\nNothing to do: done already runs on kubernetes.\n']);
  expect(r.stdout).not.toContain('kubernetes -> kubernetes');
  expect(repo.journal()).toEqual([]);
  const json = await repo.cli('move', 'done', '--to', 'k8s', '--dry-run', '-o', 'json');
  expect([json.code, JSON.parse(json.stdout)]).toEqual([0, []]);
});

test('a selector over moved and unmoved jobs plans only the unmoved ones; the dry run exits 0', async () => {
  repo = await startSandboxRepo({
    start: '2026-11-25T10:07:00Z',
    jobs: { moved: tier('moved', 'kubernetes', 'low'), waiting: tier('waiting', 'chronos', 'low'), other: tier('other', 'chronos', 'high') },
  });
  const r = await repo.cli('move', '-l', 'tier=low', '--to', 'k8s', '--dry-run');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Already on kubernetes (nothing to do): moved\n');
  expect(r.stdout).toContain('waiting');
  expect(r.stdout).not.toMatch(/Move moved:/);
  expect(r.stdout).not.toContain('other');
  expect(r.stdout).toContain('Dry run: nothing changed.\n');
});

test('a wave moves the least important tier first, whatever the order on the command line', async () => {
  repo = await startSandboxRepo({
    start: '2026-11-25T10:07:00Z',
    jobs: { a: tier('a', 'chronos', 'critical'), b: tier('b', 'chronos'), c: tier('c', 'chronos', 'low'), d: tier('d', 'chronos', 'high'), e: tier('e', 'chronos', 'medium') },
  });
  const r = await repo.cli('move', 'a', 'b', 'c', 'd', 'e', '--to', 'k8s', '--concurrency', '1', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('5 done, 0 failed')]);
  const begun = repo.journal().filter((x): x is BeginRecord => x.kind === 'begin').map((x) => x.job);
  // low, medium, (no tier), high, critical
  expect(begun).toEqual(['c', 'e', 'b', 'd', 'a']);
});

test('the hint to re-run keeps the rehearsal flags', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: tier('job', 'chronos') } });
  const r = await repo.cliWith(['move', 'job', '--to', 'k8s', '--advance-sandbox', '--watch'], {});
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('migrate move job --to k8s --advance-sandbox --watch --yes');
});

test('a move of a job with an unfinished move names who began it, and says to let a live one finish', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { job: tier('job', 'chronos') } });
  const locked = KILL_POINTS.find((p) => p.name === 'after locked')!;
  expect(await killedMove(repo, 'chronos', 'kubernetes', locked)).toBe('killed');
  const begin = repo.journal().find((x): x is BeginRecord => x.kind === 'begin')!;
  const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`an unfinished move of job is in the journal (move ${begin.id}, begun ${begin.at} by ${begin.holder}). If that process is still running, let it finish; otherwise finish it with \`migrate resume job\``);
});
