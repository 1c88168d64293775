/**
 * `migrate completion bash|zsh`: the script, and the answers to its requests (command names,
 * options, the job names of the jobs folder where a command takes jobs, the backends after --to),
 * in-process; then the bash script sourced in a real bash against the built binary (and the zsh
 * one in zsh, where zsh is installed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../../src/cli/commands/index.js';
import { jobArgumentsOf } from '../../src/cli/completion.js';
import { FixedClock } from '../../src/core/clock.js';
import { FIXED_NOW, runCli } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(root, 'dist/src/cli/main.js');
const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: {}, cwd: root, clock: new FixedClock(FIXED_NOW) };
const names = commands.map((factory) => factory(io, { code: 0 }, async () => 0).command);

let dir: string;
beforeAll(async () => {
  // Each command's module loaded one at a time first: jest's ESM loader can fail a cold load of all
  // of them at once (as a request for every command makes: "request for ... is not in cache").
  for (const name of names) await runCli([name, '--help'], { cwd: root });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-completion-'));
  fs.mkdirSync(path.join(dir, 'jobs'));
  fs.mkdirSync(path.join(dir, 'other'));
  const job = (name: string) => `name: ${name}\nbackend: chronos\nschedule: "0 * * * *"\ncommand: [/bin/true]\n`;
  fs.writeFileSync(path.join(dir, 'jobs', 'billing.yaml'), job('billing-monthly'));
  fs.writeFileSync(path.join(dir, 'jobs', 'backup.yml'), job('backup'));
  fs.writeFileSync(path.join(dir, 'jobs', 'cache.yaml'), job('cache-warmer'));
  // Being edited: it does not parse, and its file name stands for the job.
  fs.writeFileSync(path.join(dir, 'jobs', 'half-written.yaml'), 'name: [\n');
  fs.writeFileSync(path.join(dir, 'jobs', 'notes.txt'), 'not a job\n');
  fs.writeFileSync(path.join(dir, 'other', 'elsewhere.yaml'), job('elsewhere'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What a script's request gets: the words up to the cursor, the last one being completed. */
async function complete(...words: string[]): Promise<string[]> {
  const r = await runCli(['--get-yargs-completions', 'migrate', ...words], { cwd: dir });
  expect([r.code, r.stderr]).toEqual([0, '']);
  return r.stdout.split('\n').filter(Boolean);
}

const JOBS = ['backup', 'billing-monthly', 'cache-warmer', 'half-written'];

describe('the answers to a completion request', () => {
  test('command names, completion among them', async () => {
    const names = await complete('');
    expect(names).toEqual(expect.arrayContaining(['validate', 'move', 'rollback', 'resume', 'completion']));
    expect(names.every((n) => !n.startsWith('-'))).toBe(true);
  });

  test.each([
    ['move', ''],
    ['status', ''],
    ['rollback', ''],
    ['validate', ''],
  ])('%s takes jobs: the job names of the jobs folder, not options', async (command, current) => {
    expect(await complete(command, current)).toEqual(JOBS);
  });

  test('the names are filtered by what is typed and leave out those already given', async () => {
    expect(await complete('move', 'b')).toEqual(['backup', 'billing-monthly']);
    expect(await complete('move', 'backup', '')).toEqual(['billing-monthly', 'cache-warmer', 'half-written']);
  });

  test('a command that takes one job offers no second', async () => {
    expect(await complete('rollback', 'backup', '')).toEqual([]);
    expect(await complete('render', 'backup', '')).toEqual([]);
  });

  test('after a flag the job names are still offered; after an option awaiting its value they are not', async () => {
    expect(await complete('move', '--dry-run', '')).toEqual(JOBS);
    expect(await complete('move', '--no-color', '')).toEqual(JOBS);
    expect(await complete('move', '--to', '')).toEqual(['chronos', 'kubernetes']);
    expect(await complete('move', '--to', 'k')).toEqual(['kubernetes']);
    // A path: nothing offered, so the shell completes file names.
    expect(await complete('status', '--kubeconfig', '')).toEqual([]);
  });

  test('--jobs-dir given before the command: the names of that folder', async () => {
    expect(await complete('--jobs-dir', 'other', 'status', '')).toEqual(['elsewhere']);
    expect(await complete('status', '--jobs-dir', 'other', '')).toEqual(['elsewhere']);
  });

  test('a word starting with - gets the options, the command’s own and the global ones', async () => {
    const options = await complete('move', '-');
    expect(options).toEqual(expect.arrayContaining(['--to', '--dry-run', '--details', '--context', '--yes', '-y']));
    expect(options).not.toContain('backup');
  });

  test('import takes live names, not the jobs folder’s', async () => {
    expect(await complete('import', '')).not.toContain('backup');
  });

  test('completion: the shells', async () => {
    expect(await complete('completion', '')).toEqual(['bash', 'zsh']);
    expect(await complete('completion', 'z')).toEqual(['zsh']);
  });

  test('a -v being typed is completed, not refused', async () => {
    expect(await complete('status', '-v')).toEqual(expect.arrayContaining(['--version']));
  });
});

