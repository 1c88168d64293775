/** `migrate next <job> [--count N]`: the next fire times in both notations, and whether they agree. */
import { DateTime } from 'luxon';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.js';
import { planNextFireTimes, type NextFireTimes } from '../../core/next-fire-times.js';
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
      'next fire times in both notations (cron and Chronos ISO 8601) and the equivalence verdict (-o table|json|yaml). ' +
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
      const plan = planNextFireTimes(job, io.clock.now(), args.count);
      if (format === 'json') io.stdout.write(`${JSON.stringify(toPlain(plan), null, 2)}\n`);
      else if (format === 'yaml') io.stdout.write(toYaml(toPlain(plan)));
      else io.stdout.write(renderNextHuman(plan));
    },
  };
}

function toPlain(plan: NextFireTimes): unknown {
  return {
    name: plan.job,
    timezone: plan.timezone,
    kubernetes: { schedule: plan.cron, fireTimes: plan.cronTimes.map(toRfc3339) },
    chronos: plan.chronos
      ? { schedule: plan.chronos.schedule, scheduleTimeZone: plan.chronos.scheduleTimeZone ?? null, fireTimes: plan.chronos.times.map(toRfc3339) }
      : null,
    verdict: plan.verdict.kind,
    reason: plan.verdict.kind === 'equivalent' ? null : plan.verdict.reason,
    differences: plan.verdict.kind === 'differs' ? plan.verdict.differences.map((d) => ({ date: d.date, onlyKubernetes: d.onlyInA.map(toRfc3339), onlyChronos: d.onlyInB.map(toRfc3339) })) : [],
    horizonDays: plan.horizonDays,
  };
}

export function renderNextHuman(plan: NextFireTimes): string {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: plan.timezone }).toFormat('ccc yyyy-MM-dd HH:mm ZZ');
  const lines = [
    `${plan.job} (${plan.timezone})`,
    `  Kubernetes  schedule: "${plan.cron}"  timeZone: ${plan.timezone}`,
    plan.chronos
      ? `  Chronos     schedule: "${plan.chronos.schedule}"${plan.chronos.scheduleTimeZone ? `  scheduleTimeZone: ${plan.chronos.scheduleTimeZone}` : ''}`
      : '  Chronos     cannot express this schedule',
    '',
    `  ${'#'.padStart(3)}  ${'Kubernetes (cron)'.padEnd(31)}Chronos (ISO 8601)`,
  ];
  plan.cronTimes.forEach((t, i) => {
    const c = plan.chronos?.times[i];
    lines.push(`  ${String(i + 1).padStart(3)}  ${local(t).padEnd(31)}${c ? local(c) : '-'}`);
  });
  lines.push('');
  const v = plan.verdict;
  if (v.kind === 'equivalent') lines.push(`verdict: equivalent: the fire times agree on every day of the next ${plan.horizonDays}`);
  else if (v.kind === 'not-expressible') lines.push(`verdict: not expressible in Chronos: ${v.reason}`);
  else {
    lines.push(`verdict: differs on ${v.differences.length} date${v.differences.length === 1 ? '' : 's'} in the next ${plan.horizonDays} days: ${v.reason}`);
    for (const d of v.differences.slice(0, 20)) {
      lines.push(`  ${d.date}: Kubernetes ${d.onlyInA.length ? d.onlyInA.map(local).join(', ') : 'nothing extra'}; Chronos ${d.onlyInB.length ? d.onlyInB.map(local).join(', ') : 'nothing extra'}`);
    }
    if (v.differences.length > 20) lines.push(`  ... and ${v.differences.length - 20} more`);
  }
  return `${lines.join('\n')}\n`;
}
