/**
 * `migrate demo` end to end: in-process (to read its ledger and journal as data and judge them
 * with the move test bench's own checker), and once as the built binary, the way the README
 * runs it. Both run at the same time to keep this file short.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoHost } from '../../src/cli/commands/demo.js';
import { run } from '../../src/cli/run.js';
import type { CliIO } from '../../src/cli/io.js';
import { FixedClock } from '../../src/core/clock.js';
import type { BeginRecord } from '../../src/core/journal.js';
import { DEMO_START, runDemo } from '../../src/demo/demo.js';
import { runCli } from '../helpers/cli.js';
import { checkLedger } from '../helpers/sandbox-repo.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(root, 'dist/src/cli/main.js');

interface Captured {
  readonly io: CliIO;
  readonly text: () => string;
}

function capture(): Captured {
  let text = '';
  const write = { write: (t: string) => void (text += t) };
  return { io: { stdout: write, stderr: write, isTTY: false, env: {}, cwd: root, clock: new FixedClock('2030-01-01T00:00:00Z') }, text: () => text };
}

function runBinary(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No KUBECONFIG, no Chronos URL, no network: the demo brings its own world.
    const child = spawn(process.execPath, [binary, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sections = (job: string, to: string) => [
  '== 1. The sandbox',
  '$ migrate apply --yes',
  '$ migrate status',
  `$ migrate move ${job} --to ${to} --yes --advance-sandbox`,
  'Handoff at',
  '== 5. An hour passes',
  `$ migrate rollback ${job} --yes --advance-sandbox`,
  `$ migrate history ${job}`,
  "== 9. The run ledger's verdict",
  '== 10. The objectives, as the systems themselves tell them',
  '$ migrate slo --since ',
];

/**
 * A few of the shipped examples, for the in-process runs: every command lints and renders every
 * job, and the year-long schedule proof of an every-minute job dominates the run time. The binary
 * below runs the full set.
 */
function examplesWith(dir: string, jobs: readonly string[]): string {
  mkdirSync(path.join(dir, 'jobs'), { recursive: true });
  copyFileSync(path.join(root, 'migrate.yaml'), path.join(dir, 'migrate.yaml'));
  for (const j of jobs) copyFileSync(path.join(root, 'jobs', `${j}.yaml`), path.join(dir, 'jobs', `${j}.yaml`));
  return dir;
}

function repositoryOf(output: string): string {
  const m = /repository {2}(\S+)/.exec(output);
  if (!m) throw new Error(`no repository line in:\n${output.slice(0, 2000)}`);
  return m[1]!;
}

