/**
 * A wave (a move of more than one job) reads at a glance before its question: a summary first, one
 * line per job (from -> to, handoff moment, warnings count, refused or not), the totals, the
 * warnings grouped; each job's full plan only with --details (and always in -o json / -o yaml);
 * and one closing `Plan: N jobs to move, M refused.` line. One job prints as it always has.
 */
import { parse } from 'yaml';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/15 * * * *';
let repo: SandboxRepo;
beforeAll(async () => {
  repo = await startSandboxRepo({
    start: '2026-11-25T10:07:00Z',
    jobs: {
      labelled: jobYaml('labelled', 'kubernetes', SCHEDULE, { lines: 'tier: low\nlabels: {team: core}' }),
      // Refused: Chronos has no concurrency replace.
      replacing: jobYaml('replacing', 'kubernetes', SCHEDULE, { lines: 'labels: {team: core}\nconcurrency: replace' }),
      // Refused: no Chronos schedule fires on weekdays only.
      weekdays: jobYaml('weekdays', 'kubernetes', '0 9 * * 1-5'),
      plain: jobYaml('plain', 'kubernetes', SCHEDULE, { lines: 'tier: critical' }),
    },
  });
});
afterAll(() => repo.close());

const WAVE = ['move', 'plain', 'weekdays', 'replacing', 'labelled', '--to', 'chronos', '--dry-run'];
const HEADINGS = /^Move (\S+): kubernetes -> chronos$/gm;
const planLines = (text: string) => text.split('\n').filter((l) => l.startsWith('Plan:'));

describe('a wave of four jobs, two refused', () => {
  test('the summary: one line per job in the order they go (least important first), the totals, the warnings grouped, the refusals, one Plan line', async () => {
    const r = await repo.cli(...WAVE);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const table = lines.indexOf('Move 4 jobs, in this order:');
    expect(table).toBe(0);
    expect(lines.slice(2, 7)).toEqual([
      expect.stringMatching(/^ {2}JOB +FROM -> TO +HANDOFF \(SERVER CLOCK\) +WARNINGS +PLAN$/),
      expect.stringMatching(/^ {2}labelled +kubernetes -> chronos +2026-11-25T10:07:00Z \(now\) +1 +move$/),
      expect.stringMatching(/^ {2}weekdays +kubernetes -> chronos +- +0 +refused$/),
      expect.stringMatching(/^ {2}replacing +kubernetes -> chronos +- +2 +refused$/),
      expect.stringMatching(/^ {2}plain +kubernetes -> chronos +2026-11-25T10:07:00Z \(now\) +0 +move$/),
    ]);
    expect(r.stdout).toContain('\nTotals: 4 jobs: 2 to move, 2 refused; 3 translation warnings in 2 jobs.\n');
    expect(r.stdout).toContain(
      '\nTranslation warnings, each once with its jobs:\n' +
        '  ! dropped in translation: labels have no Chronos equivalent (2 jobs: labelled, replacing)\n' +
        '  ! dropped in translation: concurrency replace has no Chronos equivalent; Chronos will forbid overlap instead (replacing)\n',
    );
    expect(r.stdout).toMatch(/\nRefused \(nothing changes for these\):\n {2}weekdays: Chronos cannot run this schedule exactly: [^\n]+\n {2}replacing: [^\n]+\n/);
    // No job's full plan: no diff, no per-job heading, no per-job Plan line.
    expect(r.stdout).not.toContain('--- LIVE');
    expect([...r.stdout.matchAll(HEADINGS)]).toEqual([]);
    expect(planLines(r.stdout)).toEqual(['Plan: 2 jobs to move, 2 refused.']);
    expect(r.stdout).toMatch(/: --details, or -o json \/ -o yaml\.\n\nPlan: 2 jobs to move, 2 refused\.\n\nDry run: nothing changed\. 2 of 4 would be refused\.\n$/);
  });

  test('--details: the same summary first, then every job’s full plan, and still one Plan line, at the end', async () => {
    const summary = (await repo.cli(...WAVE)).stdout;
    const r = await repo.cli(...WAVE, '--details');
    expect(r.code).toBe(1);
    const head = summary.slice(0, summary.indexOf('Each job'));
    expect(r.stdout.startsWith(head)).toBe(true);
    expect([...r.stdout.matchAll(HEADINGS)].map((m) => m[1])).toEqual(['labelled', 'weekdays', 'replacing', 'plain']);
    expect(r.stdout.indexOf('Move labelled:')).toBeGreaterThan(r.stdout.indexOf('Totals:'));
    expect(r.stdout.match(/--- LIVE kubernetes\/default\/\w+\n/g)).toHaveLength(4);
    expect(r.stdout).toMatch(/\n {2}Runs in flight on kubernetes: none\n\nRefused: replacing cannot run on chronos/);
    expect(planLines(r.stdout)).toEqual(['Plan: 2 jobs to move, 2 refused.']);
    expect(r.stdout).toMatch(/\nPlan: 2 jobs to move, 2 refused\.\n\nDry run: nothing changed\. 2 of 4 would be refused\.\n$/);
  });

  test.each<[string, (text: string) => unknown]>([
    ['json', (text) => JSON.parse(text)],
    ['yaml', (text) => parse(text)],
  ])('-o %s: every job’s full plan, and nothing of the summary', async (format, read) => {
    const r = await repo.cli(...WAVE, '-o', format);
    expect(r.code).toBe(1);
    const plans = read(r.stdout) as { job: string; sourceDiff: string; targetDiff: string; refusal: string | null }[];
    expect(plans.map((p) => [p.job, p.refusal === null])).toEqual([['labelled', true], ['weekdays', false], ['replacing', false], ['plain', true]]);
    expect(plans.every((p) => p.sourceDiff.startsWith('--- LIVE'))).toBe(true);
    expect(r.stdout).not.toContain('Totals:');
  });
});

test('a wave with nothing refused and no warnings: zeros said, and it goes ahead once asked', async () => {
  const wave = ['move', 'plain', 'labelled', '--to', 'chronos'];
  repo.writeJob('labelled', jobYaml('labelled', 'kubernetes', SCHEDULE, { lines: 'tier: low' }));
  const asked: string[] = [];
  const r = await repo.cliWith([...wave, '--advance-sandbox'], { prompt: async (q) => (asked.push(q), 'yes') });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('\nTotals: 2 jobs: 2 to move, 0 refused; 0 translation warnings.\n');
  expect(r.stdout).not.toContain('Translation warnings, each once');
  expect(r.stdout).not.toContain('Refused');
  expect(r.stdout).toContain('\nPlan: 2 jobs to move, 0 refused.\n');
  expect(asked).toEqual([expect.stringMatching(/^Move 2 jobs as planned above\?/)]);
  expect(r.stdout).toContain('2 done, 0 failed or refused.');
});

test('one job prints its full plan, with its own Plan line, and no summary', async () => {
  const r = await repo.cli('move', 'weekdays', '--to', 'chronos', '--dry-run');
  expect(r.stdout).toMatch(/^Move weekdays: kubernetes -> chronos\n/);
  expect(r.stdout).toContain('--- LIVE kubernetes/default/weekdays');
  expect(r.stdout).not.toContain('Totals:');
  expect(r.stdout).toMatch(/\nRefused: Chronos cannot run this schedule exactly: [^\n]+\n\nDry run: nothing changed\. 1 of 1 would be refused\.\n$/);
});
