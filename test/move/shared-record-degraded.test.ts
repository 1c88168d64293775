/**
 * When the cluster's record of moves cannot be used: RBAC that forbids ConfigMaps, or a cluster
 * that does not answer for them, leaves each clone with its own journal (today's behaviour) and
 * one warning line, never an error; a record that other writers keep overwriting first fails the
 * append, and the move stops before it changes anything.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';
import { secondClone } from '../helpers/second-clone.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let a: SandboxRepo;
let b: SandboxRepo;
beforeEach(async () => {
  a = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  b = secondClone(a);
  await a.advanceTo('2026-11-25T10:12:30Z');
});
afterEach(async () => {
  await b.close();
  await a.close();
});

async function everySlotOnce(system: (slot: Date) => 'chronos' | 'kubernetes'): Promise<void> {
  await a.advance(3600);
  const v = await a.verdict('job', { after: new Date(START), schedule: SCHEDULE, system });
  expect(v.problems).toEqual([]);
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.includes('warning'));

test.each([
  ['forbids ConfigMaps (403)', 403, /\[job\] warning: ConfigMap default\/migrate-moves-job cannot be read \(the credentials of context "[^"]+" lack "get" on configmaps in namespace default\); only this clone's journal is used, and moves made from other clones are not seen$/],
  ['does not answer for them (503)', 503, /\[job\] warning: ConfigMap default\/migrate-moves-job cannot be read \(get ConfigMap default\/migrate-moves-job failed: 503 ServiceUnavailable\); only this clone's journal is used, and moves made from other clones are not seen$/],
])('a cluster that %s: the move is made and journalled locally, with one warning', async (_, status, warning) => {
  await a.fault({ system: 'kubernetes', path: '/configmaps', status, times: 1000 });
  const moved = await a.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(moved.code).toBe(0);
  expect(warnings(moved.stderr)).toEqual([expect.stringMatching(warning)]);
  expect(a.journal().filter((r) => r.kind === 'done')).toHaveLength(1);

  // B sees what it saw before the record existed: a drift, and nothing in its journal.
  const status_ = await b.cli('status', 'job', '-o', 'json');
  expect(status_.code).toBe(1);
  expect(warnings(status_.stderr)).toEqual([expect.stringMatching(/^warning: ConfigMap default\/migrate-moves-job cannot be read \(.*\); showing this clone's journal only for job$/)]);
  expect(JSON.parse(status_.stdout)).toMatchObject([{ verdict: 'drift', reason: 'runs on kubernetes, but the definition says chronos: `migrate move job --to chronos`, or fix backend:' }]);
  const history = await b.cli('history', 'job');
  expect([history.code, history.stdout]).toEqual([0, 'No moves of job in the journal.\n']);
  await a.clearFaults();
  await everySlotOnce((slot) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') ? 'chronos' : 'kubernetes'));
});

test('a record that stops answering after the move began: the rest of the move goes to the journal file alone, with one warning', async () => {
  // The first record creates the ConfigMap; every later write of it gets no answer.
  await a.fault({ system: 'kubernetes', method: 'PUT', path: '/configmaps', status: 503, times: 1000 });
  const moved = await a.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(moved.code).toBe(0);
  expect(warnings(moved.stderr)).toEqual([
    expect.stringMatching(/^\[job\] warning: ConfigMap default\/migrate-moves-job cannot be written \(.*503.*\); this move is recorded in journal\.jsonl only: commit and push it so that others see the move$/),
  ]);
  // The cluster holds the move's beginning: B is told to look (in flight), not told it is done.
  expect(JSON.parse((await b.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ verdict: 'in-flight' }]);
  await a.clearFaults();
  await everySlotOnce((slot) => (slot.getTime() < Date.parse('2026-11-25T10:15:00Z') ? 'chronos' : 'kubernetes'));
});

test('writers that keep getting to the record first: the append fails, and the move stops with nothing changed', async () => {
  // The record's first write creates it: the other writers get there first from that write on.
  await a.fault({ system: 'kubernetes', method: 'POST', path: '/configmaps', status: 409, times: 1000 });
  await a.fault({ system: 'kubernetes', method: 'PUT', path: '/configmaps', status: 409, times: 1000 });
  const moved = await a.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
  expect(moved.code).toBe(1);
  expect(`${moved.stdout}${moved.stderr}`).toContain('ConfigMap default/migrate-moves-job changed under each of');
  expect(a.readJob('job')).toContain('backend: chronos');
  await a.clearFaults();
  expect(JSON.parse((await a.cli('status', 'job', '-o', 'json')).stdout)).toMatchObject([{ chronos: { enabled: true }, kubernetes: { present: false } }]);
  await everySlotOnce(() => 'chronos');
});
