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
  type BackendName, type JobDefinition,
} from './job.js';
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
  for (const def of entries) {
    if (def.job.name === undefined) continue;
    const list = byName.get(def.job.name) ?? [];
    list.push(def);
    byName.set(def.job.name, list);
  }
  for (const def of entries) {
    const at = (field: string) => {
      const p = def.positions[field.split('.')[0]] ?? def.positions.name ?? { line: 1, col: 1 };
      return (message: string): Diagnostic => ({ file: def.file, line: p.line, col: p.col, severity: 'error', message });
    };
    const { job } = def;
    if (job.name !== undefined) {
      out.push(...lintName(job.name, backends).map(at('name')));
      const twins = byName.get(job.name)!.filter((d) => d !== def);
      for (const twin of twins) {
        const p = twin.positions.name;
        out.push(at('name')(`job name "${job.name}" is also used by ${twin.file}${p ? `:${p.line}:${p.col}` : ''}; names must be unique, since both systems key jobs by name`));
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
    if (!scheduleOk || !zoneOk || job.backend === undefined || def.unreadable.has('backend')) continue;
    for (const finding of backendLint[job.backend]?.(completeForLint(job)) ?? []) {
      if (!def.unreadable.has(finding.field.split('.')[0])) out.push(at(finding.field)(finding.message));
    }
  }
  return out;
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
