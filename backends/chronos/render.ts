/**
 * The pure half of the Chronos backend: a JobDefinition <-> a Chronos 3.x job body.
 * The schedule is `R/<next fire time after now>/<period>`: a start in the past would make
 * Chronos 3.x run the job at once (docs/chronos.md, "Traps for a move": a past start runs at once).
 */
import type { Imported, LintFinding, Rendered, TranslationWarning } from '../../src/core/backend.js';
import { DEFAULT_CONCURRENCY, DEFAULT_NAMESPACE, DEFAULT_STARTING_DEADLINE_SECONDS, DEFAULT_TIMEZONE, nameOn, type EnvValue, type JobDefinition, type ResourceAmounts } from '../../src/core/job.js';
import { otherSectionsDropped } from '../../src/core/specific.js';
import { carriedBody, carriedOf, containerToDefinition, lintSection, ownerFields, ownerOf, renderContainer, sectionOf, SECTION } from './specific.js';
import { coresToCpu, cpuToCores, mebibytesToMemory, memoryToMebibytes } from './quantity.js';
import { chronosToCron, cronToChronos, cronToChronosCached } from './translate.js';
import { CHRONOS_DEFAULTS, readChronosJob, type ChronosJob } from './model.js';
import { normalizeChronosJob } from './normalize.js';

/** What `migrate` posts: the fields it owns. The server fills in the rest (model.ts). */
export type ChronosJobBody = Partial<ChronosJob> & { readonly name: string; readonly schedule: string };

/** `translate` is the schedule translation (a year-long proof); callers rendering many jobs may pass a memoised one. */
export function renderChronosJob(job: JobDefinition, now: Date, translate: typeof cronToChronos = cronToChronos): Rendered<ChronosJobBody> {
  const schedule = translate(job.schedule, job.timezone, now);
  if (!schedule.ok) throw new ChronosRenderError(job.name, schedule.reason);

  const warnings = droppedInTranslation(job);
  const container = renderContainer(job, warnings);
  const shellCommand = typeof job.command === 'string';
  const environmentVariables = Object.entries(job.env).flatMap(([name, value]) => (typeof value === 'string' ? [{ name, value }] : []));
  const body: ChronosJobBody = {
    name: nameOn(job, SECTION),
    command: shellCommand ? (job.command as string) : (job.command as readonly string[])[0],
    shell: shellCommand,
    ...(shellCommand ? {} : { arguments: (job.command as readonly string[]).slice(1) }),
    schedule: schedule.schedule,
    ...(schedule.scheduleTimeZone ? { scheduleTimeZone: schedule.scheduleTimeZone } : {}),
    ...ownerFields(job.owner),
    ...(job.description ? { description: job.description } : {}),
    ...chronosResources(job.resources.requests ?? {}),
    retries: job.retries,
    concurrent: job.concurrency === 'allow',
    disabled: job.paused === true,
    ...(environmentVariables.length ? { environmentVariables } : {}),
    ...(container ? { container } : {}),
    ...carriedBody(sectionOf(job)),
  };
  return { manifest: body, warnings };
}

/** What the definition says that a Chronos job cannot hold (the container's parts: `renderContainer`). */
function droppedInTranslation(job: JobDefinition): TranslationWarning[] {
  const warnings: TranslationWarning[] = [];
  for (const [name, value] of Object.entries(job.env)) {
    if (typeof value !== 'string') warnings.push({ field: `env.${name}`, message: `dropped in translation: env.${name} reads Kubernetes Secret ${value.secretKeyRef.name}/${value.secretKeyRef.key}, which Chronos cannot reference` });
  }
  for (const [key, value] of Object.entries(job.resources.limits ?? {})) {
    warnings.push({ field: `resources.limits.${key}`, message: `dropped in translation: resources.limits.${key} (${value}) has no Chronos equivalent (Mesos allocates the request)` });
  }
  if (job.concurrency === 'replace') warnings.push({ field: 'concurrency', message: 'dropped in translation: concurrency replace has no Chronos equivalent; Chronos will forbid overlap instead' });
  if (job.startingDeadlineSeconds !== DEFAULT_STARTING_DEADLINE_SECONDS) {
    warnings.push({ field: 'startingDeadline', message: 'dropped in translation: startingDeadline has no Chronos 3.x equivalent (Chronos runs a missed slot late instead of skipping it)' });
  }
  if (Object.keys(job.labels).length) warnings.push({ field: 'labels', message: 'dropped in translation: labels have no Chronos equivalent' });
  warnings.push(...otherSectionsDropped(job, SECTION, 'Chronos'));
  return warnings;
}

