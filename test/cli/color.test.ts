/**
 * Plan diffs (the `move` and `rollback` previews, `diff`) are coloured on a terminal as git colours
 * them (`+` green, `-` red, `@@` cyan); never under NO_COLOR, --no-color, or into a pipe; and
 * --color forces colour into a pipe.
 */
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import type { CliResult } from '../helpers/cli.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const ESC = '\u001b[';
const GREEN = `${ESC}32m+`;
const RED = `${ESC}31m-`;
const CYAN = `${ESC}36m@@`;

let repo: SandboxRepo;
beforeAll(async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/15 * * * *'), tock: jobYaml('tock', 'kubernetes', '*/15 * * * *') } });
});
afterAll(() => repo.close());

/** The CLI in the sandbox repository, its stdout a terminal or a pipe, with extra environment. */
async function cli(argv: readonly string[], where: { tty: boolean; env?: Record<string, string> }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    isTTY: where.tty,
    env: { ...repo.env, ...where.env },
    cwd: repo.dir,
    clock: repo.sandbox.ctx.clock,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const coloured = (text: string) => [GREEN, RED, CYAN].every((c) => text.includes(c));

describe.each([
  ['move --dry-run', ['move', 'tick', '--to', 'k8s', '--dry-run']],
  ['diff', ['diff', 'tock']],
])('%s', (_name, argv) => {
  beforeAll(() => repo.writeJob('tock', jobYaml('tock', 'kubernetes', '*/20 * * * *')));

  test.each<[string, { tty: boolean; env?: Record<string, string> }, string[], boolean]>([
    ['on a terminal', { tty: true }, [], true],
    ['on a terminal under NO_COLOR', { tty: true, env: { NO_COLOR: '1' } }, [], false],
    ['on a terminal with --no-color', { tty: true }, ['--no-color'], false],
    ['into a pipe', { tty: false }, [], false],
    ['into a pipe with --color', { tty: false }, ['--color'], true],
    ['under NO_COLOR with --color (the flag wins, as no-color.org asks)', { tty: false, env: { NO_COLOR: '1' } }, ['--color'], true],
    ['on a terminal with an empty NO_COLOR (unset, as no-color.org says)', { tty: true, env: { NO_COLOR: '' } }, [], true],
  ])('%s: coloured %#', async (_where, where, flags, expected) => {
    const r = await cli([...argv, ...flags], where);
    expect(r.code).toBe(argv[0] === 'diff' ? 1 : 0);
    expect(coloured(r.stdout)).toBe(expected);
    if (!expected) expect(r.stdout).not.toContain(ESC);
  });
});

test('the coloured move preview is the plain one with colour codes around its diff lines', async () => {
  const plain = await cli(['move', 'tick', '--to', 'k8s', '--dry-run'], { tty: false });
  const painted = await cli(['move', 'tick', '--to', 'k8s', '--dry-run'], { tty: true });
  expect(painted.stdout.replace(/\u001b\[\d+(;\d+)?m/g, '')).toBe(plain.stdout);
  expect(painted.stdout).toMatch(/\n {4}\u001b\[32m\+[^\n]*\u001b\[0m\n/);
});

test('-o json and -o yaml are never coloured, even on a terminal with --color', async () => {
  for (const format of ['json', 'yaml']) {
    const r = await cli(['move', 'tick', '--to', 'k8s', '--dry-run', '-o', format, '--color'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(ESC);
  }
});

test('the rollback preview is coloured on a terminal', async () => {
  expect((await cli(['move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox'], { tty: false })).code).toBe(0);
  const r = await cli(['rollback', 'tick', '--dry-run'], { tty: true });
  expect(r.code).toBe(0);
  expect(coloured(r.stdout)).toBe(true);
  expect((await cli(['rollback', 'tick', '--dry-run'], { tty: false })).stdout).not.toContain(ESC);
});
