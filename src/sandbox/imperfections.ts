/**
 * Imperfections: `POST /_sandbox/imperfections` makes a job's runs on one system go wrong the way
 * a real scheduler's do (start late, leave the pod Pending, fail, be killed), so `slo` and the
 * metrics can be tested against something to find. Each rule names the system and the job, and
 * optionally the slot; it takes the next `times` runs that match (default 1). A stand-in asks
 * `take` when it is about to start a run, for the kinds it applies at that point, and applies what
 * it gets through its own API objects, as the real system would show it.
 *
 * The injector keeps every rule armed since the last clear and every run it took, with the slot
 * and the instant, so a test can read back that its scenario really happened.
 */
import type { ImperfectionKind, ImperfectionSource, RunImperfection, StandInClock, SystemName } from '../../backends/stand-in-contract.js';
import { toRfc3339 } from '../core/time.js';

export type { ImperfectionKind };

const KINDS: readonly ImperfectionKind[] = ['late', 'pending', 'fail', 'kill'];

/** A rule as `POST /_sandbox/imperfections` takes it. */
export interface ImperfectionRule {
  readonly system: SystemName;
  readonly job: string;
  readonly kind: ImperfectionKind;
  /** `late` (required): seconds after the due instant; `pending`: seconds the pod waits (absent: for good); `kill`: seconds into the run (default 1). */
  readonly seconds?: number;
  /** Only the run of this slot (RFC 3339); absent: the next runs of the job, any slot. */
  readonly slot?: string;
  /** How many runs it takes; default 1. */
  readonly times: number;
}

/** A rule as the control API lists it: `times` is what is left of it. */
export interface ArmedImperfection extends ImperfectionRule {
  readonly id: string;
  /** How many runs it has taken. */
  readonly applied: number;
}

/** A run a rule took. */
export interface AppliedImperfection {
  /** The rule that took it. */
  readonly id: string;
  readonly system: SystemName;
  readonly job: string;
  readonly kind: ImperfectionKind;
  readonly seconds?: number;
  /** The run's slot (RFC 3339), or null for a run of no slot. */
  readonly slot: string | null;
  /** When the stand-in took it: the run's due instant for `late`, its start for the others. */
  readonly at: string;
}

export interface ImperfectionReport {
  readonly rules: readonly ArmedImperfection[];
  readonly applied: readonly AppliedImperfection[];
}

interface Armed {
  readonly id: string;
  readonly rule: ImperfectionRule;
  readonly slotMs?: number;
  remaining: number;
  applied: number;
}

export class ImperfectionInjector implements ImperfectionSource {
  private rules: Armed[] = [];
  private log: AppliedImperfection[] = [];
  private nextId = 1;
  /** What each system's stand-in can show; a rule for anything else is refused. */
  private readonly supported = new Map<SystemName, readonly ImperfectionKind[]>();

  constructor(private readonly clock: StandInClock) {}

  /** Called by the sandbox for each stand-in it serves. */
  allow(system: SystemName, kinds: readonly ImperfectionKind[]): void {
    this.supported.set(system, kinds);
  }

  /** Validates and arms a rule from a control request's body; throws a message for a 400. */
  add(body: unknown): ArmedImperfection {
    const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const system = o.system;
    const served = [...this.supported.keys()];
    if (typeof system !== 'string' || !this.supported.has(system as SystemName)) throw new Error(`system must be one of ${served.map((s) => `"${s}"`).join(', ')}`);
    const kinds = this.supported.get(system as SystemName)!;
    if (typeof o.job !== 'string' || o.job === '') throw new Error('job must be the name of a job');
    const kind = o.kind;
    if (typeof kind !== 'string' || !KINDS.includes(kind as ImperfectionKind)) throw new Error(`kind must be one of ${KINDS.map((k) => `"${k}"`).join(', ')}`);
    if (!kinds.includes(kind as ImperfectionKind)) {
      throw new Error(`${system} cannot show "${kind}": its runs can be made ${kinds.map((k) => `"${k}"`).join(', ')}${kind === 'pending' ? ' (it has no pods: a run waiting to be placed is a late start)' : ''}`);
    }
    const seconds = optionalNumber(o, 'seconds');
    if (kind === 'late' && (seconds === undefined || seconds <= 0)) throw new Error('"late" needs "seconds": how long after its due instant the run starts');
    if (kind === 'fail' && seconds !== undefined) throw new Error('"fail" takes no "seconds": the run fails at its end');
    const times = optionalNumber(o, 'times') ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a whole number of runs, at least 1');
    let slot: string | undefined;
    if (o.slot !== undefined && o.slot !== null) {
      if (typeof o.slot !== 'string' || Number.isNaN(Date.parse(o.slot))) throw new Error('slot must be an RFC 3339 instant, e.g. 2026-11-25T10:15:00Z');
      slot = toRfc3339(new Date(o.slot));
    }
    const rule: ImperfectionRule = {
      system: system as SystemName,
      job: o.job,
      kind: kind as ImperfectionKind,
      ...(seconds !== undefined ? { seconds } : kind === 'kill' ? { seconds: 1 } : {}),
      ...(slot !== undefined ? { slot } : {}),
      times,
    };
    const armed: Armed = { id: `i${this.nextId++}`, rule, ...(slot !== undefined ? { slotMs: Date.parse(slot) } : {}), remaining: times, applied: 0 };
    this.rules.push(armed);
    return listed(armed);
  }

  take(system: SystemName, job: string, slot: Date | null, kinds: readonly ImperfectionKind[]): readonly RunImperfection[] {
    const taken: RunImperfection[] = [];
    for (const kind of kinds) {
      const r = this.rules.find((x) =>
        x.remaining > 0 && x.rule.system === system && x.rule.job === job && x.rule.kind === kind &&
        (x.slotMs === undefined || (slot !== null && slot.getTime() === x.slotMs)));
      if (!r) continue;
      r.remaining -= 1;
      r.applied += 1;
      const seconds = r.rule.seconds;
      taken.push({ kind, ...(seconds !== undefined ? { seconds } : {}) });
      this.log.push({
        id: r.id, system, job, kind, ...(seconds !== undefined ? { seconds } : {}),
        slot: slot === null ? null : toRfc3339(slot), at: toRfc3339(this.clock.now()),
      });
    }
    return taken;
  }

  report(): ImperfectionReport {
    return { rules: this.rules.map(listed), applied: this.log.map((a) => ({ ...a })) };
  }

  /** Forgets every rule and what they took; a run already given an imperfection keeps it. */
  clear(): void {
    this.rules = [];
    this.log = [];
  }
}

function listed(r: Armed): ArmedImperfection {
  return { id: r.id, ...r.rule, times: r.remaining, applied: r.applied };
}

function optionalNumber(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${key} must be a non-negative number`);
  return v;
}
