/**
 * Dependent jobs: on Chronos, `report-after-etl` runs after each run of `shell-etl` (posted to
 * /dependency with `parents`), and `archive-report` after each run of that. A CronJob cannot start
 * a Chronos job, so moving `shell-etl` away stops both: import says so, status shows the chain,
 * and the move is refused, naming them and what to do, unless --orphan-dependents.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const START = '2026-11-25T10:07:00Z';
const SCHEDULE = '*/10 * * * *';

interface Row {
  readonly name: string;
  readonly declared: string | null;
  readonly verdict: string;
  readonly reason: string;
  readonly parents?: readonly string[];
  readonly links?: Record<string, { parents: readonly string[]; children: readonly string[] }>;
}

let repo: SandboxRepo;
const post = async (endpoint: string, body: unknown) => {
  const res = await fetch(`${repo.chronosUrl}/v1/scheduler/${endpoint}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  expect(res.status).toBe(204);
};
const statusRows = async () => new Map((JSON.parse((await repo.cli('status', '-o', 'json')).stdout) as Row[]).map((r) => [r.name, r]));
const chronosJob = async (name: string) => (await (await fetch(`${repo.chronosUrl}/v1/scheduler/job/${name}`)).json()) as { disabled: boolean };

beforeAll(async () => {
  repo = await startSandboxRepo({ start: START, jobs: { 'shell-etl': jobYaml('shell-etl', 'chronos', SCHEDULE) } });
  await post('dependency', { name: 'report-after-etl', command: 'report', parents: ['shell-etl'] });
  await post('dependency', { name: 'archive-report', command: 'archive', parents: ['report-after-etl'] });
  await repo.advance(25 * 60);
});
afterAll(() => repo.close());

test('the stand-in runs the chain: each child after its parent', async () => {
  const runs = await repo.runs();
  const started = (job: string) => runs.filter((r) => r.job === job).map((r) => r.startedAt);
  expect(started('shell-etl').length).toBeGreaterThanOrEqual(2);
  expect(started('report-after-etl').length).toBe(started('shell-etl').length);
  expect(started('archive-report').length).toBe(started('report-after-etl').length);
});

test('import of the parent names its dependents; a dependent itself is not imported', async () => {
  const parent = await repo.cli('import', '--from', 'chronos', 'shell-etl');
  expect(parent.code).toBe(0);
  expect(parent.stderr).toContain('warning: shell-etl: report-after-etl runs after it on chronos (dependent jobs, which no definition carries): moving it to another system stops them');
  const child = await repo.cli('import', '--from', 'chronos', 'report-after-etl');
  expect(child.code).toBe(1);
  expect(child.stderr).toContain('error: report-after-etl: a dependent job (runs after shell-etl)');
});

test('status shows the chain: the parent with its children, each dependent as a dependent (not unmanaged)', async () => {
  const rows = await statusRows();
  expect(rows.get('shell-etl')).toMatchObject({ verdict: 'ok', links: { chronos: { parents: [], children: ['report-after-etl'] } } });
  expect(rows.get('report-after-etl')).toMatchObject({ declared: null, verdict: 'dependent', parents: ['shell-etl'], reason: 'runs after shell-etl' });
  expect(rows.get('archive-report')).toMatchObject({ verdict: 'dependent', parents: ['report-after-etl'] });
  const table = await repo.cli('status');
  expect(table.stdout).toContain('  shell-etl on chronos: report-after-etl runs after it\n');
  expect(table.stdout).toMatch(/Dependent \(live, run after another job.*\n {2}chronos\/archive-report +enabled +runs after report-after-etl\n {2}chronos\/report-after-etl +enabled +runs after shell-etl\n/);
  expect(table.stdout).not.toContain('Unmanaged');
  expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('1 job: 1 ok; 2 dependent.');
});

test('moving the parent is refused, naming every job that would stop and what to do; nothing changes', async () => {
  const before = repo.readJob('shell-etl');
  const r = await repo.cli('move', 'shell-etl', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(
    'Refused: report-after-etl runs after shell-etl on chronos, and after them archive-report: kubernetes cannot start a job of chronos, so they would stop running. ' +
      "Move the chain's work into shell-etl's command (or give each dependent a schedule of its own) first, or keep the chain on chronos; or pass --orphan-dependents to move it anyway and let them stop",
  );
  expect(repo.readJob('shell-etl')).toBe(before);
  expect(await chronosJob('shell-etl')).toMatchObject({ disabled: false });
  expect(repo.journal()).toEqual([]);
});

test('--orphan-dependents: the plan names the jobs that stop', async () => {
  const human = await repo.cli('move', 'shell-etl', '--to', 'k8s', '--orphan-dependents', '--dry-run');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('  Dependent jobs on chronos, which stop running once it has moved (--orphan-dependents):\n    ! report-after-etl runs after it; after them: archive-report\n');
  const json = await repo.cli('move', 'shell-etl', '--to', 'k8s', '--orphan-dependents', '--dry-run', '-o', 'json');
  expect(JSON.parse(json.stdout)).toMatchObject([{ job: 'shell-etl', refusal: null, dependents: { children: ['report-after-etl'], further: ['archive-report'] } }]);
});

test('--orphan-dependents moves it; the dependents stop, and status says which parent stops them', async () => {
  const r = await repo.cli('move', 'shell-etl', '--to', 'k8s', '--orphan-dependents', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('done: shell-etl: now on kubernetes')]);
  const movedAt = repo.now();
  await repo.advance(3600);
  const runs = await repo.runs();
  const after = (job: string) => runs.filter((x) => x.job === job && Date.parse(x.startedAt) > movedAt.getTime());
  expect(after('shell-etl').every((x) => x.system === 'kubernetes')).toBe(true);
  expect(after('shell-etl').length).toBeGreaterThanOrEqual(5);
  expect(after('report-after-etl')).toEqual([]);
  expect(after('archive-report')).toEqual([]);
  const rows = await statusRows();
  expect(rows.get('shell-etl')).toMatchObject({ verdict: 'ok', links: { chronos: { children: ['report-after-etl'] } } });
  expect(rows.get('report-after-etl')).toMatchObject({ verdict: 'dependent', reason: 'runs after shell-etl; stopped: shell-etl is absent or switched off on chronos' });
});

test('a definition written by hand for a dependent job is not moved: it does not run on a schedule there', async () => {
  repo.writeJob('report-after-etl', jobYaml('report-after-etl', 'chronos', SCHEDULE));
  const r = await repo.cli('move', 'report-after-etl', '--to', 'k8s', '--dry-run');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Refused: report-after-etl runs after shell-etl on chronos (a dependent job), not on a schedule of its own');
});
