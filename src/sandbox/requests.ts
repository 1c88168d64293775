/**
 * The request log: every API request the stand-ins served, in the order they arrived, with what
 * its client got back. It is how API calls per command are counted, and how a test records the
 * calls an operation makes before injecting a fault into each one. Control requests
 * (`/_sandbox/*`) are not in it.
 */
import type { SystemName } from '../../backends/stand-in-contract.js';
import { toRfc3339 } from '../core/time.js';
import type { FaultKind } from './faults.js';

export interface LoggedRequest {
  readonly system: SystemName;
  readonly method: string;
  /** Without the query string, as faults match it. */
  readonly path: string;
  /** The virtual instant it arrived (RFC 3339). */
  readonly at: string;
  /** What its client received; null while it is held, or when no answer reached the client. */
  readonly status: number | null;
  /** The fault rule that took it, what it did, and for a hold the held request's id. */
  readonly fault?: { readonly id: string; readonly mode: FaultKind; readonly held?: string };
}

/** One entry being written: the server fills in the answer and the fault as they happen. */
export interface RequestEntry {
  answered(status: number | null): void;
  faulted(fault: NonNullable<LoggedRequest['fault']>): void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class RequestLog {
  private entries: Mutable<LoggedRequest>[] = [];

  record(system: SystemName, method: string, path: string, at: Date): RequestEntry {
    const entry: Mutable<LoggedRequest> = { system, method, path, at: toRfc3339(at), status: null };
    this.entries.push(entry);
    return {
      answered: (status) => void (entry.status = status),
      faulted: (fault) => void (entry.fault = fault),
    };
  }

  all(): readonly LoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
