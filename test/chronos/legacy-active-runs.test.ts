/**
 * Running tasks on Chronos 2.x (`/scheduler`): no summary, so `/graph/csv`, whose state column is
 * `idle`, `queued` or `running` without a count (Exporter and JobStats at 2.5.1).
 */
import { ChronosNotFoundError } from '../../backends/chronos/client.js';
import { readChronosJob } from '../../backends/chronos/model.js';
import { CHRONOS_2_PREFIX } from '../../backends/chronos/stand-in.js';
import { startChronos, T0, type TestChronos } from './helpers.js';

const job = (name: string, concurrent = false) =>
  readChronosJob({ name, command: 'echo hi', schedule: 'R/2026-05-02T08:00:00Z/PT1H', concurrent, environmentVariables: [{ name: 'SANDBOX_RUN_SECONDS', value: '120' }] }, { now: T0 });

let old: TestChronos;
beforeEach(async () => {
  old = await startChronos({ prefix: CHRONOS_2_PREFIX });
});
afterEach(() => old.close());

test('the 2.x stand-in writes a running job as a bare "running" in /graph/csv', async () => {
  const client = old.client({ prefix: CHRONOS_2_PREFIX });
  await client.post(job('busy', true));
  await client.post(job('quiet'));
  await client.start('busy');
  await client.start('busy');
  expect(await (await old.fetch(`${CHRONOS_2_PREFIX}/graph/csv`)).text()).toBe('node,busy,fresh,running\nnode,quiet,fresh,idle\n');
});

test('activeRuns on 2.x: one run while the job runs (however many tasks), none once it ended; an unknown job is not found', async () => {
  const client = old.client({ prefix: CHRONOS_2_PREFIX });
  await client.post(job('run'));
  expect(await client.activeRuns('run')).toEqual([]);
  await client.start('run');
  expect(await client.activeRuns('run')).toEqual([{ id: 'run#1' }]);
  old.ctx.clock.advance(121);
  expect(await client.activeRuns('run')).toEqual([]);
  await expect(client.activeRuns('ghost')).rejects.toBeInstanceOf(ChronosNotFoundError);
});
