/**
 * The fault injector: `POST /_sandbox/faults` arms a rule (given an id); each of the next `times`
 * requests that match it (after the first `skip` matches) is taken by it, and what happens to a
 * taken request depends on the rule's mode:
 *
 * - classic (no mode): held `delayMs` real milliseconds, then, if `status` is set, failed with it
 *   in the system's own error format, else served;
 * - `drop-answer`: served (the write is applied), then the answer is lost: the connection is cut,
 *   or `status` is sent instead of the real answer;
 * - `hold`: not served until the sandbox clock reaches `until` or `POST /_sandbox/faults/release`
 *   lets it go; then it lands (or, with `status`, fails) whether or not its client is still there.
 *
 * The injector keeps every rule armed since the last clear with how often it fired, and every
 * request a hold took with what became of it, so a test can check its scenario really happened.
 * Holds wait on the sandbox clock, never on real time: the injector is a clock participant.
 */
import type { StandInClock, SystemName, TimedParticipant } from '../../backends/stand-in-contract.js';
import { toRfc3339 } from '../core/time.js';

export type FaultMode = 'drop-answer' | 'hold';

/** A rule as `POST /_sandbox/faults` takes it. */
export interface FaultRule {
  readonly system?: SystemName;
  /** Regular expressions, matched against the method and the path (without the query). */
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  /** Classic rules only: real milliseconds to hold the request (kept for older scripts). */
  readonly delayMs?: number;
  readonly times: number;
  /** Let this many matching requests through before taking any. */
  readonly skip?: number;
  readonly mode?: FaultMode;
  /** `hold` only: the RFC 3339 virtual instant at which the held request lands. */
  readonly until?: string;
  /** `hold` only: the request lands when released by `POST /_sandbox/faults/release`. */
  readonly release?: 'manual';
}

/** A rule in `GET /_sandbox/faults`: `times` is how many requests it will still take. */
export interface ArmedFault extends FaultRule {
  readonly id: string;
  /** How many requests it has taken. */
  readonly fired: number;
}

/** A rule in the report: `times` as armed, and what is left of it. */
export interface ReportedFault extends ArmedFault {
  readonly remaining: number;
}

/** What a taken request becomes; `fail` and `delay` are the classic rule with and without a delay. */
export type FaultKind = 'fail' | 'delay' | 'drop-answer' | 'hold';

export interface Firing {
  /** The id of the rule that took the request. */
  readonly id: string;
  readonly kind: FaultKind;
  readonly status?: number;
  readonly delayMs: number;
}

export type HoldState = 'held' | 'landed' | 'failed' | 'cut-off';

/** A request a hold took, and what became of it (virtual instants, RFC 3339). */
export interface HeldRequest {
  readonly id: string;
  /** The rule that took it. */
  readonly fault: string;
  readonly system: SystemName;
  readonly method: string;
  readonly path: string;
  readonly heldAt: string;
  readonly until?: string;
  readonly release?: 'manual';
  /** `landed`: served when released; `failed`: answered with the rule's status instead; `cut-off`: the sandbox stopped first. */
  readonly state: HoldState;
  /** When its client closed the connection while the request was held. */
  readonly clientGaveUpAt?: string;
  readonly releasedAt?: string;
  /** What the stand-in answered when it landed (delivered or not), or the rule's status when it failed. */
  readonly status?: number;
}

export interface FaultReport {
  readonly faults: readonly ReportedFault[];
  readonly held: readonly HeldRequest[];
}

/** Lets a held request go; resolves the status the stand-in answered, if any. */
export type Landing = () => Promise<number | undefined>;

/** The server's handle on one held request. */
export interface Hold {
  readonly id: string;
  /** Still waiting (false once it landed, failed or was cut off). */
  isHeld(): boolean;
  /** Its client closed the connection (ignored once the request is no longer held). */
  clientGone(): void;
  /** The server is stopping: the request never lands. */
  cutOff(): void;
}

