/**
 * Two faults in one move, found by the soak (bench/soak.ts, seed 20261975 under heavy load, where
 * a 1 s timeout of the Lease renewal stood in for the refusal here): the source's disable gets no
 * answer and is being settled when the lock's renewal fails. The move must not put the source
 * back while that disable may still land (it did, before the fix, and the disable landed 18 s later
 * on the copy it had re-enabled: the job ran nowhere, and `status` said ok in between).
 */
import { FaultBench, outputsOf } from '../../bench/faults/harness.js';

const START = new Date('2026-11-25T10:07:00Z');

test('move chronos -> kubernetes: the disable held 20 s, the first renewal of the lock refused (500) while settling it: the job still runs exactly once', async () => {
  const bench = await FaultBench.start({ schedule: '*/5 * * * *', start: START, on: 'chronos', requestTimeoutMs: 1000 });
  try {
    bench.advanceTo(new Date('2026-11-25T10:12:30Z'));
    bench.sandbox.ctx.faults.add({ system: 'chronos', method: '^POST$', path: '^/v1/scheduler/iso8601$', mode: 'hold', until: '2026-11-25T10:12:50Z', times: 1 });
    bench.sandbox.ctx.faults.add({ system: 'kubernetes', method: '^PUT$', path: '/leases/', status: 500, times: 1 });
    const result = await bench.operate('move');
    const recovery = await bench.recover('resume');
    bench.advance(3600);
    // The scenario happened: the disable was held past its client and landed, the renewal was refused.
    expect(bench.sandbox.ctx.faults.report()).toMatchObject({
      faults: [{ fired: 1 }, { fired: 1 }],
      held: [{ state: 'landed', releasedAt: '2026-11-25T10:12:50Z', clientGaveUpAt: expect.any(String) }],
    });
    const judgement = bench.judge(START, outputsOf({ id: '', result, recovery, scenario: [] }), await bench.status());
    expect(judgement.problems).toEqual([]);
  } finally {
    await bench.close();
  }
});
