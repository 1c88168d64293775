/**
 * What a stand-in of one scheduler's API (backends/<name>/ serves one for the sandbox) shares with
 * the sandbox that hosts it: the clock it schedules on, the run ledger it records into, the
 * request it is handed and the hooks it implements. The sandbox (src/sandbox/) implements the
 * clock and the ledger and wraps any `StandIn` in its HTTP server; a stand-in depends on these
 * shapes only, never on the sandbox.
 *
 * This module imports nothing from the project (only Node's HTTP types), so both sides depend on it
 * and it on neither. It lives beside backends/index.ts rather than in src/core because it is the
 * sandbox's wiring, not the tool's domain: it names the systems the sandbox serves, which only
 * backends/ may do.
 */
import type http from 'node:http';

/** A system the sandbox serves, as recorded in the run ledger. */
export type SystemName = 'chronos' | 'kubernetes';

export interface LedgerEntry {
  readonly system: SystemName;
  readonly job: string;
  /** The nominal slot (RFC 3339), or null for a run that belongs to no slot (a manual start). */
  readonly scheduledFor: string | null;
  readonly startedAt: string;
}

/** Where a stand-in records every run it starts. */
export interface RunRecorder {
  record(system: SystemName, job: string, scheduledFor: Date | null, startedAt: Date): void;
}

/** Anything with work due at instants of the sandbox clock: a stand-in's scheduler, held requests. */
export interface TimedParticipant {
  /** The earliest instant at which this participant has work, or undefined for none. */
  nextDueAt(): Date | undefined;
  /** Do everything due at or before `now` (the clock already reads `now`). */
  fireDue(now: Date): void;
}

export type ClockMode = 'real' | 'virtual';

/** The sandbox clock as a stand-in sees it: read it, and be told when its work is due. */
export interface StandInClock {
  now(): Date;
  register(participant: TimedParticipant): void;
}

/**
 * What the sandbox's control API can make go wrong with one run of a job (docs/sandbox.md,
 * "Imperfections"): it starts late, its pod waits to be placed, it fails, or it is killed.
 */
export type ImperfectionKind = 'late' | 'pending' | 'fail' | 'kill';

/** One imperfection as a stand-in applies it to a run. */
export interface RunImperfection {
  readonly kind: ImperfectionKind;
  /**
   * `late`: the run starts this many seconds after it was due. `pending`: its pod waits this long
   * to be placed (undefined: for good). `kill`: it is killed this long after it started.
   */
  readonly seconds?: number;
}

/** Where a stand-in learns what to do wrong with a run it is about to start. */
export interface ImperfectionSource {
  /**
   * The imperfections armed for this run of `job` on `system` (its slot, or null for a run of no
   * slot), of the `kinds` the caller applies at this point, at most one of each kind. Each rule
   * returned has used up one of its `times`.
   */
  take(system: SystemName, job: string, slot: Date | null, kinds: readonly ImperfectionKind[]): readonly RunImperfection[];
}

/** What the sandbox hands every stand-in it hosts. */
export interface StandInContext {
  readonly clock: StandInClock;
  readonly ledger: RunRecorder;
  /** Left out by tests that build a stand-in on its own: then every run goes as it should. */
  readonly imperfections?: ImperfectionSource;
}

export interface StandInRequest {
  readonly method: string;
  /** The path without the query string, percent-decoded per segment by the stand-in as it needs. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StandIn {
  readonly system: SystemName;
  /** The imperfections this system can show (a system without pods has no `pending`). */
  readonly imperfectionKinds: readonly ImperfectionKind[];
  /**
   * Serve one API request. It must change state synchronously (before any `await`): a held request
   * is released in the middle of a clock advance, and must have landed before later slots fire.
   */
  handle(req: StandInRequest, res: http.ServerResponse): void | Promise<void>;
  /** The fault hook: answer an injected fault with `status`, in this system's own error format. */
  writeFault(res: http.ServerResponse, status: number, req: StandInRequest): void;
  /** Plain data for `--state-dir`; `restore` takes what `snapshot` gave. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
