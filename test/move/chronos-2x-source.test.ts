/**
 * Chronos 2.x (the `/scheduler` prefix: no summary, no GET of one job) as the source of a move of a
 * `concurrency: forbid` job: its running tasks are read from `/graph/csv`, so the move waits for a
 * run in flight and hands over with every slot run once.
 */
import { CHRONOS_2_PREFIX } from '../../backends/chronos/stand-in.js';
import { DEFAULT_PROJECT, jobYaml, startSandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
const HANDOFF_SLOT = Date.parse('2026-11-25T10:15:00Z');
const job = (runSeconds: number) => jobYaml('job', 'chronos', SCHEDULE, { lines: `concurrency: forbid\nenv: {SANDBOX_RUN_SECONDS: "${runSeconds}"}` });
const legacy = (runSeconds: number) =>
  startSandboxRepo({
    start: START,
    jobs: { job: job(runSeconds) },
    project: `${DEFAULT_PROJECT}chronos:\n  apiPrefix: ${CHRONOS_2_PREFIX}\n`,
    chronos: { prefix: CHRONOS_2_PREFIX },
  });

test('a forbid job on Chronos 2.x moves to Kubernetes: every slot once, Chronos before the handoff, Kubernetes after', async () => {
  const repo = await legacy(30);
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z');
    const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, expect.stringContaining('1 done, 0 failed'), expect.not.stringMatching(/warning|FAILED/)]);
    expect(repo.readJob('job')).toContain('backend: kubernetes');
    expect(repo.journal().map((x) => (x.kind === 'step' ? x.step : x.kind))).toContain('target-enabled');
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: (s) => (s.getTime() < HANDOFF_SLOT ? 'chronos' : 'kubernetes') });
    expect(v.problems).toEqual([]);
    expect(v.runs.filter((x) => x.system === 'kubernetes').length).toBeGreaterThan(0);
  } finally {
    await repo.close();
  }
});

test('a run in flight on Chronos 2.x is seen as running: the move waits for it to end, then hands over', async () => {
  const repo = await legacy(200);
  try {
    await repo.advanceTo('2026-11-25T10:12:30Z'); // the 10:10 run lasts until 10:13:20
    const r = await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('1 done, 0 failed')]);
    expect(r.stdout).toContain('Runs in flight on chronos: job#1');
    expect(r.stderr).toMatch(/waiting \d+ s: the source is still running \(concurrency forbid\): waiting for it to finish/);
    await repo.advance(3600);
    const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE, system: (s) => (s.getTime() < HANDOFF_SLOT ? 'chronos' : 'kubernetes') });
    expect(v.problems).toEqual([]);
    // The 10:10 run ended before Kubernetes' first run began: no overlap.
    const chronosEnd = Date.parse('2026-11-25T10:13:20Z');
    expect(v.runs.filter((x) => x.system === 'kubernetes').every((x) => Date.parse(x.startedAt) >= chronosEnd)).toBe(true);
  } finally {
    await repo.close();
  }
});
