/**
 * The checks that span fields, files and backends: name rules, uniqueness, schedule and zone
 * validity, and what the declared backend cannot run. `validate` reports all of them, for every
 * file, not just the first.
 */
import type { LintFinding } from './backend.js';
import type { BackendNames } from './backend-names.js';
import type { LoadedDefinition, UnloadedDefinition } from './definition.js';
import type { Diagnostic } from './errors.js';
import {
  DEFAULT_CONCURRENCY, DEFAULT_NAMESPACE, DEFAULT_RETRIES, DEFAULT_STARTING_DEADLINE_SECONDS, DEFAULT_TIMEZONE,
  nameOn, type BackendName, type JobDefinition,
} from './job.js';
import type { Position } from './yaml-source.js';
import { isValidTimeZone, scheduleErrors } from './schedule/cron.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type BackendLinters = Readonly<Record<BackendName, (job: JobDefinition) => readonly LintFinding[]>>;

/**
 * Every check on every definition. `unloaded` are files with problems of their own: their fields
 * that did read are checked too (a bad name is reported beside a bad memory quantity), and the
 * backend's checks run on them when backend, schedule and zone are sound, leaving out findings on
 * fields already reported as unreadable.
 */
export function lintDefinitions(
  definitions: readonly LoadedDefinition[],
  backends: BackendNames,
  backendLint: BackendLinters,
  unloaded: readonly UnloadedDefinition[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A folder of thousands of jobs holds a few hundred distinct schedules: each is parsed once.
  const scheduleErrorsSeen = new Map<string, readonly string[]>();
  const scheduleErrorsOf = (schedule: string): readonly string[] => {
    let errors = scheduleErrorsSeen.get(schedule);
    if (!errors) scheduleErrorsSeen.set(schedule, (errors = scheduleErrors(schedule)));
    return errors;
  };
  const entries: UnloadedDefinition[] = [...definitions.map((d) => ({ file: d.file, job: d.job, positions: d.positions, unreadable: NOTHING })), ...unloaded];
  const byName = new Map<string, UnloadedDefinition[]>();
  // Each backend keys jobs by its own name for them (`nameOn`): two definitions may not share one.
  const byLiveName = new Map<string, UnloadedDefinition[]>();
  for (const def of entries) {
    if (def.job.name === undefined) continue;
    const list = byName.get(def.job.name) ?? [];
    list.push(def);
    byName.set(def.job.name, list);
    for (const b of backends.identities) {
      const own = ownName(def.job, b.name);
      if (own === undefined) continue;
      const key = `${b.name}\n${own}`;
      byLiveName.set(key, [...(byLiveName.get(key) ?? []), def]);
    }
  }
  for (const def of entries) {
    const at = (field: string, severity: Diagnostic['severity'] = 'error') => {
      const p = positionOfField(def.positions, field) ?? def.positions.name ?? { line: 1, col: 1 };
      return (message: string): Diagnostic => ({ file: def.file, line: p.line, col: p.col, severity, message });
    };
    const { job } = def;
    if (job.name !== undefined) {
      out.push(...lintName(job.name, backends).map(at('name')));
      const twins = byName.get(job.name)!.filter((d) => d !== def);
      for (const twin of twins) {
        const p = twin.positions.name;
        out.push(at('name')(`job name "${job.name}" is also used by ${twin.file}${p ? `:${p.line}:${p.col}` : ''}; names must be unique, since both systems key jobs by name`));
      }
      for (const b of backends.identities) {
        const own = ownName(job, b.name);
        if (own === undefined) continue;
        for (const twin of byLiveName.get(`${b.name}\n${own}`)!.filter((d) => d !== def && !twins.includes(d))) {
          const p = positionOfField(twin.positions, `specific.${b.name}.name`) ?? twin.positions.name;
          out.push(at(`specific.${b.name}.name`)(`${b.title} name "${own}" is also the ${b.title} name of ${twin.file}${p ? `:${p.line}:${p.col}` : ''}; ${b.title} keys jobs by name`));
        }
      }
    }
    let scheduleOk = job.schedule !== undefined;
    if (job.schedule !== undefined) {
      // As the apiserver does: a TZ= prefix does not hide an error in the rest of the schedule.
      for (const message of scheduleErrorsOf(job.schedule)) {
        scheduleOk = false;
        out.push(at('schedule')(`schedule "${job.schedule}" is not valid for ${backends.native.title}: ${message}`));
      }
    }
    const zoneOk = job.timezone !== undefined && !def.unreadable.has('timezone') && isValidTimeZone(job.timezone);
    if (job.timezone !== undefined && !def.unreadable.has('timezone') && !zoneOk) {
      out.push(at('timezone')(`timezone "${job.timezone}" is not an IANA time zone; write e.g. Etc/UTC, Europe/Berlin or America/New_York`));
    }
    // Another backend's own section is checked wherever the job runs now: a move there reads it.
    for (const b of Object.keys(job.specific ?? {})) {
      if (b === job.backend || def.unreadable.has('specific')) continue;
      for (const finding of backendLint[b]?.(completeForLint(job)) ?? []) {
        if (finding.field.startsWith(`specific.${b}`)) out.push(at(finding.field, finding.severity)(finding.message));
      }
    }
    if (!scheduleOk || !zoneOk || job.backend === undefined || def.unreadable.has('backend')) continue;
    for (const finding of backendLint[job.backend]?.(completeForLint(job)) ?? []) {
      if (!def.unreadable.has(finding.field.split('.')[0])) out.push(at(finding.field, finding.severity)(finding.message));
    }
  }
  return out;
}

/** The job's name on a backend when it has one there of its own (job.ts `nameOn`), else its name; undefined when neither read. */
function ownName(job: Partial<JobDefinition>, backend: BackendName): string | undefined {
  return job.name === undefined ? undefined : nameOn({ name: job.name, specific: job.specific }, backend);
}

/** The position of the most specific part of `field` written in the file (`env.API_TOKEN`, else `env`). */
function positionOfField(positions: Readonly<Record<string, Position>>, field: string): Position | undefined {
  for (let path = field; path !== ''; path = path.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
    if (positions[path]) return positions[path];
    if (!/[.[]/.test(path)) break;
  }
  return undefined;
}

const NOTHING: ReadonlySet<string> = new Set();

/** A job for the backend's checks: what read, and neutral stand-ins for required fields that did not. */
function completeForLint(job: Partial<JobDefinition>): JobDefinition {
  const known = Object.fromEntries(Object.entries(job).filter(([, v]) => v !== undefined)) as Partial<JobDefinition>;
  return {
    name: '', backend: '', schedule: '', timezone: DEFAULT_TIMEZONE, command: [], env: {}, resources: {}, labels: {},
    retries: DEFAULT_RETRIES, concurrency: DEFAULT_CONCURRENCY, startingDeadlineSeconds: DEFAULT_STARTING_DEADLINE_SECONDS, namespace: DEFAULT_NAMESPACE,
    ...known,
  };
}

/** The name's problems as a definition's name, and as every backend would hold it. */
export function lintName(name: string, backends: BackendNames): string[] {
  const problems: string[] = [];
  if (!DNS1123_LABEL.test(name)) {
    problems.push(`name "${name}" is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
  for (const backend of backends.identities) problems.push(...(backend.nameProblems?.(name) ?? []));
  return problems;
}
