/**
 * A rollback restores the system it returns to as it was before the move, fields the definition
 * does not carry included: from the copy the move left disabled, or, when that copy was deleted
 * meanwhile, from the journal's before-snapshot.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const SCHEDULE = '*/5 * * * *';
const START = '2026-11-25T10:07:00Z';
let repo: SandboxRepo;
afterEach(() => repo.close());

async function chronos(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${repo.chronosUrl}/v1/scheduler${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
}

test.each([
  ['the disabled copy is still there', false],
  ['the disabled copy was deleted by hand', true],
])('rollback to Chronos when %s keeps the hand-set fields', async (_name, deleteCopy) => {
  repo = await startSandboxRepo({ start: START, jobs: { job: jobYaml('job', 'chronos', SCHEDULE) } });
  // Fields the definition does not carry, set on the live Chronos job by hand.
  const live = (await (await chronos('GET', '/job/job')).json()) as Record<string, unknown>;
  expect((await chronos('POST', '/iso8601', { ...live, highPriority: true, ownerName: 'Payments on-call' })).status).toBe(204);
  expect((await repo.cli('move', 'job', '--to', 'k8s', '--yes', '--advance-sandbox')).code).toBe(0);
  await repo.advance(20 * 60);
  if (deleteCopy) expect((await chronos('DELETE', '/job/job')).status).toBe(204);

  const r = await repo.cli('rollback', 'job', '--yes', '--advance-sandbox');
  expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('done: job: now on chronos')]);
  const back = (await (await chronos('GET', '/job/job')).json()) as Record<string, unknown>;
  expect(back).toMatchObject({ disabled: false, highPriority: true, ownerName: 'Payments on-call' });

  await repo.advance(30 * 60);
  const v = await repo.verdict('job', { after: new Date(START), schedule: SCHEDULE });
  expect(v.problems).toEqual([]);
});
