/**
 * `-o yaml` wherever `-o json` is taken (`validate`, `move`, `rollback`), each command's --help
 * saying which formats it takes, and docs/commands.md showing each command's --help as it is
 * (the global options left out, except that `-o` line).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { commands } from '../../src/cli/commands/index.js';
import { FixedClock } from '../../src/core/clock.js';
import { runCli, FIXED_NOW } from '../helpers/cli.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: {}, cwd: root, clock: new FixedClock(FIXED_NOW) };
const names = commands.map((factory) => String(factory(io, { code: 0 }, async () => 0).command).split(' ')[0]!);

const help = async (name: string) => (await runCli([name, '--help'], { cwd: root })).stdout;

/** What each command's --help says -o takes. */
const SAYS: readonly (readonly [string, string])[] = [
  ['validate', 'output format: text (default), json or yaml'],
  ['render', 'output format: yaml (default) or json'],
  ['next', 'output format: table (default), json or yaml'],
  ['import', 'output format: yaml (default) or json'],
  ['status', 'output format: table (default), json or yaml'],
  ['history', 'output format: table (default), json or yaml'],
  ['slo', 'output format: table (default), json or yaml'],
  ['load', 'output format: table (default), json or yaml'],
  ['move', 'output format: table (default), json or yaml'],
  ['rollback', 'output format: table (default), json or yaml'],
  ['diff', 'one format only: a unified diff, as kubectl diff prints'],
  ['apply', 'one format only: the diff of each change and a summary'],
  ['resume', 'one format only: the plan, each step and the outcome, as text'],
  ['sandbox', 'one format only: the URLs and exports to use, as text'],
  ['demo', 'one format only: a narrated rehearsal, as text'],
  ['rbac', 'one format only: YAML manifests'],
  ['completion', 'one format only: a shell script'],
];

test.each(SAYS)('%s --help says what -o takes', async (name, says) => {
  expect(await help(name)).toMatch(new RegExp(`\\n {2}-o, --output +${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\[string\\]\\n`));
});

test('every command is in that table', () => {
  expect([...names].sort()).toEqual(SAYS.map(([name]) => name).sort());
});

/** The global options' lines (and their wrapped continuations), which docs/commands.md lists once. */
const GLOBAL = ['--help', '--version', '--jobs-dir', '--config', '--chronos-url', '--kubeconfig', '--context', '--namespace', '--request-timeout', '--color', '--yes', '--debug'];

function withoutGlobalOptions(text: string): string {
  let dropping = false;
  const kept = text
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => {
      const option = /^ {2}(?:-\w, | {4})(--[\w-]+)/.exec(line);
      if (option) dropping = GLOBAL.includes(option[1]!);
      else if (!/^ {10,}\S/.test(line)) dropping = false;
      return !dropping;
    });
  return kept.join('\n');
}

test.each(names)('docs/commands.md shows the --help of %s (global options left out, -o kept)', async (name) => {
  const docs = fs.readFileSync(path.join(root, 'docs/commands.md'), 'utf8');
  const block = new RegExp(`## ${name}\\n\\n\`\`\`\\n([\\s\\S]*?)\\n\`\`\``).exec(docs)?.[1];
  expect(block).toBe(withoutGlobalOptions(await help(name)));
});

describe('-o yaml', () => {
  test('validate: the same list as -o json, and the same exit code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-validate-yaml-'));
    try {
      fs.writeFileSync(path.join(dir, 'one.yaml'), 'name: one\nbackend: chronos\nschedule: "61 * * * *"\ncommand: [/bin/true]\n');
      const json = await runCli(['validate', '--jobs-dir', '.', '-o', 'json'], { cwd: dir });
      const yaml = await runCli(['validate', '--jobs-dir', '.', '-o', 'yaml'], { cwd: dir });
      expect([yaml.code, yaml.stderr]).toEqual([1, '']);
      expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
      expect(parse(yaml.stdout)).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('validate: [] when every definition is valid', async () => {
    const r = await runCli(['validate', 'nightly-report', 'db-backup', '-o', 'yaml'], { cwd: root });
    expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  describe('move and rollback', () => {
    let repo: SandboxRepo;
    beforeAll(async () => {
      repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { tick: jobYaml('tick', 'chronos', '*/15 * * * *'), tock: jobYaml('tock', 'kubernetes', '*/15 * * * *') } });
    });
    afterAll(() => repo.close());

    test('move --dry-run -o yaml: the plans as -o json prints them, and nothing else', async () => {
      const json = await repo.cli('move', 'tick', '--to', 'k8s', '--dry-run', '-o', 'json');
      const yaml = await repo.cli('move', 'tick', '--to', 'k8s', '--dry-run', '-o', 'yaml');
      expect(yaml.code).toBe(0);
      const plans = parse(yaml.stdout) as Record<string, unknown>[];
      expect(plans).toEqual(JSON.parse(json.stdout));
      expect(plans).toMatchObject([{ job: 'tick', operation: 'move', from: 'chronos', to: 'kubernetes', refusal: null }]);
    });

    test('move -o yaml with nothing to move prints an empty list', async () => {
      const r = await repo.cli('move', 'tock', '--to', 'k8s', '-o', 'yaml');
      expect([r.code, r.stdout]).toEqual([0, '[]\n']);
    });

    test('rollback --dry-run -o yaml: the plan as -o json prints it', async () => {
      const moved = await repo.cli('move', 'tick', '--to', 'k8s', '--yes', '--advance-sandbox');
      expect(moved.code).toBe(0);
      const json = await repo.cli('rollback', 'tick', '--dry-run', '-o', 'json');
      const yaml = await repo.cli('rollback', 'tick', '--dry-run', '-o', 'yaml');
      expect(yaml.code).toBe(0);
      expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
      expect(parse(yaml.stdout)).toMatchObject([{ job: 'tick', operation: 'rollback', from: 'kubernetes', to: 'chronos' }]);
    });
  });
});
