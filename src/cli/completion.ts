/**
 * Shell completion: the scripts `migrate completion bash|zsh` prints, and the answers to their
 * requests. A script asks `migrate --get-yargs-completions <the words up to the cursor>`; yargs
 * completes command names and options, and this module adds the job names of the jobs folder
 * wherever a command takes jobs (and the backends after --to and --from).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ALL_BACKENDS } from '../../backends/index.js';
import type { CliIO } from './io.js';

/** The flag yargs answers with completions, one a line (the scripts below call it). */
export const COMPLETION_REQUEST = '--get-yargs-completions';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** How many job names a command takes as its positional: `render <job>` one, `move [jobs..]` any number. */
export type JobArguments = ReadonlyMap<string, 'one' | 'many'>;

/**
 * The commands whose positional is named `job`, `jobs` or `paths` (validate's: names or files), read
 * from their usage lines (undefined: a command not loaded). `import [names..]` takes live names.
 */
export function jobArgumentsOf(usages: readonly (string | undefined)[]): JobArguments {
  const found = new Map<string, 'one' | 'many'>();
  for (const usage of usages) {
    const m = /^(\S+) [<[](?:job|jobs|paths)(\.\.)?[>\]]/.exec(usage ?? '');
    if (m) found.set(m[1]!, m[2] ? 'many' : 'one');
  }
  return found;
}

/** What yargs hands a completion function: the words parsed (positionals in `_`) and yargs' own answer. */
type Parsed = { readonly _: readonly (string | number)[]; readonly [option: string]: unknown };

/**
 * yargs' completion function (its "fallback" form: four parameters). `words` is the command line
 * after COMPLETION_REQUEST: the program's name, then the words up to the one being completed.
 */
export function completer(io: CliIO, words: readonly string[], jobArguments: JobArguments) {
  return (current: string, parsed: Parsed, yargsCompletion: () => unknown, done: (completions: string[]) => unknown): void => {
    const previous = words.length > 2 ? words[words.length - 2]! : '';
    if (current.startsWith('-')) return void yargsCompletion();
    if (awaitsValue(previous, parsed)) {
      // Nothing to offer for a path or a URL: the shell falls back to completing file names.
      const option = previous.replace(/^-+/, '');
      return void done(option === 'to' || option === 'from' ? ALL_BACKENDS.map((b) => b.name).filter((n) => n.startsWith(current)) : []);
    }
    const command = parsed._.length > 2 ? String(parsed._[1]) : undefined;
    if (command === 'completion') return void done(parsed._.length === 3 ? SHELLS.filter((s) => s.startsWith(current)) : []);
    const takes = command === undefined ? undefined : jobArguments.get(command);
    if (!takes) return void yargsCompletion();
    // The positionals given so far, after the command; the last one is the word being completed.
    const given = parsed._.slice(2, -1).map(String);
    if (takes === 'one' && given.length > 0) return void done([]);
    const jobsDir = typeof parsed['jobs-dir'] === 'string' ? parsed['jobs-dir'] : 'jobs';
    done(jobNames(path.resolve(io.cwd, jobsDir)).filter((n) => n.startsWith(current) && !given.includes(n)));
  };
}

/** Whether `previous` is an option that takes the word being completed as its value. */
function awaitsValue(previous: string, parsed: Parsed): boolean {
  if (!/^--?[^-=]/.test(previous) || previous.includes('=')) return false;
  const key = previous.replace(/^-+/, '');
  const value = parsed[key] ?? (key.startsWith('no-') ? parsed[key.slice(3)] : undefined);
  return typeof value !== 'boolean';
}

/**
 * The names the jobs folder defines, sorted: each file's `name`, or its file name when it has
 * none it can be read for (completion must not fail on a file being edited).
 */
function jobNames(jobsDir: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(jobsDir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const names = files.map((file) => {
    try {
      const doc: unknown = parse(fs.readFileSync(path.join(jobsDir, file), 'utf8'));
      const name = doc !== null && typeof doc === 'object' && 'name' in doc ? doc.name : undefined;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // a file that does not parse: its file name stands for the job
    }
    return file.replace(/\.ya?ml$/, '');
  });
  return [...new Set(names)].sort();
}

/** The script to source in `shell` (after yargs' templates; the words after the cursor are not sent). */
export function completionScript(shell: Shell): string {
  // SHELL is set for the request because yargs formats its answer by it (zsh: `name:description`).
  return shell === 'bash'
    ? `###-begin-migrate-completions-###
#
# migrate command completion for bash: command names, options, and job names from the jobs folder.
#
# Installation: migrate completion bash >> ~/.bashrc
#    or, for this shell only: source <(migrate completion bash)
#
_migrate_completions()
{
    local cur_word words
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    mapfile -t words < <(SHELL=bash migrate ${COMPLETION_REQUEST} "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "\${words[*]}" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _migrate_completions migrate
###-end-migrate-completions-###
`
    : `#compdef migrate
###-begin-migrate-completions-###
#
# migrate command completion for zsh: command names, options, and job names from the jobs folder.
#
# Installation: migrate completion zsh >> ~/.zshrc
#    or as a file named _migrate in a folder of $fpath
#
_migrate_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(SHELL=zsh migrate ${COMPLETION_REQUEST} "\${(@)words[1,CURRENT]}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _migrate_completions "$@"
else
  compdef _migrate_completions migrate
fi
###-end-migrate-completions-###
`;
}