function chronosResources(requests: ResourceAmounts): Partial<Pick<ChronosJob, 'cpus' | 'mem' | 'disk'>> {
  const out: { cpus?: number; mem?: number; disk?: number } = {};
  if (requests.cpu !== undefined) out.cpus = cpuToCores(requests.cpu);
  if (requests.memory !== undefined) out.mem = memoryToMebibytes(requests.memory);
  if (requests.disk !== undefined) out.disk = memoryToMebibytes(requests.disk);
  return out;
}

export class ChronosRenderError extends Error {
  constructor(readonly job: string, readonly reason: string) {
    super(`job ${job} cannot be rendered for Chronos: ${reason}`);
    this.name = 'ChronosRenderError';
  }
}

/** A live Chronos job back to a definition (used by `import`); `now` places the rewritten start. */
export function chronosJobToDefinition(live: ChronosJob | ChronosJobBody, now: Date): Imported {
  const warnings: TranslationWarning[] = [];
  if (live.parents !== undefined) {
    warnings.push({ field: 'parents', message: `a dependent job (runs after ${[...live.parents].sort().join(', ')}) has no CronJob equivalent` });
  }
  let schedule = '0 0 1 1 *';
  let timezone = live.scheduleTimeZone || DEFAULT_TIMEZONE;
  if (live.schedule !== undefined) {
    const cron = chronosToCron(live.schedule, live.scheduleTimeZone || undefined, now);
    if (cron.ok) {
      schedule = cron.cron;
      timezone = cron.timezone;
    } else {
      warnings.push({ field: 'schedule', message: `schedule ${live.schedule} cannot be written as cron: ${cron.reason}` });
    }
  }
  const shell = live.shell ?? CHRONOS_DEFAULTS.shell;
  const command: readonly string[] | string = shell ? live.command ?? '' : [live.command ?? '', ...(live.arguments ?? [])];
  if (shell && (live.arguments?.length ?? 0) > 0) warnings.push({ field: 'arguments', message: 'arguments with shell: true are appended to the command by Chronos; imported as part of the command string' });
  const env: Record<string, EnvValue> = {};
  for (const e of live.environmentVariables ?? []) env[e.name] = e.value;
  const full = readChronosJob(live, { now });
  const container = full.container ? containerToDefinition(full.container, warnings) : undefined;
  const section: Record<string, unknown> = { ...carriedOf(full, warnings), ...(container && Object.keys(container.extras).length ? { container: container.extras } : {}) };
  const requests: Record<string, string> = {};
  if (live.cpus !== undefined) requests.cpu = coresToCpu(live.cpus);
  if (live.mem !== undefined) requests.memory = mebibytesToMemory(live.mem);
  if (live.disk !== undefined) requests.disk = mebibytesToMemory(live.disk);
  const definition: JobDefinition = {
    name: live.name,
    backend: 'chronos',
    schedule,
    timezone,
    command: shell && (live.arguments?.length ?? 0) > 0 ? `${live.command} ${live.arguments!.join(' ')}` : command,
    ...container?.fields,
    env,
    resources: Object.keys(requests).length ? { requests } : {},
    retries: live.retries ?? CHRONOS_DEFAULTS.retries,
    concurrency: live.concurrent === undefined ? DEFAULT_CONCURRENCY : live.concurrent ? 'allow' : 'forbid',
    startingDeadlineSeconds: DEFAULT_STARTING_DEADLINE_SECONDS,
    owner: ownerOf(full, warnings),
    description: live.description || undefined,
    tier: undefined,
    labels: {},
    namespace: DEFAULT_NAMESPACE,
    ...(live.disabled ? { paused: true } : {}),
    ...(Object.keys(section).length ? { specific: { [SECTION]: section } } : {}),
  };
  return { definition, warnings };
}

const DAY_MS = 86_400_000;

/** Whether Chronos can run a schedule does not change within a day: lint asks once per day, so every command shares one proof. */
function chronosExpressibility(cron: string, zone: string, now: Date): ReturnType<typeof cronToChronos> {
  return cronToChronosCached(cron, zone, new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS));
}

/** What stops a definition from running on Chronos. */
export function lintForChronos(job: JobDefinition, now: Date): LintFinding[] {
  const findings: LintFinding[] = [];
  const schedule = chronosExpressibility(job.schedule, job.timezone, now);
  if (!schedule.ok) findings.push({ field: 'schedule', message: `Chronos cannot run "${job.schedule}" (${job.timezone}): ${schedule.reason}` });
  if (job.concurrency === 'replace') findings.push({ field: 'concurrency', message: 'concurrency replace exists only on Kubernetes; use forbid or allow for a job on Chronos' });
  findings.push(...lintSection(job));
  const carried = droppedInTranslation(job);
  renderContainer(job, carried);
  // Replace is an error above; the rest is what a Chronos job would not hold.
  findings.push(...carried.filter((w) => w.field !== 'concurrency').map((w) => ({ ...w, severity: 'warning' as const })));
  return findings;
}
