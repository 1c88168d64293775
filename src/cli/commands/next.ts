/** `migrate next <job> [--count N]`: the next fire times in every backend's notation, and whether they agree. */
import { DateTime } from 'luxon';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.js';
import { ALL_BACKENDS } from '../../../backends/index.js';
import { planNextFireTimes, referenceSchedule, type NextFireTimes, type SystemSchedule } from '../../core/next-fire-times.js';
import { toRfc3339 } from '../../core/time.js';
import { toYaml } from '../../core/yaml-write.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadJob } from '../workspace.js';

interface NextArgs extends GlobalArgs {
  readonly job: string;
  readonly count: number;
}

/** What `-o` takes, the default first. */
const FORMATS = ['table', 'json', 'yaml'] as const;

export function nextCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, NextArgs> {
  return {
    command: 'next <job>',
    describe:
      'next fire times in each backend\'s schedule notation (the cron as written, and each translation) and the equivalence verdict (-o table|json|yaml). ' +
      'Exit 0 printed, whatever the verdict; 1 an error (unknown job, a definition with problems)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', demandOption: true, describe: 'job name or definition file' })
        .option('count', { type: 'number', default: 5, describe: 'how many fire times to show' })
        .describe('output', formatsHelp(FORMATS)),
    handler: (args) => {
      if (!Number.isInteger(args.count) || args.count < 1 || args.count > 1000) throw new UserError(`--count must be a whole number from 1 to 1000, not ${args.count}`, 'e.g. --count 20; the default is 5.');
      const format = outputFormat(args, 'next', FORMATS);
      const { job } = loadJob(io, args, args.job);
      const plan = planNextFireTimes(job, io.clock.now(), args.count, ALL_BACKENDS);
      if (format === 'json') io.stdout.write(`${JSON.stringify(toPlain(plan), null, 2)}\n`);
      else if (format === 'yaml') io.stdout.write(toYaml(toPlain(plan)));
      else io.stdout.write(renderNextHuman(plan));
    },
  };
}

/** The A side's name, as the JSON's `differences` keys and the table's difference lines give it. */
function referenceTitle(plan: NextFireTimes): string {
  return referenceSchedule(plan)?.title ?? 'Cron';
}

function toPlain(plan: NextFireTimes): unknown {
  // A system that runs the cron as written shows it alone: its zone is the top-level `timezone`.
  const system = (s: SystemSchedule) =>
    s.native
      ? { schedule: plan.cron, fireTimes: s.times.map(toRfc3339) }
      : s.fields
        ? { ...s.fields, fireTimes: s.times.map(toRfc3339) }
        : null;
  const v = plan.verdict;
  const a = `only${referenceTitle(plan)}`;
  const b = `only${plan.verdictOf?.title ?? ''}`;
  return {
    name: plan.job,
    timezone: plan.timezone,
    ...Object.fromEntries(plan.systems.map((s) => [s.system, system(s)])),
    verdict: v.kind,
    reason: v.kind === 'equivalent' ? null : v.reason,
    differences: v.kind === 'differs' ? v.differences.map((d) => ({ date: d.date, [a]: d.onlyInA.map(toRfc3339), [b]: d.onlyInB.map(toRfc3339) })) : [],
    horizonDays: plan.horizonDays,
  };
}

/** `schedule: "0 2 * * *"  timeZone: America/New_York`: the fields the system's object writes, the schedule quoted. */
function fieldsLine(fields: Readonly<Record<string, string | null>>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value], i) => (i === 0 ? `${name}: "${value}"` : `${name}: ${value}`))
    .join('  ');
}

export function renderNextHuman(plan: NextFireTimes): string {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: plan.timezone }).toFormat('ccc yyyy-MM-dd HH:mm ZZ');
  const titleWidth = Math.max(...plan.systems.map((s) => s.title.length)) + 2;
  const lines = [
    `${plan.job} (${plan.timezone})`,
    ...plan.systems.map((s) => `  ${s.title.padEnd(titleWidth)}${s.fields ? fieldsLine(s.fields) : 'cannot express this schedule'}`),
    '',
  ];
  const row = (cells: readonly string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(31) : c)).join('');
  lines.push(`  ${'#'.padStart(3)}  ${row(plan.systems.map((s) => `${s.title} (${s.notation})`))}`);
  const rows = referenceSchedule(plan)?.times.length ?? Math.max(...plan.systems.map((s) => s.times.length));
  for (let i = 0; i < rows; i++) {
    lines.push(`  ${String(i + 1).padStart(3)}  ${row(plan.systems.map((s) => { const t = s.times[i]; return t ? local(t) : '-'; }))}`);
  }
  lines.push('');
  const reference = referenceTitle(plan);
  for (const s of plan.systems.filter((x) => !x.native)) {
    const v = s.verdict;
    if (v.kind === 'equivalent') lines.push(`verdict: equivalent: the fire times agree on every day of the next ${plan.horizonDays}`);
    else if (v.kind === 'not-expressible') lines.push(`verdict: not expressible in ${s.title}: ${v.reason}`);
    else {
      lines.push(`verdict: differs on ${v.differences.length} date${v.differences.length === 1 ? '' : 's'} in the next ${plan.horizonDays} days: ${v.reason}`);
      for (const d of v.differences.slice(0, 20)) {
        lines.push(`  ${d.date}: ${reference} ${d.onlyInA.length ? d.onlyInA.map(local).join(', ') : 'nothing extra'}; ${s.title} ${d.onlyInB.length ? d.onlyInB.map(local).join(', ') : 'nothing extra'}`);
      }
      if (v.differences.length > 20) lines.push(`  ... and ${v.differences.length - 20} more`);
    }
  }
  return `${lines.join('\n')}\n`;
}
