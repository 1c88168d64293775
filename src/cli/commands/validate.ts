/** `migrate validate [job or path...]`: every problem in every definition, one per line. */
import type { CommandModule } from 'yargs';
import { ExitCode, formatDiagnostic } from '../../core/errors.js';
import { toYaml } from '../../core/yaml-write.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadWorkspace } from '../workspace.js';

interface ValidateArgs extends GlobalArgs {
  readonly paths: readonly string[];
  readonly strict: boolean;
}

/** What `-o` takes, the default first. */
const FORMATS = ['text', 'json', 'yaml'] as const;

export function validateCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, ValidateArgs> {
  return {
    command: 'validate [paths..]',
    describe:
      'check every job definition; each problem as path:line:col: error|warning: message, or -o json|yaml (a list of {file, line, column, severity, message}). ' +
      'A warning is something the declared backend will not carry. Exit 0 every definition valid (warnings allowed unless --strict); 1 an error found, or a warning with --strict',
    builder: (y) =>
      y
        .positional('paths', { type: 'string', array: true, default: [], describe: 'job names, files or folders (default: the jobs folder)' })
        .option('strict', { type: 'boolean', default: false, describe: 'fail on warnings too (exit 1), e.g. in CI' })
        .describe('output', formatsHelp(FORMATS)),
    handler: (args) => {
      const format = outputFormat(args, 'validate', FORMATS);
      const ws = loadWorkspace(io, args, args.paths);
      const { diagnostics } = ws; // each file's problems in line order (loadWorkspace sorts them)
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.length - errors;
      const failing = errors + (args.strict ? warnings : 0);
      if (failing) exit.code = ExitCode.Error;
      if (format !== 'text') {
        const problems = diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.col, severity: d.severity, message: d.message }));
        io.stdout.write(format === 'json' ? `${JSON.stringify(problems, null, 2)}\n` : toYaml(problems));
        return;
      }
      for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
      const jobs = ws.definitions.length;
      const warned = warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '';
      if (failing) io.stderr.write(`${failing} problem${failing === 1 ? '' : 's'} found${args.strict && warnings ? ` (${warned}, failing with --strict)` : ''}.\n`);
      else io.stdout.write(`${jobs} job${jobs === 1 ? '' : 's'} valid${warned ? `, with ${warned} (stderr)` : ''}.\n`);
    },
  };
}
