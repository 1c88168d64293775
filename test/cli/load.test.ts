/**
 * `migrate load`: each system's starts per minute, checked against a count made here
 * independently (every minute of the window tested against each job's five cron fields in its
 * zone, with luxon, not the tool's cron code), on the shipped example project and on 500
 * generated jobs; a wave's effect and the minutes it pushes above capacity.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import YAML from 'yaml';
import { FixedClock } from '../../src/core/clock.js';
import { runCli } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = '2026-11-25T10:07:00Z';

interface Job { readonly name: string; readonly backend: string; readonly schedule: string; readonly timezone: string; readonly tier?: string; readonly paused?: boolean }
interface SystemJson {
  readonly system: string; readonly jobs: number; readonly starts: number; readonly peak: number; readonly capacity: number | null; readonly minutesOver: number;
  readonly busiest: readonly { readonly minute: string; readonly starts: number; readonly jobs: readonly string[] }[];
  readonly peakByHour: readonly number[];
}
interface LoadJson {
  readonly window: { readonly from: string; readonly until: string };
  readonly systems: readonly SystemJson[];
  readonly wave: { readonly to: string; readonly jobs: readonly string[]; readonly systems: readonly SystemJson[]; readonly breaches: readonly { readonly system: string; readonly minute: string; readonly before: number; readonly after: number; readonly capacity: number; readonly moving: readonly string[] }[] } | null;
}

// ---- the independent count ---------------------------------------------------------------------

/** One cron field as the set of values it allows. */
function field(text: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [lo, hi] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(Number) as [number, number] : [Number(range), stepText === undefined ? Number(range) : max];
    for (let v = lo; v <= hi; v += step) out.add(v === 7 && max === 6 ? 0 : v);
  }
  return out;
}

/** The wall clock in a zone at a UTC minute, remembered: a few zones, a few thousand minutes. */
const wallClocks = new Map<string, DateTime>();
function wallClock(ms: number, zone: string): DateTime {
  const key = `${zone} ${ms}`;
  let t = wallClocks.get(key);
  if (!t) wallClocks.set(key, (t = DateTime.fromMillis(ms, { zone })));
  return t;
}

/** Whether the job fires in the UTC minute `ms`: its five fields read in its zone (day of month OR day of week when both are restricted). */
function matcher(job: Job): (ms: number) => boolean {
  const [m, h, dom, mon, dow] = job.schedule.trim().split(/\s+/) as [string, string, string, string, string];
  const minutes = field(m, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12);
  const weekdays = field(dow, 0, 6);
  return (ms) => {
    const t = wallClock(ms, job.timezone);
    if (!minutes.has(t.minute) || !hours.has(t.hour) || !months.has(t.month)) return false;
    const dayOk = days.has(t.day);
    const weekdayOk = weekdays.has(t.weekday % 7);
    return dom !== '*' && dow !== '*' ? dayOk || weekdayOk : dayOk && weekdayOk;
  };
}

interface Counted { readonly starts: number; readonly peak: number; readonly busiest: SystemJson['busiest']; readonly peakByHour: number[]; readonly perMinute: Map<number, string[]> }

function count(jobs: readonly Job[], system: string, from: string, until: string, top: number, where: (j: Job) => string = (j) => j.backend): Counted {
  const mine = jobs.filter((j) => !j.paused && where(j) === system).map((j) => ({ name: j.name, fires: matcher(j) }));
  const perMinute = new Map<number, string[]>();
  for (let t = Date.parse(from); t < Date.parse(until); t += 60_000) {
    const names = mine.filter((j) => j.fires(t)).map((j) => j.name);
    if (names.length) perMinute.set(t, names.sort());
  }
  const peakByHour = new Array<number>(24).fill(0);
  let starts = 0;
  for (const [t, names] of perMinute) {
    starts += names.length;
    const hour = new Date(t).getUTCHours();
    peakByHour[hour] = Math.max(peakByHour[hour]!, names.length);
  }
  const busiest = [...perMinute].sort(([a, x], [b, y]) => y.length - x.length || a - b).slice(0, top)
    .map(([t, names]) => ({ minute: new Date(t).toISOString().replace('.000Z', 'Z'), starts: names.length, jobs: names }));
  return { starts, peak: busiest[0]?.starts ?? 0, busiest, peakByHour, perMinute };
}

function expectSystem(got: SystemJson, want: Counted, capacity: number | undefined): void {
  expect(want.starts).toBeGreaterThan(0);
  const over = capacity === undefined ? 0 : [...want.perMinute.values()].filter((n) => n.length > capacity).length;
  expect({ system: got.system, starts: got.starts, peak: got.peak, busiest: got.busiest, peakByHour: got.peakByHour, minutesOver: got.minutesOver, capacity: got.capacity })
    .toEqual({ system: got.system, starts: want.starts, peak: want.peak, busiest: want.busiest, peakByHour: want.peakByHour, minutesOver: over, capacity: capacity ?? null });
}

