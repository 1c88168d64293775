/** `migrate move <job...> --to chronos|kubernetes`: the cutover protocol, with a preview first. */
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.js';
import { parseBackendName, type JobDefinition } from '../../core/job.js';
import type { GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { runMoves } from '../move-runner.js';
import type { ExitHolder } from '../run.js';
import { loadWorkspace } from '../workspace.js';

export interface MoveArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly to: string;
  readonly selector?: string;
  readonly 'dry-run': boolean;
  readonly concurrency: number;
  readonly 'advance-sandbox': boolean;
  readonly watch: boolean;
  readonly 'auto-rollback': boolean;
}

export function moveCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, MoveArgs> {
  return {
    command: 'move [jobs..]',
    describe: 'hand jobs over to the other scheduler without losing or doubling a run (preview, confirm, then move)',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names' })
        .option('to', { type: 'string', demandOption: true, describe: 'chronos | kubernetes (k8s)' })
        .option('selector', { alias: 'l', type: 'string', describe: 'jobs whose labels (or tier) match, e.g. tier=low,team=core' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and stop' })
        .option('concurrency', { type: 'number', default: 4, describe: 'jobs moved at once' })
        .option('watch', { type: 'boolean', default: false, describe: "after the move, wait for the target's first run inside the start window" })
        .option('auto-rollback', { type: 'boolean', default: false, describe: 'with --watch: roll back when that first run does not come' })
        .option('advance-sandbox', { type: 'boolean', default: false, describe: 'rehearsal on `migrate sandbox --clock virtual`: advance its clock instead of waiting' }) as never,
    handler: async (args) => {
      const to = parseBackendName(args.to);
      if (!to) throw new UserError(`--to ${args.to} is not a backend`, 'Use --to kubernetes (k8s) or --to chronos.');
      const ws = loadWorkspace(io, args);
      const chosen = selectJobs(ws.definitions.map((d) => d.job), args.jobs, args.selector);
      const problems = ws.diagnostics.filter((d) => d.severity === 'error' && chosen.some((j) => ws.definitions.find((x) => x.job === j)?.file === d.file));
      if (problems.length) throw new UserError('the definitions have problems; fix them first', problems.map((d) => `${d.file}:${d.line}:${d.col}: error: ${d.message}`).join('\n'));
      const targets = chosen.map((job) => ({ definition: ws.definitions.find((d) => d.job === job)!, from: job.backend, to, operation: 'move' as const }));
      exit.code = await runMoves(io, args, ws, targets, {
        dryRun: args['dry-run'],
        concurrency: Math.max(1, Math.min(16, Math.floor(args.concurrency))),
        advanceSandbox: args['advance-sandbox'],
        watch: args.watch || args['auto-rollback'],
        autoRollback: args['auto-rollback'],
        commandLine: `migrate move ${args.jobs.join(' ')}${args.selector ? ` -l ${args.selector}` : ''} --to ${args.to}`.replace(/\s+/g, ' '),
      });
    },
  };
}

/** Names, or a selector over labels and tier (`tier=low,team!=core`); names win when both are given. */
export function selectJobs(all: readonly JobDefinition[], names: readonly string[], selector?: string): JobDefinition[] {
  if (names.length === 0 && !selector) throw new UserError('name the jobs to move, or select them with -l', 'e.g. migrate move nightly-report --to k8s, or migrate move -l tier=low --to k8s');
  const byName = new Map(all.map((j) => [j.name, j]));
  const picked: JobDefinition[] = [];
  for (const n of names) {
    const job = byName.get(n);
    if (!job) throw new UserError(`no job named "${n}"`, `Known jobs: ${[...byName.keys()].sort().join(', ')}`);
    picked.push(job);
  }
  if (selector) {
    const terms = selector.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
      const m = /^([^=!]+)(!=|==|=)(.*)$/.exec(t);
      if (!m) throw new UserError(`selector term "${t}" is not key=value or key!=value`);
      return { key: m[1]!.trim(), negate: m[2] === '!=', value: m[3]!.trim() };
    });
    const labelsOf = (j: JobDefinition): Record<string, string> => ({ ...j.labels, ...(j.tier ? { tier: j.tier } : {}) });
    for (const j of all) {
      if (picked.includes(j)) continue;
      if (terms.every((t) => (labelsOf(j)[t.key] === t.value) !== t.negate)) picked.push(j);
    }
    if (picked.length === 0) throw new UserError(`no job matches -l ${selector}`);
  }
  return picked;
}
