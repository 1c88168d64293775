/**
 * How `migrate load` prints its report: a table per system (jobs, starts, the peak minute, the
 * capacity and the minutes above it), the busiest minutes with their jobs, a one-line chart of
 * each system's peak by hour of the day; with a wave, the same after it and the minutes it pushes
 * above capacity. `-o json`/`yaml` give the same figures.
 */
import { capacityWarningLines, type LoadReport, type SystemLoad } from './load.js';
import { toRfc3339 } from './time.js';
import { toYaml } from './yaml-write.js';

/** What a system is called in prose, by backend name. */
export type SystemTitle = (system: string) => string;

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

function systemRecord(s: SystemLoad): Record<string, unknown> {
  return {
    system: s.system,
    jobs: s.jobs,
    starts: s.starts,
    peak: s.peak,
    capacity: s.capacity ?? null,
    minutesOver: s.minutesOver,
    busiest: s.busiest.map((m) => ({ minute: toRfc3339(m.minute), starts: m.starts, jobs: m.jobs })),
    peakByHour: s.peakByHour,
  };
}

export function loadRecord(report: LoadReport): Record<string, unknown> {
  return {
    window: { from: toRfc3339(report.window.from), until: toRfc3339(report.window.until) },
    definitions: report.definitions,
    systems: report.systems.map(systemRecord),
    wave: report.wave
      ? {
          to: report.wave.to,
          jobs: report.wave.jobs,
          systems: report.wave.systems.map(systemRecord),
          breaches: report.wave.breaches.map((b) => ({ system: b.system, minute: toRfc3339(b.minute), before: b.before, after: b.after, capacity: b.capacity, moving: b.moving })),
        }
      : null,
  };
}

export function renderLoadJson(report: LoadReport): string {
  return `${JSON.stringify(loadRecord(report), null, 2)}\n`;
}

export function renderLoadYaml(report: LoadReport): string {
  return toYaml(loadRecord(report));
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** The systems' table; `before` adds each figure's change since then. */
function systemsTable(systems: readonly SystemLoad[], title: SystemTitle, before?: readonly SystemLoad[]): string[] {
  const change = (now: number, was: number | undefined) => (was === undefined || was === now ? String(now) : `${now} (${now > was ? '+' : ''}${now - was})`);
  const rows = systems.map((s) => {
    const was = before?.find((b) => b.system === s.system);
    return [
      title(s.system),
      change(s.jobs, was?.jobs),
      change(s.starts, was?.starts),
      change(s.peak, was?.peak),
      s.capacity === undefined ? '-' : String(s.capacity),
      s.capacity === undefined ? '-' : change(s.minutesOver, was?.minutesOver),
    ];
  });
  return columns([['SYSTEM', 'JOBS', 'STARTS', 'PEAK/MIN', 'CAPACITY/MIN', 'MINUTES OVER'], ...rows]).map((l) => `  ${l}`);
}

function busiestLines(systems: readonly SystemLoad[], title: SystemTitle, when: string): string[] {
  const out: string[] = [];
  for (const s of systems) {
    if (s.busiest.length === 0) continue;
    out.push(`Busiest minutes on ${title(s.system)}${when}:`);
    for (const m of s.busiest) {
      const over = s.capacity !== undefined && m.starts > s.capacity ? '  ! above capacity' : '';
      out.push(`  ${toRfc3339(m.minute)}  ${String(m.starts).padStart(4)} start${m.starts === 1 ? ' ' : 's'}  ${m.jobs.join(', ')}${over}`);
    }
    out.push('');
  }
  return out;
}

/** One bar per hour of the day, scaled to the busiest hour (or the capacity, when higher). */
function chartLines(systems: readonly SystemLoad[], title: SystemTitle): string[] {
  const width = Math.max(...systems.map((s) => title(s.system).length));
  const out = [`Peak starts in one minute, by hour of the day (UTC, 00 to 23):`];
  for (const s of systems) {
    const top = Math.max(1, s.peak, s.capacity ?? 0);
    const bars = s.peakByHour.map((n) => (n === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.ceil((n / top) * BARS.length) - 1)]!)).join('');
    const busiestHour = s.peakByHour.indexOf(s.peak);
    out.push(`  ${title(s.system).padEnd(width)}  |${bars}|  ${s.peak ? `peak ${s.peak} at ${String(busiestHour).padStart(2, '0')}h` : 'no starts'}${s.capacity !== undefined ? ` (capacity ${s.capacity}, full height)` : ''}`);
  }
  return out;
}

export function renderLoadTable(report: LoadReport, title: SystemTitle): string {
  const days = (report.window.until.getTime() - report.window.from.getTime()) / 86_400_000;
  const lines: string[] = [
    `Runs started per minute from ${toRfc3339(report.window.from)} to ${toRfc3339(report.window.until)} (${days} day${days === 1 ? '' : 's'}), ${report.definitions} definition${report.definitions === 1 ? '' : 's'}:`,
    '',
    ...systemsTable(report.systems, title),
    '',
    ...busiestLines(report.systems, title, ''),
    ...chartLines(report.systems, title),
  ];
  const wave = report.wave;
  if (wave) {
    lines.push(
      '',
      `After moving ${wave.jobs.length} job${wave.jobs.length === 1 ? '' : 's'} to ${title(wave.to)}: ${wave.jobs.join(', ')}`,
      '',
      ...systemsTable(wave.systems, title, report.systems),
      '',
      ...busiestLines(wave.systems.filter((s) => s.system === wave.to), title, ' after the wave'),
      ...chartLines(wave.systems, title),
      '',
    );
    const target = wave.systems.find((s) => s.system === wave.to);
    if (target?.capacity === undefined) {
      lines.push(`No capacity.startsPerMinute for ${title(wave.to)} in migrate.yaml: nothing to check the wave against.`);
    } else if (wave.breaches.length === 0) {
      lines.push(`No minute of ${title(wave.to)} goes above its capacity of ${target.capacity} starts a minute.`);
    } else {
      lines.push(`The wave pushes ${wave.breaches.length} minute${wave.breaches.length === 1 ? '' : 's'} of ${title(wave.to)} above its capacity (move warns; move --strict refuses):`);
      for (const l of capacityWarningLines(wave.breaches, 20)) lines.push(`  ! ${l}`);
    }
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