// ---- projects ------------------------------------------------------------------------------------

function project(files: Readonly<Record<string, string>>, projectYaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-load-'));
  fs.mkdirSync(path.join(dir, 'jobs'));
  fs.writeFileSync(path.join(dir, 'migrate.yaml'), projectYaml);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'jobs', name), text);
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function readJobs(dir: string, defaultZone: string): Job[] {
  return fs.readdirSync(path.join(dir, 'jobs')).filter((f) => f.endsWith('.yaml')).map((f) => {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, 'jobs', f), 'utf8')) as Record<string, unknown>;
    // The original format: the backend is a block holding the schedule (docs/format.md).
    const blockKey = ['kubernetes', 'k8s', 'chronos'].find((k) => typeof doc[k] === 'object' && doc[k] !== null);
    const block = (blockKey ? doc[blockKey] : doc) as Record<string, unknown>;
    const backend = blockKey ? (blockKey === 'chronos' ? 'chronos' : 'kubernetes') : String(doc.backend);
    return {
      name: String(doc.name), backend, schedule: String(block.schedule), timezone: String(block.timezone ?? doc.timezone ?? defaultZone),
      ...(doc.tier !== undefined ? { tier: String(doc.tier) } : {}), ...(doc.paused === true ? { paused: true } : {}),
    };
  });
}

async function load(dir: string, ...argv: string[]): Promise<LoadJson> {
  const r = await runCli(['load', '-o', 'json', ...argv], { cwd: dir, clock: new FixedClock(NOW) });
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as LoadJson;
}