interface ArmedRule {
  readonly id: string;
  readonly rule: FaultRule;
  readonly method?: RegExp;
  readonly path?: RegExp;
  skip: number;
  remaining: number;
  fired: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Pending {
  readonly record: Mutable<HeldRequest>;
  readonly untilMs?: number;
  readonly seq: number;
  /** The rule has a status: the request fails with it instead of being served. */
  readonly failing: boolean;
  readonly land: Landing;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export class FaultInjector implements TimedParticipant {
  private rules: ArmedRule[] = [];
  private held: Mutable<HeldRequest>[] = [];
  private readonly pending = new Map<string, Pending>();
  private nextRule = 1;
  private nextHold = 1;
  private clock: StandInClock | undefined;
  private readonly heldListeners = new Set<(held: HeldRequest) => void>();

  /** Holds wait on this clock; the first stand-in server over it attaches it (again is a no-op). */
  attach(clock: StandInClock): void {
    if (this.clock === clock) return;
    if (this.clock) throw new Error('a fault injector serves one sandbox clock');
    this.clock = clock;
    clock.register(this);
  }

  /** Validates and arms a rule; throws with a message fit for a 400 answer. */
  add(input: unknown): ArmedFault {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('body must be a JSON object');
    const o = input as Record<string, unknown>;
    const system = o.system;
    if (system !== undefined && system !== 'chronos' && system !== 'kubernetes') {
      throw new Error('system must be "chronos" or "kubernetes"');
    }
    const mode = o.mode ?? undefined;
    if (mode !== undefined && mode !== 'drop-answer' && mode !== 'hold') throw new Error('mode must be "drop-answer" or "hold" (or left out for the classic rule)');
    const until = optionalInstant(o, 'until');
    const release = o.release ?? undefined;
    if (release !== undefined && release !== 'manual') throw new Error('release must be "manual"');
    const rule: FaultRule = {
      system: system as SystemName | undefined,
      method: optionalString(o, 'method'),
      path: optionalString(o, 'path'),
      status: optionalNumber(o, 'status'),
      delayMs: optionalNumber(o, 'delayMs'),
      times: optionalNumber(o, 'times') ?? 1,
      skip: optionalNumber(o, 'skip'),
      mode,
      until,
      release,
    };
    if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)) throw new Error('status must be an HTTP status code');
    if (mode === undefined && rule.status === undefined && !rule.delayMs) throw new Error('a fault needs a status, a delayMs, or both (or a mode)');
    if (mode !== undefined && rule.delayMs !== undefined) throw new Error('delayMs belongs to the classic rule; a hold waits on the sandbox clock (until) or a release');
    if (mode === 'hold' && (until === undefined) === (release === undefined)) throw new Error('a hold needs either "until": "<RFC 3339>" or "release": "manual"');
    if (mode !== 'hold' && (until !== undefined || release !== undefined)) throw new Error('until and release belong to "mode": "hold"');
    const id = `f${this.nextRule++}`;
    const armed: ArmedRule = {
      id,
      rule,
      method: rule.method ? new RegExp(rule.method, 'i') : undefined,
      path: rule.path ? new RegExp(rule.path) : undefined,
      skip: rule.skip ?? 0,
      remaining: rule.times,
      fired: 0,
    };
    this.rules.push(armed);
    return listed(armed);
  }

  /**
   * Calls `listener` (in-process only) each time a hold takes a request, at once, before the
   * request can land: a test learns that call N arrived, and may stop its client there (a kill
   * between two calls). Returns the unsubscribe.
   */
  onHeld(listener: (held: HeldRequest) => void): () => void {
    this.heldListeners.add(listener);
    return () => void this.heldListeners.delete(listener);
  }

  /** Forgets every rule and every finished hold; a request still held stays held until it lands. */
  clear(): void {
    this.rules = [];
    this.held = this.held.filter((h) => h.state === 'held');
  }

  /** The rules that will still take a request. */
  list(): readonly ArmedFault[] {
    return this.rules.filter((r) => r.remaining > 0).map(listed);
  }

  report(): FaultReport {
    return {
      faults: this.rules.map((r) => ({ ...listed(r), skip: r.rule.skip, times: r.rule.times, remaining: r.remaining })),
      held: this.held.map((h) => ({ ...h })),
    };
  }

