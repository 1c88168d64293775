/**
 * Chronos as a `Backend`: everything the commands and the actions know about it.
 *
 * Connection settings, in order of precedence:
 *   URL:         --chronos-url, MIGRATE_CHRONOS_URL, chronos.url in migrate.yaml
 *   API prefix:  MIGRATE_CHRONOS_PREFIX, chronos.apiPrefix, /v1/scheduler
 *   credentials: MIGRATE_CHRONOS_USER / MIGRATE_CHRONOS_PASSWORD, or user:password in the URL
 */
import type { RunEvidence } from '../../src/core/runs.js';
import { failedListing, type Backend, type BackendConnection, type ConnectionSettings, type FailureClass, type JobLinks, type Listing, type StatusView, type SystemState, type SystemView } from '../../src/core/backend.js';
import { mapLimited } from '../../src/core/concurrency.js';
import { UserError } from '../../src/core/errors.js';
import { nameOn, type JobDefinition } from '../../src/core/job.js';
import { SECTION } from './specific.js';
import { rfc3339OrNull, shortTime } from '../../src/core/time.js';
import { cronToChronosCached } from './translate.js';
import { clientModule } from '../client-module.js';
import { chronosIdentity } from './identity.js';
import type { ChronosClient, ChronosClientOptions } from './client.js';
import { ChronosError } from './errors.js';
import { chronosCutoverSide } from './cutover.js';
import { readChronosJob, SERVER_OWNED_FIELDS, type ChronosJob } from './model.js';
import { normalizeChronosJob } from './normalize.js';
import { chronosRuns } from './runs.js';
import { ChronosRenderError, chronosJobToDefinition, lintForChronos, renderChronosJob, type ChronosJobBody } from './render.js';
import { canonicalSchedule, chronosScheduleView, readSchedule } from './schedule.js';

export interface ChronosState extends SystemState {
  /** The newer of lastSuccess and lastError. */
  readonly lastRun?: Date;
  /** The schedule's start: Chronos moves it to the next run at every launch. */
  readonly nextRun?: Date;
}


const status: StatusView<ChronosState> = {
  columns: ['CHRONOS', 'LAST RUN', 'NEXT RUN'],
  cells(v: SystemView<ChronosState>) {
    if (!v.reachable) return ['unreachable', '?', '?'];
    const s = v.state;
    return [s.present ? (s.enabled ? 'enabled' : 'disabled') : 'absent', shortTime(s.lastRun), s.enabled ? shortTime(s.nextRun) : '-'];
  },
  record(v: SystemView<ChronosState>) {
    return v.reachable
      ? { reachable: true, present: v.state.present, enabled: v.state.enabled, lastRun: rfc3339OrNull(v.state.lastRun), nextRun: rfc3339OrNull(v.state.nextRun) }
      : { reachable: false, present: null, enabled: null, error: v.error };
  },
  stateWord: (enabled) => (enabled ? 'enabled' : 'disabled'),
};

/** client.ts and axios: loaded by the commands that reach Chronos, before their first connection. */
export const chronosClientModule = clientModule('Chronos', () => import('./client-module.js'));

/** The client options from flags, environment and the project file. */
function chronosClientOptions(settings: ConnectionSettings): ChronosClientOptions {
  const url = (settings.flags['chronos-url'] as string | undefined) ?? settings.env.MIGRATE_CHRONOS_URL ?? settings.project.sections.chronos?.url;
  const { sleep, timeoutMs, retries } = settings.tuning;
  return chronosClientModule.get().chronosOptionsFromEnv(settings.env, {
    ...(url !== undefined ? { url } : {}),
    prefix: settings.env.MIGRATE_CHRONOS_PREFIX ?? settings.project.sections.chronos?.apiPrefix,
    clock: settings.clock,
    ...(sleep ? { sleep } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries !== undefined ? { retries } : {}),
  });
}

export interface ChronosConnection extends BackendConnection<ChronosJob> {
  readonly client: () => ChronosClient;
}