test('the example project: every system\'s starts, busiest minutes and hourly peaks over a week, before and after a wave, match an independent count', async () => {
  const example = Object.fromEntries(fs.readdirSync(path.join(root, 'jobs')).map((f) => [f, fs.readFileSync(path.join(root, 'jobs', f), 'utf8')]));
  const capacity = '\ncapacity:\n  startsPerMinute:\n    chronos: 3\n    k8s: 4\n';
  const dir = project(example, fs.readFileSync(path.join(root, 'migrate.yaml'), 'utf8') + capacity);
  const jobs = readJobs(dir, 'Etc/UTC');
  expect(jobs.length).toBeGreaterThan(5);

  const json = await load(dir, '--days', '7', '--top', '8', '-l', 'tier=low', '--to', 'k8s');
  expect(json.window).toEqual({ from: '2026-11-25T10:08:00Z', until: '2026-12-02T10:08:00Z' });
  const capacities: Readonly<Record<string, number>> = { chronos: 3, kubernetes: 4 };
  expect(json.systems.map((s) => s.system)).toEqual(['chronos', 'kubernetes']);
  for (const s of json.systems) expectSystem(s, count(jobs, s.system, json.window.from, json.window.until, 8), capacities[s.system]);

  const moving = jobs.filter((j) => j.tier === 'low' && j.backend !== 'kubernetes').map((j) => j.name).sort();
  expect(moving.length).toBeGreaterThan(1);
  expect([json.wave!.to, [...json.wave!.jobs].sort()]).toEqual(['kubernetes', moving]);
  const after = (j: Job) => (moving.includes(j.name) ? 'kubernetes' : j.backend);
  for (const s of json.wave!.systems) expectSystem(s, count(jobs, s.system, json.window.from, json.window.until, 8, after), capacities[s.system]);

  // The breaches: minutes of Kubernetes above 4 after the wave that the wave added to.
  const before = count(jobs, 'kubernetes', json.window.from, json.window.until, 8).perMinute;
  const afterK = count(jobs, 'kubernetes', json.window.from, json.window.until, 8, after).perMinute;
  const breached = [...afterK].filter(([t, names]) => names.length > 4 && names.length > (before.get(t)?.length ?? 0)).map(([t]) => t);
  expect(breached.length).toBeGreaterThan(0);
  expect(json.wave!.breaches.map((b) => Date.parse(b.minute)).sort((a, b) => a - b)).toEqual(breached.sort((a, b) => a - b));
  for (const b of json.wave!.breaches) {
    const t = Date.parse(b.minute);
    expect([b.system, b.before, b.after, b.capacity, b.moving]).toEqual(['kubernetes', before.get(t)?.length ?? 0, afterK.get(t)!.length, 4, afterK.get(t)!.filter((n) => moving.includes(n))]);
  }

  const table = await runCli(['load', '-l', 'tier=low', '--to', 'k8s'], { cwd: dir, clock: new FixedClock(NOW) });
  expect(table.stdout).toMatch(/^Runs started per minute from 2026-11-25T10:08:00Z to 2026-11-26T10:08:00Z \(1 day\), \d+ definitions:/);
  expect(table.stdout).toMatch(/\n {2}Kubernetes +\d+ \(\+\d+\) +\d+ \(\+\d+\) +\d+ \(\+\d+\) +4 +\d+ \(\+\d+\)\n/);
  expect(table.stdout).toMatch(/\nThe wave pushes \d+ minutes of Kubernetes above its capacity \(move warns; move --strict refuses\):\n {2}! kubernetes starts \d+ runs at \S+, above its capacity of 4 a minute/);
  expect(table.stdout).toMatch(/\n {2}Chronos +\|[▁▂▃▄▅▆▇█ ]{24}\| {2}peak \d+ at \d\dh \(capacity 3, full height\)\n/);
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('500 generated jobs: the busiest minutes (minute 0 of the hour) and every figure match an independent count; a wave that crosses capacity is flagged', async () => {
  const next = random(15);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const int = (n: number) => Math.floor(next() * n);
  const files: Record<string, string> = {};
  for (let i = 0; i < 500; i++) {
    const schedule = pick([
      () => `0 * * * *`, () => `0 * * * *`, () => `${int(60)} * * * *`, () => `*/${pick([5, 10, 15, 30])} * * * *`,
      () => `${pick([0, 0, 30, int(60)])} ${int(24)} * * *`, () => `0 */${pick([2, 3, 4, 6])} * * *`, () => `${int(60)} ${int(24)} * * ${int(7)}`,
      () => `15 9 * * 1-5`, () => `0 6 1 * *`,
    ])();
    const name = `job-${String(i).padStart(3, '0')}`;
    files[`${name}.yaml`] = [
      `name: ${name}`, `backend: ${pick(['chronos', 'chronos', 'kubernetes'])}`, `schedule: "${schedule}"`,
      `timezone: ${pick(['Etc/UTC', 'Etc/UTC', 'Europe/Berlin', 'America/New_York'])}`, 'command: [/bin/true]', `tier: ${pick(['low', 'medium', 'high'])}`,
      ...(i % 50 === 7 ? ['paused: true'] : []), '',
    ].join('\n');
  }
  const dir = project(files, 'defaults:\n  image: registry.example.com/app:1.2\ncapacity:\n  startsPerMinute:\n    kubernetes: 60\n');
  const jobs = readJobs(dir, 'Etc/UTC');
  expect(jobs).toHaveLength(500);

  const json = await load(dir, '-l', 'tier=low', '--to', 'kubernetes', '--top', '10');
  for (const s of json.systems) expectSystem(s, count(jobs, s.system, json.window.from, json.window.until, 10), s.system === 'kubernetes' ? 60 : undefined);
  // Many jobs fire at minute 0 of every hour: that is where the busiest minutes are.
  for (const s of json.systems) expect(s.busiest.every((m) => m.minute.slice(14, 16) === '00')).toBe(true);
  const moving = jobs.filter((j) => j.tier === 'low' && j.backend !== 'kubernetes').map((j) => j.name);
  const after = (j: Job) => (moving.includes(j.name) ? 'kubernetes' : j.backend);
  for (const s of json.wave!.systems) expectSystem(s, count(jobs, s.system, json.window.from, json.window.until, 10, after), s.system === 'kubernetes' ? 60 : undefined);
  expect(json.wave!.systems.find((s) => s.system === 'kubernetes')!.peak).toBeGreaterThan(60);
  const before = count(jobs, 'kubernetes', json.window.from, json.window.until, 10).perMinute;
  const afterK = count(jobs, 'kubernetes', json.window.from, json.window.until, 10, after).perMinute;
  const breached = [...afterK].filter(([t, names]) => names.length > 60 && names.length > (before.get(t)?.length ?? 0)).map(([t]) => t).sort((a, b) => a - b);
  expect(breached.length).toBeGreaterThan(0);
  expect(json.wave!.breaches.map((b) => Date.parse(b.minute)).sort((a, b) => a - b)).toEqual(breached);
});

test('capacity.startsPerMinute is checked: a backend it does not know and a count that is not a whole number are errors', async () => {
  const dir = project({ 'a.yaml': 'name: a\nbackend: chronos\nschedule: "0 * * * *"\ncommand: [/bin/true]\n' }, 'capacity:\n  startsPerMinute:\n    mesos: 3\n    k8s: 2.5\n');
  const r = await runCli(['load'], { cwd: dir, clock: new FixedClock(NOW) });
  expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error: migrate.yaml has problems; fix them first')]);
  expect(r.stderr).toContain('capacity.startsPerMinute.mesos: not a backend (chronos, kubernetes (k8s))');
  expect(r.stderr).toContain('capacity.startsPerMinute.k8s must be a whole number of runs a minute, at least 1');
  const noTo = await runCli(['load', '-l', 'tier=low'], { cwd: project({}, ''), clock: new FixedClock(NOW) });
  expect([noTo.code, noTo.stderr]).toEqual([1, expect.stringContaining('error: a wave needs --to: where its jobs would go')]);
  const noWave = await runCli(['load', '--to', 'k8s'], { cwd: project({}, ''), clock: new FixedClock(NOW) });
  expect([noWave.code, noWave.stderr]).toEqual([1, expect.stringContaining('error: --to k8s needs a wave: name its jobs or select them with -l')]);
});