  /** Consumes one use of the first rule that takes this request, if any. */
  take(system: SystemName, method: string, path: string): Firing | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.rule.system !== undefined && r.rule.system !== system) continue;
      if ((r.method && !r.method.test(method)) || (r.path && !r.path.test(path))) continue;
      if (r.skip > 0) {
        r.skip -= 1;
        continue;
      }
      r.remaining -= 1;
      r.fired += 1;
      const kind: FaultKind = r.rule.mode ?? (r.rule.delayMs ? 'delay' : 'fail');
      return { id: r.id, kind, status: r.rule.status, delayMs: r.rule.delayMs ?? 0 };
    }
    return undefined;
  }

  /**
   * Holds a request that rule `firing.id` (a hold) took. It lands through `land` when the clock
   * reaches the rule's instant (at once if it already has) or when released.
   */
  hold(firing: Firing, request: { readonly system: SystemName; readonly method: string; readonly path: string }, land: Landing): Hold {
    const clock = this.clock;
    if (!clock) throw new Error('a hold needs the sandbox clock: attach() it first');
    const until = this.rules.find((r) => r.id === firing.id)?.rule.until;
    const record: Mutable<HeldRequest> = {
      id: `h${this.nextHold}`,
      fault: firing.id,
      ...request,
      heldAt: toRfc3339(clock.now()),
      ...(until !== undefined ? { until } : { release: 'manual' as const }),
      state: 'held',
    };
    const pending: Pending = { record, untilMs: until === undefined ? undefined : Date.parse(until), seq: this.nextHold++, failing: firing.status !== undefined, land };
    this.held.push(record);
    this.pending.set(record.id, pending);
    for (const listener of [...this.heldListeners]) listener({ ...record });
    if (pending.untilMs !== undefined && pending.untilMs <= clock.now().getTime()) this.land(pending);
    return {
      id: record.id,
      isHeld: () => this.pending.has(record.id),
      clientGone: () => {
        if (record.state === 'held' && record.clientGaveUpAt === undefined) record.clientGaveUpAt = toRfc3339(clock.now());
      },
      cutOff: () => {
        if (this.pending.delete(record.id)) record.state = 'cut-off';
      },
    };
  }

  /**
   * Lets held requests land now: the one with this id, every one a rule with this id holds, or
   * (no id) every one. Throws if the id names neither a held request nor a rule.
   */
  release(id?: string): readonly string[] {
    if (id !== undefined && !this.held.some((h) => h.id === id) && !this.rules.some((r) => r.id === id)) {
      throw new NotFound(`no held request or fault has the id "${id}"`);
    }
    const chosen = [...this.pending.values()].filter((p) => id === undefined || p.record.id === id || p.record.fault === id).sort((a, b) => a.seq - b.seq);
    for (const p of chosen) this.land(p);
    return chosen.map((p) => p.record.id);
  }

  nextDueAt(): Date | undefined {
    let min: number | undefined;
    for (const p of this.pending.values()) if (p.untilMs !== undefined && (min === undefined || p.untilMs < min)) min = p.untilMs;
    return min === undefined ? undefined : new Date(min);
  }

  fireDue(now: Date): void {
    const due = [...this.pending.values()]
      .filter((p) => p.untilMs !== undefined && p.untilMs <= now.getTime())
      .sort((a, b) => a.untilMs! - b.untilMs! || a.seq - b.seq);
    for (const p of due) this.land(p);
  }

  /** Its state changes synchronously (the stand-in applies before any await), so a clock advance sees it. */
  private land(p: Pending): void {
    if (!this.pending.delete(p.record.id)) return;
    p.record.state = p.failing ? 'failed' : 'landed';
    p.record.releasedAt = toRfc3339(this.clock!.now());
    p.land().then(
      (status) => {
        if (status !== undefined) p.record.status = status;
      },
      () => undefined,
    );
  }
}

/** A control request that names something the sandbox does not have (a 404 answer). */
export class NotFound extends Error {}

/** The rule as it stands: `times` (and `skip`, if it had one) count what is left. */
function listed(r: ArmedRule): ArmedFault {
  return { id: r.id, ...r.rule, ...(r.rule.skip !== undefined ? { skip: r.skip } : {}), times: r.remaining, fired: r.fired };
}

function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`${key} must be a string (a regular expression)`);
  new RegExp(v); // throws a SyntaxError naming the problem
  return v;
}

function optionalNumber(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${key} must be a non-negative number`);
  return v;
}

function optionalInstant(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) throw new Error(`${key} must be an RFC 3339 instant, e.g. 2026-11-25T10:15:00Z`);
  return toRfc3339(new Date(v));
}