function connect(settings: ConnectionSettings): ChronosConnection {
  let client: ChronosClient | undefined;
  const get = () => (client ??= new (chronosClientModule.get().ChronosClient)(chronosClientOptions(settings)));
  return {
    client: get,
    location: () => get().displayUrl,
    serverClock: () => get().serverClock(),
    scopeOf: () => '',
    side: (job: JobDefinition) => chronosCutoverSide(get(), nameOn(job, SECTION)),
    runsInFlight: () => get().activeRunsByName(),
    async list(scopes) {
      // Chronos has one scope: every job is read in one call whatever is asked.
      let listing: Listing<ChronosJob>;
      try {
        const c = get();
        const jobs = await c.list();
        listing = { ok: true, items: new Map(jobs.map((j) => [j.name, j])), now: c.serverClock().now() };
      } catch (err) {
        listing = failedListing(err);
      }
      return new Map([...new Set(scopes.length ? scopes : [''])].map((s) => [s, listing]));
    },
    async apply(job) {
      const c = get();
      // Read just before the POST: a run since the caller's listing moved the start and the
      // counters, and an old start (now in the past) posted back would make Chronos run the job
      // at once. The read also sets the server clock, which picks the next slot.
      const live = await c.read(nameOn(job, SECTION));
      await c.post(applied(job, live, c.serverClock().now()));
    },
    async runs(jobs) {
      const c = get();
      let live: ReadonlyMap<string, ChronosJob>;
      try {
        live = new Map((await c.list()).map((j) => [j.name, j]));
      } catch (err) {
        const error = err instanceof UserError ? err.summary : String(err);
        return new Map(jobs.map((j) => [j.name, { ok: false, error }]));
      }
      // One request per job (the API has no batch read), a few at a time.
      const answers = await mapLimited(jobs, STAT_READS_AT_ONCE, async (job): Promise<[string, RunEvidence]> => {
        try {
          const own = nameOn(job, SECTION);
          const stat = live.has(own) ? await c.jobStat(own) : undefined;
          return [job.name, chronosRuns(live.get(own), stat, `GET /job/stat/${own}`)];
        } catch (err) {
          return [job.name, { ok: false, error: err instanceof UserError ? err.summary : String(err) }];
        }
      });
      return new Map(answers);
    },
  };
}

const STAT_READS_AT_ONCE = 8;

/** What Chronos would hold after a POST of the definition rendered at `now`: the full job, defaults in. */
function desired(job: JobDefinition, now: Date, live: ChronosJob | undefined): ChronosJob {
  let body: ChronosJobBody;
  try {
    body = renderChronosJob(job, now, cronToChronosCached).manifest;
  } catch (err) {
    if (err instanceof ChronosRenderError) throw new UserError(err.message, 'Keep the job on Kubernetes, or give it a schedule with a constant period (`migrate next` shows why).');
    throw err;
  }
  // Keep the live job's history: a POST without counters resets them (docs/chronos.md, "A POST replaces the whole job").
  const counters = live
    ? { successCount: live.successCount, errorCount: live.errorCount, lastSuccess: live.lastSuccess, lastError: live.lastError, errorsSinceLastSuccess: live.errorsSinceLastSuccess }
    : {};
  return readChronosJob({ ...body, ...counters }, { now });
}

/**
 * The job `apply` posts: the desired job (its start at the next slot after `now`, the live
 * counters kept). When the live job is enabled on the same grid, its schedule string is kept as
 * is: its start is its next run (possibly one due right now), and moving it would skip or add a
 * slot.
 */
function applied(job: JobDefinition, live: ChronosJob | undefined, now: Date): ChronosJob {
  const want = desired(job, now, live);
  const sameGrid =
    live?.schedule !== undefined &&
    canonicalSchedule(live.schedule, live.scheduleTimeZone ?? '') === canonicalSchedule(want.schedule!, want.scheduleTimeZone ?? '') &&
    (live.scheduleTimeZone ?? '') === (want.scheduleTimeZone ?? '');
  return sameGrid && !live.disabled ? { ...want, schedule: live.schedule } : want;
}

type Obj = Record<string, unknown>;

/**
 * Both sides normalised for comparison and display: counters and last run times left out (the
 * scheduler writes them), and the schedule compared by its grid (period, zone, phase) but shown
 * as written: the live string on both sides when the grids agree, each side's own when not.
 */
