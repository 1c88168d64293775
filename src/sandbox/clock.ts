/**
 * The sandbox's one clock, shared by both stand-ins. A stand-in that schedules work registers as
 * a `TimedParticipant`: the clock asks it when it next has something due and tells it to fire.
 *
 * Virtual: time stands still until `advance(seconds)`, which walks through every due instant in
 * order (so a day of five-minute slots fires 288 times, each at its own instant).
 * Real: time is the machine's, and a ticker fires what is due.
 */
import type { ClockMode, StandInClock, TimedParticipant } from '../../backends/stand-in-contract.js';
import type { Clock } from '../core/clock.js';

export type { ClockMode, TimedParticipant };

export class SandboxClock implements Clock, StandInClock {
  private virtualNow: number;
  private readonly participants: TimedParticipant[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    readonly mode: ClockMode,
    start: Date = new Date(),
  ) {
    // Whole seconds, like every server clock a client sees through `Date`.
    this.virtualNow = Math.floor(start.getTime() / 1000) * 1000;
  }

  now(): Date {
    return this.mode === 'virtual' ? new Date(this.virtualNow) : new Date();
  }

  register(participant: TimedParticipant): void {
    this.participants.push(participant);
  }

  /** Virtual clock only: move forward, firing every due instant in order. */
  advance(seconds: number): Date {
    if (this.mode !== 'virtual') throw new Error('the sandbox clock is real; only a virtual clock can be advanced');
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('seconds must be a non-negative number');
    const target = this.virtualNow + Math.round(seconds * 1000);
    // Bounded: a participant that keeps reporting work at the same instant must not hang us.
    for (let guard = 0; guard < 10_000_000; guard++) {
      const due = this.earliestDue();
      if (due === undefined || due > target) break;
      this.virtualNow = Math.max(this.virtualNow, due);
      this.fireAll();
    }
    this.virtualNow = target;
    this.fireAll();
    return this.now();
  }

  /** Real clock only: fire what is due once a second until stopped. */
  start(): void {
    if (this.mode !== 'real' || this.ticker) return;
    this.ticker = setInterval(() => this.fireAll(), 250);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Fire whatever is due now (after a request changed state, e.g. a job posted with a past start). */
  fireAll(): void {
    const now = this.now();
    for (const p of this.participants) p.fireDue(now);
  }

  private earliestDue(): number | undefined {
    let min: number | undefined;
    for (const p of this.participants) {
      const at = p.nextDueAt()?.getTime();
      if (at !== undefined && (min === undefined || at < min)) min = at;
    }
    return min;
  }
}
