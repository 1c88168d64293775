/**
 * The docs' command examples run, so that they cannot drift from the program: every line of a
 * fenced block in README.md and docs/*.md that starts with `migrate` or `npx migrate` runs
 * against a sandbox holding the shipped example jobs (one sandbox per file, in the file's order,
 * as a reader would type them), and must exit 0 or with a code the docs name beside it. Lines
 * that cannot run here are listed with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { allowedExits, docExamples, verdictOf, type DocExample } from '../helpers/doc-examples.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const files = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const examplesOf = (file: string) => docExamples(file, readFileSync(path.join(root, file), 'utf8'));
const shippedJobs = Object.fromEntries(
  readdirSync(path.join(root, 'jobs'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f.replace(/\.yaml$/, ''), readFileSync(path.join(root, 'jobs', f), 'utf8')]),
);

/**
 * The situation a page's examples assume, set up before they run: the runbook's incidents follow
 * moves made earlier, and `slo --since 24h` judges a day in which the jobs were placed.
 */
const SCENES: Readonly<Record<string, (repo: SandboxRepo) => Promise<void>>> = {
  'docs/runbook.md': async (repo) => {
    // A day of runs first: its `slo --since 24h` gates a wave on a fleet that has been running.
    await repo.advance(24 * 3600);
    for (const job of ['session-purge', 'invoice-sync']) await expectOk(repo.cli('move', job, '--to', 'k8s', '--yes', '--advance-sandbox'));
  },
  'docs/slo.md': async (repo) => {
    await repo.advance(24 * 3600);
  },
};

async function expectOk(result: Promise<{ code: number; stderr: string }>): Promise<void> {
  const r = await result;
  if (r.code !== 0) throw new Error(`setting the scene failed: ${r.stderr}`);
}

/** Runs one example's commands in order; returns what went wrong, or undefined. */
async function runExample(repo: SandboxRepo, example: DocExample): Promise<string | undefined> {
  const verdict = verdictOf(example);
  if ('skip' in verdict) return undefined;
  for (const argv of verdict.runs) {
    const r = await repo.cli(...argv);
    if (!allowedExits(example).includes(r.code)) return `${example.where}: \`migrate ${argv.join(' ')}\` exited ${r.code}\n${r.stderr}${r.stdout.slice(-2000)}`;
  }
  return undefined;
}

async function runFile(file: string): Promise<string[]> {
  const examples = examplesOf(file).filter((e) => 'runs' in verdictOf(e));
  if (examples.length === 0) return [];
  const repo = await startSandboxRepo({ start: '2026-11-25T10:04:50Z', jobs: shippedJobs, project: readFileSync(path.join(root, 'migrate.yaml'), 'utf8') });
  try {
    await SCENES[file]?.(repo);
    const problems: string[] = [];
    for (const example of examples) {
      const problem = await runExample(repo, example);
      if (problem) problems.push(problem);
    }
    return problems;
  } finally {
    await repo.close();
  }
}

const all = files.flatMap(examplesOf);

test('every example is found: most of them run', () => {
  expect(all.length).toBeGreaterThan(40);
  expect(all.filter((e) => 'runs' in verdictOf(e)).length).toBeGreaterThan(15);
});

// The list a reviewer reads in jest's output: every example that does not run here, and why.
for (const e of all) {
  const v = verdictOf(e);
  if ('skip' in v) test.skip(`${e.where}: \`${e.line}\` is not run: ${v.skip}`, () => undefined);
}

test.each(files.filter((f) => examplesOf(f).some((e) => 'runs' in verdictOf(e))))('the examples of %s run against the sandbox', async (file) => {
  expect(await runFile(file)).toEqual([]);
}, 120_000);

test('an example that no longer works fails this test', async () => {
  const broken = docExamples('broken.md', '```sh\nnpx migrate move cache-warmer --to nowhere   # a backend that does not exist\nnpx migrate status --colour\n```\n');
  expect(broken.map(verdictOf)).toEqual([{ runs: [['move', 'cache-warmer', '--to', 'nowhere', '--yes', '--advance-sandbox']] }, { runs: [['status', '--colour']] }]);
  const repo = await startSandboxRepo({ start: '2026-11-25T10:04:50Z', jobs: { 'cache-warmer': shippedJobs['cache-warmer']! }, project: readFileSync(path.join(root, 'migrate.yaml'), 'utf8') });
  try {
    const problems = await Promise.all(broken.map((e) => runExample(repo, e)));
    expect(problems[0]).toMatch(/^broken\.md:2: `migrate move cache-warmer --to nowhere --yes --advance-sandbox` exited 1\n/);
    expect(problems[1]).toMatch(/^broken\.md:3: `migrate status --colour` exited 1\n/);
  } finally {
    await repo.close();
  }
});

test('prompts, output lines, synopses and pipelines are told apart', () => {
  const text = [
    '```',
    '$ npx migrate sandbox --clock virtual',
    'migrate sandbox: virtual clock, now 2026-11-25T00:55:25Z',
    '```',
    '```sh',
    'migrate status [job...] [-o table|json|yaml]',
    'migrate history -o json | jq -r .[].job',
    'migrate slo --since 24h && migrate move -l tier=low --to k8s --yes',
    'migrate diff invoice-sync   # live vs desired (exit 1: differences)',
    '```',
  ].join('\n');
  const found = docExamples('x.md', text);
  expect(found.map((e) => e.where)).toEqual(['x.md:2', 'x.md:6', 'x.md:7', 'x.md:8', 'x.md:9']);
  expect(found.map((e) => ('skip' in verdictOf(e) ? 'skip' : 'run'))).toEqual(['skip', 'skip', 'skip', 'run', 'run']);
  expect(verdictOf(found[3]!)).toEqual({ runs: [['slo', '--since', '24h'], ['move', '-l', 'tier=low', '--to', 'k8s', '--yes', '--advance-sandbox']] });
  expect(allowedExits(found[4]!)).toEqual([0, 1]);
});