function comparable(live: ChronosJob | undefined, want: ChronosJob): { live: unknown; desired: unknown } {
  const strip = (job: ChronosJob): Obj => {
    const o: Obj = { ...normalizeChronosJob(job) };
    for (const f of SERVER_OWNED_FIELDS) delete o[f];
    return o;
  };
  const d = strip(want);
  if (!live) return { live: undefined, desired: { ...d, schedule: want.schedule, scheduleTimeZone: want.scheduleTimeZone } };
  const l = strip(live);
  const sameGrid = l.schedule === d.schedule && l.scheduleTimeZone === d.scheduleTimeZone;
  l.schedule = live.schedule;
  d.schedule = sameGrid ? live.schedule : want.schedule;
  return { live: l, desired: d };
}

function observe(job: ChronosJob | undefined, now: Date): ChronosState {
  if (!job) return { present: false, enabled: false };
  const runs = [job.lastSuccess, job.lastError].filter((t) => t !== '').map((t) => new Date(t)).filter((d) => !Number.isNaN(d.getTime()));
  const lastRun = runs.length ? new Date(Math.max(...runs.map((d) => d.getTime()))) : undefined;
  let nextRun: Date | undefined;
  if (job.schedule !== undefined && !job.disabled) {
    try {
      const s = readSchedule(job.schedule, job.scheduleTimeZone ?? '', now);
      // Chronos moves the start to the next run at every launch; a start in the past is a run due now.
      if (s.repeat !== 0) nextRun = s.start;
    } catch {
      nextRun = undefined;
    }
  }
  return { present: true, enabled: !job.disabled, ...(lastRun ? { lastRun } : {}), ...(nextRun ? { nextRun } : {}) };
}

/** Dependent jobs (`parents`) and their parents: every job of the listing that has either. */
function chronosLinks(items: ReadonlyMap<string, ChronosJob>): ReadonlyMap<string, JobLinks> {
  const children = new Map<string, string[]>();
  for (const job of items.values()) for (const parent of job.parents ?? []) children.set(parent, [...(children.get(parent) ?? []), job.name]);
  const out = new Map<string, JobLinks>();
  for (const job of items.values()) {
    const parents = [...(job.parents ?? [])].sort();
    const below = [...(children.get(job.name) ?? [])].sort();
    if (parents.length || below.length) out.set(job.name, { parents, children: below });
  }
  return out;
}

/** The client's own errors carry their class; anything else is not a failure of the Chronos client. */
function failureClass(err: unknown): FailureClass | undefined {
  return err instanceof ChronosError ? err.failure : undefined;
}

export const chronosBackend = {
  ...chronosIdentity,
  serverTitle: 'Chronos server',
  enableStrategy: 'posted with its first start at the first slot after the handoff',
  livePath: (name: string) => `chronos/${name}`,
  configuredBy: 'the Chronos URL (--chronos-url, MIGRATE_CHRONOS_URL, chronos.url)',
  render(job: JobDefinition, now: Date) {
    try {
      return renderChronosJob(job, now, cronToChronosCached);
    } catch (err) {
      if (err instanceof ChronosRenderError) throw new UserError(err.message, 'Keep the job on Kubernetes, or change its schedule to one with a constant period (`migrate next` shows why).');
      throw err;
    }
  },
  toDefinition: (live: ChronosJob, now: Date) => chronosJobToDefinition(live, now),
  lint: (job: JobDefinition, now: Date) => lintForChronos(job, now),
  scheduleView: chronosScheduleView,
  normalize: (live: ChronosJob) => normalizeChronosJob(live),
  isEnabled: (live: ChronosJob) => !live.disabled,
  withEnabled: (live: ChronosJob, enabled: boolean): ChronosJob => ({ ...live, disabled: !enabled }),
  isManaged: () => true,
  links: (items: ReadonlyMap<string, ChronosJob>) => chronosLinks(items),
  desired: (job: JobDefinition, now: Date, _scope: string, live: ChronosJob | undefined) => desired(job, now, live),
  comparable,
  nameOf: (live: ChronosJob) => live.name,
  applyRefusal: () => undefined,
  observe: (live: ChronosJob | undefined, now: Date) => observe(live, now),
  status,
  connect,
  failureClass,
} satisfies Backend<ChronosJob, ChronosState, ChronosJobBody>;
