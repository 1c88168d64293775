/**
 * `migrate load`: how many runs each system starts in each minute, from the definitions'
 * schedules (cron and zone), over a window; the busiest minutes and the jobs in them; and, for a
 * wave (jobs moving to one system), the same after it, with the minutes it pushes above a
 * system's `capacity.startsPerMinute` (migrate.yaml). A cluster that starts about one pod a second
 * per node starts a bounded number of runs a minute, and many jobs fire at minute 0 of the hour.
 *
 * Pure: definitions and a window in, counts out. `move` asks `capacityBreaches` for its plan.
 */
import type { BackendName, JobDefinition } from './job.js';
import { cronSequence, parseCron } from './schedule/cron.js';
import { toRfc3339 } from './time.js';

const MINUTE_MS = 60_000;

/** Minutes in [from, until): `from` is on a whole minute. */
export interface LoadWindow {
  readonly from: Date;
  readonly until: Date;
}

/** The window of `days` days from the minute after `now`. */
export function loadWindow(now: Date, days: number): LoadWindow {
  const from = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  return { from: new Date(from), until: new Date(from + days * 24 * 3600 * 1000) };
}

/** One minute of one system: how many runs start in it, and whose. */
export interface MinuteLoad {
  readonly minute: Date;
  readonly starts: number;
  /** The jobs starting in it, by name, sorted. */
  readonly jobs: readonly string[];
}

export interface SystemLoad {
  readonly system: BackendName;
  /** Jobs on this system with a schedule that runs (paused ones start nothing). */
  readonly jobs: number;
  /** Runs started in the window. */
  readonly starts: number;
  /** The most starts in one minute (0 when none). */
  readonly peak: number;
  /** The busiest minutes, most starts first, then the earliest. */
  readonly busiest: readonly MinuteLoad[];
  /** `capacity.startsPerMinute` for this system, when migrate.yaml sets it. */
  readonly capacity?: number;
  /** Minutes above the capacity (0 without one). */
  readonly minutesOver: number;
  /** Per hour of the day (UTC, 0-23): the most starts in one of its minutes, over every day of the window. */
  readonly peakByHour: readonly number[];
}

/** A minute a wave pushes above a system's capacity (or further above it). */
export interface CapacityBreach {
  readonly system: BackendName;
  readonly minute: Date;
  readonly before: number;
  readonly after: number;
  readonly capacity: number;
  /** The wave's jobs that start in that minute there. */
  readonly moving: readonly string[];
}

export interface Wave {
  readonly to: BackendName;
  /** The jobs that move, by name (jobs already on `to` change nothing). */
  readonly jobs: readonly string[];
}

export interface LoadReport {
  readonly window: LoadWindow;
  readonly definitions: number;
  /** Every system, in the registry's order. */
  readonly systems: readonly SystemLoad[];
  /** With a wave: the systems after it, and the minutes it pushes above capacity. */
  readonly wave?: Wave & { readonly systems: readonly SystemLoad[]; readonly breaches: readonly CapacityBreach[] };
}

/** Per system, minute (ms) -> the jobs starting then. */
type Starts = Map<BackendName, Map<number, string[]>>;

/** Every start of every job in the window, per system, with the wave's jobs on `wave.to`. */
function countStarts(definitions: readonly JobDefinition[], systems: readonly BackendName[], window: LoadWindow, wave?: Wave): Starts {
  const starts: Starts = new Map(systems.map((s) => [s, new Map<number, string[]>()]));
  const moving = new Set(wave?.jobs ?? []);
  const end = window.until.getTime();
  for (const job of definitions) {
    if (job.paused) continue;
    const system = wave && moving.has(job.name) ? wave.to : job.backend;
    let perMinute = starts.get(system);
    if (!perMinute) starts.set(system, (perMinute = new Map()));
    const next = cronSequence(parseCron(job.schedule), job.timezone, new Date(window.from.getTime() - 1));
    for (let t = next(); t !== undefined && t < end; t = next()) {
      const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      const names = perMinute.get(minute);
      if (names) names.push(job.name);
      else perMinute.set(minute, [job.name]);
    }
  }
  return starts;
}

