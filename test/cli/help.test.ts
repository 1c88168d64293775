/**
 * Every exit code is documented in --help and in docs/ (docs/commands.md, "Exit codes"). Each command's description
 * ends in its exit codes, and docs/commands.md shows the same description in its table and in the
 * command's --help block.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../../src/cli/commands/index.js';
import { FixedClock } from '../../src/core/clock.js';
import { runCli, FIXED_NOW } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: {}, cwd: root, clock: new FixedClock(FIXED_NOW) };
const names = commands.map((factory) => String(factory(io, { code: 0 }, async () => 0).command).split(' ')[0]!);
const docs = fs.readFileSync(path.join(root, 'docs/commands.md'), 'utf8');
const oneLine = (text: string) => text.split(/\s+/).join(' ').trim();

async function description(name: string): Promise<string> {
  const r = await runCli([name, '--help'], { cwd: root });
  expect(r.code).toBe(0);
  return oneLine(r.stdout.split('\n\n')[1]!);
}

test('every command is covered', () => {
  expect([...names].sort()).toEqual(['apply', 'completion', 'demo', 'diff', 'history', 'import', 'load', 'move', 'next', 'rbac', 'render', 'resume', 'rollback', 'sandbox', 'slo', 'status', 'validate']);
});

test.each(names)('%s --help lists its exit codes', async (name) => {
  const text = await description(name);
  const codes = name === 'diff' ? /\. Exit 0 .+; 1 .+; 2 or more / : /\. Exit 0 .+; 1 /;
  expect(text).toMatch(codes);
});

test.each(names)('docs/commands.md shows the --help description of %s, in its table and its section', async (name) => {
  const text = await description(name);
  expect(docs).toContain(`| [\`${name}\`](#${name}) | ${text.replace(/\|/g, '\\|')} |`);
  const block = new RegExp(`## ${name}\\n\\n\`\`\`\\nmigrate ${name}[^\\n]*\\n\\n([\\s\\S]*?)\\n\\n`).exec(docs);
  expect(oneLine(block?.[1] ?? '')).toBe(text);
  expect(docs.slice(docs.indexOf(`## ${name}\n`)).split('\n## ')[0]).toMatch(/\nExit: 0 /);
});
