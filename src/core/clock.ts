/**
 * Time is a dependency: everything that reads "now" takes a Clock, so tests, the sandbox and
 * rehearsals run on a virtual clock and a move can follow the API server's clock.
 */
export interface Clock {
  now(): Date;
}

/** The machine's clock. Only the CLI's edge constructs this. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move; for tests and pure planning. */
export class FixedClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}
