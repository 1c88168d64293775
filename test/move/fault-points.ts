/**
 * The fault-point suite (issue 11, item 8), shared by test/move/fault-points-*.test.ts: for an
 * operation in both directions, the API calls of a clean run are recorded from the sandbox's
 * request log; then, for every call, one case per fault kind (bench/faults/harness.ts,
 * `FaultKind`): refused with a 500, applied with its answer lost, held until 30 virtual seconds
 * after it arrived (its client gave up after 1 s; it lands at the next slot's instant), and the
 * process killed just before it (the call never lands) or, for a write, while it is in flight
 * (it lands 30 s later). Each case then recovers as docs/runbook.md says (`status`, then
 * `resume` while in-flight), lets a quarter of an hour pass, and judges the run ledger with the
 * demo's check: no slot missed unless the output named it lost, none doubled, none late, none
 * unexpected; the job enabled in exactly one system, the one its definition file declares. Each
 * case also checks that its fault happened as aimed (the call it took, and what became of it).
 * The cases of one file run concurrently (jest's test.concurrent): a held call's client waits 1 s
 * of real time, which the other cases use.
 */
import { describeCall, faultPoint, faultsFor, other, prepareOperation, type Command, type PreparedOperation } from '../../bench/faults/harness.js';
import type { SystemName } from '../../src/sandbox/ledger.js';

const SCHEDULE = '*/5 * * * *';
const START = new Date('2026-11-25T10:07:00Z');
/**
 * 30 s before the 10:15 slot, the last instant whose handoff is at once. A write held 30 s lands
 * at the slot's very instant, after that slot's launch (the sandbox starts the runs due at an
 * instant first), and a process settling it, reading every 2 s from here, sees it in that same
 * second: the hardest moment for a late write.
 */
const MOVE_AT = new Date('2026-11-25T10:14:30Z');
/** The rollback, ten minutes later, at the same point before the 10:25 slot. */
const ROLLBACK_AT = new Date('2026-11-25T10:24:30Z');
/**
 * The operator resumes the killed move two minutes after it died: its announced write can no
 * longer land, and the 10:15 slot passed while the job ran nowhere (the resume recovers it).
 * (Waiting for a write that may still land is covered by every kill of the other operations.)
 */
const RESUME_AT = new Date('2026-11-25T10:16:30Z');

/** The operation from both sides, prepared (its state and its clean run's calls) before any case runs. */
export async function prepare(command: Command): Promise<readonly PreparedOperation[]> {
  return Promise.all(
    (['chronos', 'kubernetes'] as const).map((on) =>
      prepareOperation(command, { schedule: SCHEDULE, start: START, on, requestTimeoutMs: 1000 }, { moveAt: MOVE_AT, ...(command === 'rollback' ? { at: ROLLBACK_AT } : command === 'resume' ? { at: RESUME_AT } : {}) }),
    ),
  );
}

const direction = (p: PreparedOperation): string => {
  const on: SystemName = p.options.on;
  return p.command === 'rollback' ? `${other(on)} -> ${on} (undoing ${on} -> ${other(on)})` : `${on} -> ${other(on)}`;
};

export function faultPointSuite(prepared: readonly PreparedOperation[]): void {
  for (const p of prepared) {
    describe(`${p.command} ${direction(p)}: ${p.calls.length} calls`, () => {
      test('the clean run keeps the promise', () => {
        expect(p.clean.explanation).toBe('');
        expect(p.clean.run.result.code).toBe(0);
      });

      for (const fault of faultsFor(p.calls)) {
        test.concurrent(`${fault.kind} at call ${fault.index} (${describeCall(p.calls[fault.index]!)})`, async () => {
          const r = await faultPoint(p.base, p.options, { command: p.command, calls: p.calls, fault, since: START });
          expect(r.explanation).toBe('');
        });
      }
    });
  }
}
