/**
 * The fault injector: `POST /_sandbox/faults` arms a rule; the next `times` requests that match
 * it are held for `delayMs` (real milliseconds) and then, if `status` is set, fail with that
 * status in the matching system's own error format.
 */
import type { SystemName } from './ledger.js';

export interface FaultRule {
  readonly system?: SystemName;
  /** Regular expressions, matched against the method and the path (without the query). */
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly delayMs?: number;
  readonly times: number;
}

export interface FaultAction {
  readonly status?: number;
  readonly delayMs: number;
}

interface ArmedRule {
  readonly rule: FaultRule;
  readonly method?: RegExp;
  readonly path?: RegExp;
  remaining: number;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];

  /** Validates and arms a rule; throws with a message fit for a 400 answer. */
  add(input: unknown): FaultRule {
    if (typeof input !== 'object' || input === null) throw new Error('body must be a JSON object');
    const o = input as Record<string, unknown>;
    const system = o.system;
    if (system !== undefined && system !== 'chronos' && system !== 'kubernetes') {
      throw new Error('system must be "chronos" or "kubernetes"');
    }
    const rule: FaultRule = {
      system: system as SystemName | undefined,
      method: optionalString(o, 'method'),
      path: optionalString(o, 'path'),
      status: optionalNumber(o, 'status'),
      delayMs: optionalNumber(o, 'delayMs'),
      times: optionalNumber(o, 'times') ?? 1,
    };
    if (rule.status !== undefined && (rule.status < 100 || rule.status > 599)) throw new Error('status must be an HTTP status code');
    if (rule.status === undefined && !rule.delayMs) throw new Error('a fault needs a status, a delayMs, or both');
    this.rules.push({
      rule,
      method: rule.method ? new RegExp(rule.method, 'i') : undefined,
      path: rule.path ? new RegExp(rule.path) : undefined,
      remaining: rule.times,
    });
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule, times: r.remaining }));
  }

  /** Consumes one use of the first rule that matches this request, if any. */
  take(system: SystemName, method: string, path: string): FaultAction | undefined {
    const hit = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.rule.system === undefined || r.rule.system === system) &&
        (!r.method || r.method.test(method)) &&
        (!r.path || r.path.test(path)),
    );
    if (!hit) return undefined;
    hit.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { status: hit.rule.status, delayMs: hit.rule.delayMs ?? 0 };
  }
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
