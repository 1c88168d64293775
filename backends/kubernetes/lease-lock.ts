/**
 * The per-job move lock: a coordination.k8s.io Lease `migrate-lock-<job>`, its times in the
 * server's clock. Taking it over is a replace preconditioned on the resourceVersion read, so two
 * runs racing for an expired lock cannot both win.
 */
import { UserError } from '../../src/core/errors.js';
import { toRfc3339 } from '../../src/core/time.js';
import type { Clock } from '../../src/core/clock.js';
import { KubernetesApiError } from './errors.js';
import type { ObjectMeta } from './manifest.js';

const LOCK_PREFIX = 'migrate-lock-';

/** A coordination.k8s.io/v1 Lease as JSON (times are RFC 3339 strings). */
export interface LeaseObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
    readonly [other: string]: unknown;
  };
}

export interface LeaseLock {
  readonly job: string;
  readonly holder: string;
  readonly lease: LeaseObject;
}

/** What the locks need of the namespace's client (client.ts' KubernetesClient, which builds them). */
interface LeaseClient {
  readonly namespace: string;
  request<T>(call: { readonly verb: 'get' | 'create' | 'update' | 'delete'; readonly resource: 'leases'; readonly name: string; readonly body?: unknown }): Promise<T>;
  serverClock(): Clock;
  serverTimeKnown(): boolean;
}

export class LeaseLocks {
  constructor(private readonly client: LeaseClient) {}

  /**
   * Takes the lock on `job` for `holder` for `ttlSeconds` (server time). A lock held by someone
   * else and not expired is refused, naming the holder; an expired one, or one whose holder
   * `isAbandoned` says is gone, is taken over.
   */
  async acquire(job: string, holder: string, ttlSeconds: number, isAbandoned: (holder: string) => boolean = () => false): Promise<LeaseLock> {
    const name = `${LOCK_PREFIX}${job}`;
    const read = () => this.client.request<LeaseObject>({ verb: 'get', resource: 'leases', name });
    // The lease's times are in the server's clock. A client that has not heard from the server yet
    // reads the Lease first (its answer, 404 included, carries the server's time); one that has
    // creates it at once, and reads it only when it exists (409).
    let current: LeaseObject | undefined;
    if (!this.client.serverTimeKnown()) {
      try {
        current = await read();
      } catch (err) {
        if (!(err instanceof KubernetesApiError && err.code === 404)) throw err;
      }
    }
    if (!current) {
      const now = this.client.serverClock().now().toISOString();
      const body: LeaseObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'migrate' } },
        spec: { holderIdentity: holder, leaseDurationSeconds: ttlSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      try {
        return { job, holder, lease: await this.client.request<LeaseObject>({ verb: 'create', resource: 'leases', name, body }) };
      } catch (err) {
        if (!(err instanceof KubernetesApiError && err.reason === 'AlreadyExists')) throw err;
        current = await read();
      }
    }
    const { holder: other, expiresAt } = leaseTimes(current);
    const serverNow = this.client.serverClock().now();
    // A holder known to be gone (its process on this machine has exited) does not block.
    if (other && other !== holder && expiresAt && expiresAt > serverNow && !isAbandoned(other)) {
      throw new UserError(
        `job ${job} is locked by "${other}" until ${toRfc3339(expiresAt)}`,
        `Another migrate run holds Lease ${this.client.namespace}/${name}. Wait for it to finish; if that run is gone, the lock expires at ${toRfc3339(expiresAt)}.`,
      );
    }
    const transitions = (current.spec?.leaseTransitions ?? 0) + (other === holder ? 0 : 1);
    const now = serverNow.toISOString();
    const body: LeaseObject = {
      ...current,
      spec: { ...current.spec, holderIdentity: holder, leaseDurationSeconds: ttlSeconds, acquireTime: now, renewTime: now, leaseTransitions: transitions },
    };
    return { job, holder, lease: await this.client.request<LeaseObject>({ verb: 'update', resource: 'leases', name, body }) };
  }

  /** Extends the lock; fails if someone else took it meanwhile (the resourceVersion changed). */
  async renew(lock: LeaseLock): Promise<LeaseLock> {
    const name = `${LOCK_PREFIX}${lock.job}`;
    const body: LeaseObject = { ...lock.lease, spec: { ...lock.lease.spec, renewTime: this.client.serverClock().now().toISOString() } };
    try {
      return { ...lock, lease: await this.client.request<LeaseObject>({ verb: 'update', resource: 'leases', name, body }) };
    } catch (err) {
      if (err instanceof KubernetesApiError && (err.reason === 'Conflict' || err.code === 404)) {
        throw new UserError(`lost the lock on job ${lock.job}`, `Lease ${this.client.namespace}/${name} changed or vanished since it was taken; another run may hold it now. Stop and re-run.`);
      }
      throw err;
    }
  }

  /** Deletes the lock if it is still ours (preconditioned on its resourceVersion). */
  async release(lock: LeaseLock): Promise<void> {
    const name = `${LOCK_PREFIX}${lock.job}`;
    try {
      await this.client.request({ verb: 'delete', resource: 'leases', name, body: { preconditions: { resourceVersion: lock.lease.metadata.resourceVersion } } });
    } catch (err) {
      if (err instanceof KubernetesApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

function leaseTimes(lease: LeaseObject): { holder?: string; expiresAt?: Date } {
  const spec = lease.spec ?? {};
  const renewed = spec.renewTime ?? spec.acquireTime;
  const duration = spec.leaseDurationSeconds;
  return {
    holder: spec.holderIdentity,
    expiresAt: renewed && typeof duration === 'number' ? new Date(Date.parse(renewed) + duration * 1000) : undefined,
  };
}
