/** `migrate history [job]`: the journal's moves (this clone's file and the shared record of moves), newest first. */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { foldJournal, type MoveHistory } from '../../core/journal.js';
import { UserError } from '../../core/errors.js';
import { toYaml } from '../../core/yaml-write.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import { openConnections } from '../connections.js';
import type { CliIO } from '../io.js';
import { projectJournal } from '../journal-file.js';
import type { ExitHolder } from '../exit.js';
import { readMergedJournal } from '../shared-journal.js';
import { loadProject, loadWorkspace } from '../workspace.js';

interface HistoryArgs extends GlobalArgs {
  readonly job?: string;
}

/** What `-o` takes, the default first. */
const FORMATS = ['table', 'json', 'yaml'] as const;

export function historyCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, HistoryArgs> {
  return {
    command: 'history [job]',
    describe:
      "moves and rollbacks from the journal and the cluster's record of moves, newest first (-o table|json|yaml). " +
      'Exit 0 listed (also when empty); 1 an error (a job neither defined nor in the journal, a damaged journal)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', describe: 'only this job' })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      const format = outputFormat(args, 'history', FORMATS);
      // The journal is beside the project file: a mistyped --config must not read as "no moves".
      const { project } = loadProject(io, args);
      // The definitions say where each job's shared record is (its namespace); without a jobs
      // folder there are none to look up, and the journal file is all there is.
      const definitions = fs.existsSync(path.resolve(io.cwd, args['jobs-dir'])) ? loadWorkspace(io, args, [], { backendLint: false }).definitions : [];
      const jobs = definitions.map((d) => d.job).filter((j) => !args.job || j.name === args.job);
      const warn = (line: string) => io.stderr.write(`warning: ${line}\n`);
      const records = await readMergedJournal(projectJournal(io, args), 'strict', openConnections(io, args, project), jobs, warn);
      const moves = foldJournal(records)
        .filter((m) => !args.job || m.job === args.job)
        .reverse();
      // A job removed from the jobs folder still has its moves; a name with neither is a typo.
      if (args.job && moves.length === 0 && !definitions.some((d) => d.job.name === args.job)) {
        throw new UserError(`no such job: ${args.job}`, `It has no definition in ${args['jobs-dir']} and no move in the journal; \`migrate history\` lists every move.`);
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(moves.map(historyRecord), null, 2)}\n`);
      else if (format === 'yaml') io.stdout.write(toYaml(moves.map(historyRecord)));
      else io.stdout.write(renderHistoryTable(moves, args.job));
    },
  };
}

export function historyRecord(m: MoveHistory): Record<string, unknown> {
  return {
    id: m.id,
    job: m.job,
    operation: m.begin.operation,
    from: m.begin.from,
    to: m.begin.to,
    began: m.begin.at,
    by: m.begin.holder,
    handoff: m.begin.handoff.at,
    firstSlotOnTarget: m.begin.handoff.nextSlot,
    outcome: m.outcome,
    lastStep: m.steps.at(-1)?.step ?? 'begin',
    ...(m.end?.kind === 'aborted' ? { reason: m.end.reason, state: m.end.state } : {}),
    ...(m.begin.undoes ? { undoes: m.begin.undoes } : {}),
  };
}

function renderHistoryTable(moves: readonly MoveHistory[], job?: string): string {
  if (moves.length === 0) return `No moves${job ? ` of ${job}` : ''} in the journal.\n`;
  const rows = moves.map((m) => [m.begin.at, m.job, m.begin.operation, `${m.begin.from} -> ${m.begin.to}`, m.outcome, m.steps.at(-1)?.step ?? 'begin', m.id]);
  const header = ['BEGAN', 'JOB', 'OPERATION', 'DIRECTION', 'OUTCOME', 'LAST STEP', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const inFlight = moves.filter((m) => m.outcome === 'in-flight').length;
  const rollbacks = moves.filter((m) => m.begin.operation === 'rollback').length;
  const counted = `${moves.length - rollbacks} move${moves.length - rollbacks === 1 ? '' : 's'}${rollbacks ? ` and ${rollbacks} rollback${rollbacks === 1 ? '' : 's'}` : ''}`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${counted}${inFlight ? `, ${inFlight} unfinished: finish with \`migrate resume <job>\` or undo with \`migrate rollback <job>\`` : ''}.\n`;
}