test('the commands that take job names, and how many, are read from their usage lines', () => {
  expect(jobArgumentsOf(['render <job>', 'move [jobs..]', 'validate [paths..]', 'history [job]', 'import [names..]', 'sandbox', undefined])).toEqual(
    new Map([['render', 'one'], ['move', 'many'], ['validate', 'many'], ['history', 'one']]),
  );
});

describe('migrate completion <shell>', () => {
  test.each([
    ['bash', 'complete -o bashdefault -o default -F _migrate_completions migrate\n'],
    ['zsh', 'compdef _migrate_completions migrate\n'],
  ])('%s: a script that asks migrate for the words up to the cursor', async (shell, registers) => {
    const r = await runCli(['completion', shell], { cwd: root });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(registers);
    expect(r.stdout).toContain(`SHELL=${shell} migrate --get-yargs-completions `);
  });

  test.each([
    [['completion', 'fish'], 'error: Invalid values:'],
    [['completion'], 'error: Not enough non-option arguments'],
    [['completion', 'bash', '-o', 'json'], 'error: -o json is not supported by completion'],
  ])('%j is refused', async (argv, message) => {
    const r = await runCli(argv, { cwd: root });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toContain(message);
  });
});

/** A `migrate` on PATH that runs the built binary, as an installed one would. */
function pathWithMigrate(): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'migrate'), `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH ?? ''}`;
}

describe('in the shells, against the built binary', () => {
  beforeAll(() => {
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: build first (npx tsc -p tsconfig.json)`);
  });

  test('bash: sourced, it completes commands, job names and options', () => {
    const script = [
      'source <(migrate completion bash)',
      'ask() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _migrate_completions; echo "${COMPREPLY[*]}"; }',
      'ask migrate mo',
      'ask migrate move ca',
      'ask migrate move --to k',
      'ask migrate status --de',
      'ask migrate rollback ""',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { PATH: pathWithMigrate(), HOME: dir }, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(['move', 'cache-warmer', 'kubernetes', '--debug', JOBS.join(' '), ''].join('\n'));
  });

  const zsh = spawnSync('zsh', ['--version']).status === 0;
  (zsh ? test : test.skip)('zsh: the script asks for the words up to the cursor and describes each command', () => {
    const script = [
      // Outside a completion widget: _describe and compdef stand in, printing what they are given.
      'compdef() { echo "compdef $*"; }',
      '_describe() { print -l -- "${(P)2[@]}"; }',
      '_default() { echo "(files)"; }',
      'eval "$(migrate completion zsh)"',
      'words=(migrate move ca extra); CURRENT=3; _migrate_completions',
      'words=(migrate mo); CURRENT=2; _migrate_completions',
    ].join('\n');
    const r = spawnSync('zsh', ['-fc', script], { cwd: dir, env: { PATH: pathWithMigrate(), HOME: dir }, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['compdef _migrate_completions migrate', 'cache-warmer']);
    expect(lines).toContainEqual(expect.stringMatching(/^move:hand jobs over to the other scheduler/));
  });
});