function summarize(system: BackendName, perMinute: ReadonlyMap<number, readonly string[]>, jobs: number, top: number, capacity: number | undefined): SystemLoad {
  let starts = 0;
  let minutesOver = 0;
  const peakByHour = new Array<number>(24).fill(0);
  for (const [minute, names] of perMinute) {
    starts += names.length;
    if (capacity !== undefined && names.length > capacity) minutesOver++;
    const hour = new Date(minute).getUTCHours();
    peakByHour[hour] = Math.max(peakByHour[hour]!, names.length);
  }
  const busiest = [...perMinute]
    .sort(([a, x], [b, y]) => y.length - x.length || a - b)
    .slice(0, top)
    .map(([minute, names]) => ({ minute: new Date(minute), starts: names.length, jobs: [...names].sort() }));
  return { system, jobs, starts, peak: busiest[0]?.starts ?? 0, busiest, ...(capacity !== undefined ? { capacity } : {}), minutesOver, peakByHour };
}

export interface LoadOptions {
  readonly window: LoadWindow;
  /** Every system, in the order to show them. */
  readonly systems: readonly BackendName[];
  readonly capacity: Readonly<Record<BackendName, number>>;
  /** How many busiest minutes to list per system. */
  readonly top: number;
  readonly wave?: Wave;
}

export function buildLoadReport(definitions: readonly JobDefinition[], options: LoadOptions): LoadReport {
  const systemsOf = (starts: Starts, wave?: Wave) =>
    options.systems.map((system) => {
      const jobs = definitions.filter((d) => !d.paused && (wave?.jobs.includes(d.name) ? wave.to : d.backend) === system).length;
      return summarize(system, starts.get(system) ?? new Map(), jobs, options.top, options.capacity[system]);
    });
  const before = countStarts(definitions, options.systems, options.window);
  const report: LoadReport = { window: options.window, definitions: definitions.length, systems: systemsOf(before) };
  if (!options.wave) return report;
  const after = countStarts(definitions, options.systems, options.window, options.wave);
  return { ...report, wave: { ...options.wave, systems: systemsOf(after, options.wave), breaches: breachesOf(before, after, options.capacity, options.wave) } };
}

function breachesOf(before: Starts, after: Starts, capacity: Readonly<Record<BackendName, number>>, wave: Wave): CapacityBreach[] {
  const moving = new Set(wave.jobs);
  const out: CapacityBreach[] = [];
  for (const [system, perMinute] of after) {
    const limit = capacity[system];
    if (limit === undefined) continue;
    for (const [minute, names] of perMinute) {
      const was = before.get(system)?.get(minute)?.length ?? 0;
      if (names.length > limit && names.length > was) {
        out.push({ system, minute: new Date(minute), before: was, after: names.length, capacity: limit, moving: names.filter((n) => moving.has(n)).sort() });
      }
    }
  }
  return out.sort((a, b) => b.after - b.capacity - (a.after - a.capacity) || a.minute.getTime() - b.minute.getTime());
}

/**
 * The minutes a wave pushes above capacity over `window`, for `move`'s plan: empty when no
 * system the wave moves to has a capacity.
 */
export function capacityBreaches(definitions: readonly JobDefinition[], wave: Wave, capacity: Readonly<Record<BackendName, number>>, window: LoadWindow): CapacityBreach[] {
  if (capacity[wave.to] === undefined || wave.jobs.length === 0) return [];
  const systems = [...new Set(definitions.map((d) => d.backend).concat(wave.to))];
  return breachesOf(countStarts(definitions, systems, window), countStarts(definitions, systems, window, wave), capacity, wave);
}

/** The breaches as the plan's warning lines: the worst few minutes, then how many more. */
export function capacityWarningLines(breaches: readonly CapacityBreach[], shown = 5): string[] {
  const lines = breaches.slice(0, shown).map((b) =>
    `${b.system} starts ${b.after} runs at ${toRfc3339(b.minute)}, above its capacity of ${b.capacity} a minute (${b.before > b.capacity ? 'already ' : ''}${b.before} before; moving in: ${b.moving.join(', ')})`);
  if (breaches.length > shown) lines.push(`and ${breaches.length - shown} more minute${breaches.length - shown === 1 ? '' : 's'} above capacity (\`migrate load\` of the wave with \`-o json\` lists every one)`);
  return lines;
}
