/**
 * A wave's moves start long after its plans read: they share reads made again as they go
 * (`waveReads`), instead of each reading both systems under its lock.
 */
import { waveReads, sidesFor, type MoveTarget } from '../../src/actions/move-setup.js';
import { openConnections } from '../../src/cli/connections.js';
import type { GlobalArgs } from '../../src/cli/global-args.js';
import type { CliIO } from '../../src/cli/io.js';
import { loadWorkspace } from '../../src/cli/workspace.js';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
let repo: SandboxRepo;
afterEach(() => repo.close());

const low = (name: string) => jobYaml(name, 'chronos', SCHEDULE, { lines: 'tier: low' });
const calls = () => repo.sandbox.ctx.requests.all().map((r) => `${r.system} ${r.method} ${r.path}`);

test('a wave with --yes reads each job under its lock from listings shared by the wave, and keeps every slot once', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { a: low('a'), b: low('b'), c: low('c') } });
  repo.sandbox.ctx.requests.clear();
  const r = await repo.cli('move', '-l', 'tier=low', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('3 done, 0 failed or refused.')]);
  const made = calls();
  // No job's own read of either system: each job's Chronos read is its read back after the disable.
  expect(made.filter((c) => /^kubernetes GET .*\/cronjobs\/[a-c]$/.test(c))).toEqual([]);
  expect(made.filter((c) => /^chronos GET .*\/job\/[a-c]$/.test(c)).sort()).toEqual(['a', 'b', 'c'].map((j) => `chronos GET /v1/scheduler/job/${j}`));
  // The runs in flight are read once per reading of the wave, not once per job.
  expect(made.filter((c) => c.endsWith('/jobs/summary')).length).toBeLessThanOrEqual(2);
  await repo.advance(3600);
  for (const job of ['a', 'b', 'c']) {
    const v = await repo.verdict(job, { after: new Date('2026-11-25T10:07:00Z'), schedule: SCHEDULE });
    expect(v.problems).toEqual([]);
  }
});

test('the reads are shared while they are younger than the refresh interval, and made again after it', async () => {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs: { a: low('a'), b: low('b') } });
  const io: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: repo.env, cwd: repo.dir, clock: repo.sandbox.ctx.clock };
  const args = { 'jobs-dir': 'jobs', config: 'migrate.yaml', color: false, yes: true, debug: false } as GlobalArgs;
  const ws = loadWorkspace(io, args);
  const connections = openConnections(io, args, ws.project);
  const target = (name: string): MoveTarget => ({ definition: ws.definitions.find((d) => d.job.name === name)!, from: 'chronos', to: 'kubernetes', operation: 'move' });
  const reads = waveReads(connections, repo.sandbox.ctx.clock, 1000);
  repo.sandbox.ctx.requests.clear();

  const [a, b] = await Promise.all([reads(target('a')), reads(target('b'))]);
  const listings = () => calls().filter((c) => c.endsWith('/scheduler/jobs') || c.endsWith('/cronjobs') || c.endsWith('/jobs/summary'));
  expect(listings()).toHaveLength(3);
  expect(a?.from).toEqual(b?.from);
  expect(a?.live.chronos).toEqual(await sidesFor(connections, target('a').definition.job).chronos.read());
  expect(a?.live.kubernetes).toBeUndefined();
  expect(a?.runsInFlight).toEqual([]);

  await reads(target('a'));
  expect(listings()).toHaveLength(3);
  repo.sandbox.ctx.clock.advance(1.5);
  const later = await reads(target('b'));
  expect(listings()).toHaveLength(6);
  expect(later!.from.getTime() - a!.from.getTime()).toBe(1500);
});
