/**
 * The command examples of the README and docs/*.md: every line of a fenced block that starts with
 * `migrate` or `npx migrate` (after a `$ ` prompt, where the block has prompts), and whether it can
 * run against the sandbox as written, or why not.
 */
import { readFileSync } from 'node:fs';

export interface DocExample {
  /** `README.md:41`. */
  readonly where: string;
  /** The command line as written, without `npx`, the prompt and the trailing `# comment`. */
  readonly line: string;
  /** The trailing comment, where an example says what it exits with (`exit 1: differences`). */
  readonly comment: string;
}

/** The commands to run, one after the other while each exits as allowed (`a && b`), or why it cannot run. */
export type Verdict = { readonly runs: readonly (readonly string[])[] } | { readonly skip: string };

const COMMAND = /^(?:\$ )?(?:npx )?migrate(?: |$)/;

export function docExamples(file: string, text = readFileSync(file, 'utf8')): DocExample[] {
  const examples: DocExample[] = [];
  const lines = text.split('\n');
  let block: { start: number; prompts: boolean } | undefined;
  lines.forEach((raw, i) => {
    if (raw.startsWith('```')) {
      if (block) block = undefined;
      else {
        const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
        block = { start: i, prompts: lines.slice(i + 1, end).some((l) => l.startsWith('$ ')) };
      }
      return;
    }
    if (!block || !COMMAND.test(raw) || (block.prompts && !raw.startsWith('$ '))) return;
    const hash = raw.search(/\s#\s/);
    const command = (hash < 0 ? raw : raw.slice(0, hash)).replace(/^\$ /, '').replace(/^npx /, '').trim();
    examples.push({ where: `${file}:${i + 1}`, line: command, comment: hash < 0 ? '' : raw.slice(hash).replace(/^\s#\s*/, '') });
  });
  return examples;
}

/** How an example runs: its words after `migrate`, or the reason it cannot run here. */
export function verdictOf(example: DocExample): Verdict {
  const { line } = example;
  if (/[<[]|\.\.\.|\w\|\w/.test(line)) return { skip: 'a synopsis of the command, not a command (its --help, checked by test/cli/help*.test.ts)' };
  if (/\$\(| \| | > | < |;/.test(line)) return { skip: 'a shell pipeline: it needs a shell and other tools around migrate' };
  const runs = line.split(/\s+&&\s+/).map((part) => part.replace(/^npx /, '').split(/\s+/).slice(1));
  for (const words of runs) {
    const [command] = words;
    if (command === 'sandbox') return { skip: 'serves until Ctrl-C: the sandbox is what the other examples run against (test/sandbox/sandbox-cli.test.ts runs it)' };
    if (command === 'demo') return { skip: 'runs its own sandbox: test/demo/demo.test.ts runs it' };
    if (words.includes('--serve')) return { skip: 'serves until Ctrl-C: test/slo/metrics.test.ts scrapes it' };
  }
  return { runs: runs.map(forTest) };
}

/**
 * Commands that change a system get `--yes` (the docs show the question; a test has no terminal
 * to answer it) and, on the sandbox's virtual clock, `--advance-sandbox`; a dry run gets neither.
 */
function forTest(words: readonly string[]): string[] {
  const [command] = words;
  if (!['apply', 'move', 'rollback', 'resume'].includes(command ?? '') || words.includes('--dry-run')) return [...words];
  const yes = words.includes('--yes') || words.includes('-y') ? [] : ['--yes'];
  const advance = command === 'apply' || words.includes('--advance-sandbox') ? [] : ['--advance-sandbox'];
  return [...words, ...yes, ...advance];
}

/** The exit codes an example may end with: 0, and any the docs name beside it (`# ... (exit 1: differences)`). */
export function allowedExits(example: DocExample): number[] {
  return [0, ...[...example.comment.matchAll(/exit (\d+)/g)].map((m) => Number(m[1]))];
}