describe('migrate demo', () => {
  const elsewhere = mkdtempSync(path.join(tmpdir(), 'migrate-demo-cwd-'));
  let built: Promise<{ code: number | null; stdout: string; stderr: string }>;

  beforeAll(() => {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: build first (npx tsc -p tsconfig.json)`);
    built = runBinary(['demo'], elsewhere);
  });
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  test('moves a job and back with every slot run exactly once, on the system that owned it', async () => {
    const { io, text } = capture();
    // invoice-sync runs at a quarter past even hours: two hours per phase give each system a slot.
    const examplesDir = examplesWith(path.join(elsewhere, 'few'), ['invoice-sync', 'session-purge', 'job-name-here', 'db-backup']);
    const result = await runDemo(io, { job: 'invoice-sync', start: DEMO_START, hourSeconds: 7200, keep: false, color: false, examplesDir }, demoHost(io, run));
    const output = text();

    expect(result.code).toBe(0);
    for (const s of sections('invoice-sync', 'kubernetes')) expect(output).toContain(s);
    for (const v of result.verdicts) {
      expect({ job: v.job, missed: v.missed, doubled: v.doubled, late: v.late, unexpected: v.unexpected }).toEqual({ job: v.job, missed: [], doubled: [], late: [], unexpected: [] });
    }
    // It really moved: the job ran on both systems.
    const moved = result.verdicts.find((v) => v.job === 'invoice-sync')!;
    expect(moved.runs.chronos).toBeGreaterThan(0);
    expect(moved.runs.kubernetes).toBeGreaterThan(0);
    expect(result.verdicts.map((v) => v.job)).toEqual(['db-backup', 'invoice-sync', 'job-name-here', 'session-purge']);

    // Judged again by the move test bench's checker, which also knows which system owns each slot:
    // Chronos up to the move's handoff, Kubernetes up to the rollback's, Chronos after.
    const begins = result.journal.filter((r): r is BeginRecord => r.kind === 'begin');
    expect(begins.map((b) => b.operation)).toEqual(['move', 'rollback']);
    expect(result.journal.filter((r) => r.kind === 'done')).toHaveLength(2);
    const [moveAt, rollbackAt] = begins.map((b) => Date.parse(b.handoff.at));
    const check = checkLedger(result.runs, 'invoice-sync', {
      after: result.window.from,
      until: result.window.until,
      schedule: '15 */2 * * *',
      system: (slot) => (slot.getTime() <= moveAt! || slot.getTime() > rollbackAt! ? 'chronos' : 'kubernetes'),
    });
    expect(check.problems).toEqual([]);
    expect(check.slots.length).toBe(moved.slots);
    // slo, from what the systems keep, agrees: nothing missed, doubled or late over the same window.
    expect(output).toMatch(/\nObjectives met over \S+ across 4 jobs: \d+ of \d+ slots started within their start window \(100\.000%, objective 99\.99%\); 0 missed, 0 doubled, 0 late;/);

    expect(existsSync(repositoryOf(output))).toBe(false);
  });

  test('a step that fails makes the demo fail, even with a clean ledger', async () => {
    // weekday-digest (09:00 on weekdays) has no constant period: Chronos cannot run it, so the move is refused.
    const { io, text } = capture();
    const examplesDir = examplesWith(path.join(elsewhere, 'refused'), ['weekday-digest', 'session-purge']);
    const result = await runDemo(io, { job: 'weekday-digest', start: DEMO_START, hourSeconds: 600, keep: false, color: false, examplesDir }, demoHost(io, run));
    expect(result.code).toBe(1);
    expect(text()).toContain('Refused: Chronos cannot run this schedule exactly');
    expect(text()).toContain('The demo FAILED: `migrate move weekday-digest --to chronos --yes --advance-sandbox` exited 1');
    expect(text()).not.toContain('$ migrate rollback');
    // Nothing is narrated as if the move had happened: no hour on Chronos, no rollback, no journal of two moves.
    for (const narration of ['The chronos copy now runs every slot', '== 6. Roll', '== 7. The journal', 'is back on kubernetes']) expect(text()).not.toContain(narration);
    expect(text()).toContain('== 5. weekday-digest did not move');
    expect(text()).toContain('weekday-digest still runs on kubernetes');
    expect(text()).toContain('`migrate demo` alone rehearses cache-warmer, which can move.');
    expect(result.verdicts.every((v) => v.ok)).toBe(true);
    expect(existsSync(repositoryOf(text()))).toBe(false);
  });

  test('a bad --start is a one-line error, exit 1', async () => {
    const r = await runCli(['demo', '--start', 'yesterday'], { cwd: elsewhere });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: --start yesterday is not a date\nUse RFC 3339, e.g. --start 2026-03-29T00:58:00Z.\n' });
  });

  test('an unknown --job names the jobs there are, before anything starts', async () => {
    const { io, text } = capture();
    const examplesDir = examplesWith(path.join(elsewhere, 'unknown'), ['session-purge', 'db-backup']);
    await expect(runDemo(io, { job: 'nope', start: DEMO_START, hourSeconds: 600, keep: false, color: false, examplesDir }, demoHost(io, run))).rejects.toMatchObject({
      summary: 'the examples have no job named "nope"',
      detail: 'Pick one of: db-backup, session-purge',
    });
    expect(text()).toBe('');
  });

  test('the built binary runs it from any directory, exits 0 and prints the verdict', async () => {
    const { code, stdout, stderr } = await built;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const s of sections('cache-warmer', 'kubernetes')) expect(stdout).toContain(s);
    const table = stdout.slice(stdout.indexOf("== 9. The run ledger's verdict"), stdout.indexOf('== 10. The objectives'));
    const rows = table.split('\n').slice(1).filter((l) => /^[a-z][a-z0-9-]+\s+\d/.test(l));
    expect(rows).toHaveLength(11);
    for (const row of rows) expect(row).toMatch(/\s0\s+0\s+0\s+exactly once$/);
    expect(stdout).toMatch(/Verdict: \d+ slots across 11 jobs, every one run exactly once/);
    // The demo ends with slo over its window: every objective met, as the ledger says.
    const slo = stdout.slice(stdout.indexOf('$ migrate slo --since '));
    const sloRows = slo.split('\n').filter((l) => /^[a-z][a-z0-9-]+\s+\d/.test(l));
    expect(sloRows).toHaveLength(11);
    for (const row of sloRows) expect(row).toMatch(/\s0\s+0\s+0\s+\S+\s+\S+\s+\S+\s+0\s+0\s+(ok|unverified)$/);
    expect(slo).toMatch(/\nObjectives met over \S+ across 11 jobs: .*; 0 missed, 0 doubled, 0 late;/);
    expect(existsSync(repositoryOf(stdout))).toBe(false);
  });
});
