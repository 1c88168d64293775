/**
 * The live half of the Kubernetes backend. Every call goes over one raw JSON request primitive
 * through the kubeconfig's own transport (auth, TLS, agent) from @kubernetes/client-node 1.4
 * (pinned: 2.x does not load on Node 20): objects come back exactly as the server sent them,
 * where the client's typed models would turn timestamps into Dates, drop fields they do not
 * know, and cost more than the request itself on a list of thousands. Every call is namespaced
 * explicitly, patches name their Content-Type, every write names its field manager, deletes
 * name their propagation policy, and error Statuses become actionable UserErrors.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ActiveRun } from '../../src/core/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { UserError } from '../../src/core/errors.js';
import { KubernetesApiError } from './errors.js';
import { loadKubeConfig, requestSetupError, connectionSetupError, type KubeConfigOptions, type LoadedKubeConfig } from './kubeconfig.js';
import { LeaseLocks, type LeaseLock } from './lease-lock.js';
import type { CronJobManifest } from './render.js';
import { SCHEDULED_TIMESTAMP_ANNOTATION, type JobObject, type PodObject } from './slots.js';
import { kubernetesIdentity } from './identity.js';

export { KubernetesApiError, kubernetesFailureClass } from './errors.js';
export type { LeaseLock } from './lease-lock.js';

export const FIELD_MANAGER = 'migrate';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** The resources the client calls, all at v1, by plural. */
const RESOURCES = {
  cronjobs: { group: 'batch', kind: 'CronJob' },
  jobs: { group: 'batch', kind: 'Job' },
  leases: { group: 'coordination.k8s.io', kind: 'Lease' },
  configmaps: { group: '', kind: 'ConfigMap' },
  pods: { group: '', kind: 'Pod' },
} as const;

type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
const METHOD: Record<Verb, string> = { get: 'GET', list: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE' };
/** Sent again after no answer, 429 or 5xx: repeated, they land where one would. A create, replace or delete may have happened; its caller re-reads. */
const IDEMPOTENT: ReadonlySet<Verb> = new Set(['get', 'list', 'patch']);
const RETRIABLE_STATUS: readonly number[] = [429, 500, 502, 503, 504];

/** One API call, named as RBAC names it: a verb on a resource, in the client's namespace. */
export interface ApiCall {
  readonly verb: Verb;
  readonly resource: keyof typeof RESOURCES;
  readonly name?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Default `application/json`; a patch names its kind. */
  readonly contentType?: string;
}

export interface KubernetesClientOptions extends KubeConfigOptions {
  /** Per-attempt timeout in milliseconds. Default: the identity's requestTimeoutSeconds. */
  readonly timeoutMs?: number;
  /** Extra attempts for idempotent calls after a network error, 429 or 5xx. Default 2. */
  readonly retries?: number;
  /** Waits between retries; injected so tests do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The local clock, to age the server time between answers. */
  readonly clock?: Clock;
  /** Server-side apply takes fields other managers own (`force=true`). Default false: report conflicts. */
  readonly forceConflicts?: boolean;
}

interface Answer<T> {
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
}

/** A non-2xx answer, before translation. */
class HttpStatusError extends Error {
  constructor(readonly code: number, readonly body: string, readonly headers: Readonly<Record<string, string>>) {
    super(`HTTP ${code}`);
  }
}

class TimeoutError extends Error {}

function headerDate(headers: Readonly<Record<string, string>> | undefined): Date | undefined {
  const raw = headers?.date;
  const t = raw ? Date.parse(raw) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t);
}

export class KubernetesClient {
  readonly name = 'kubernetes' as const;
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly localClock: Clock;
  private readonly force: boolean;
  private readonly locks = new LeaseLocks(this);
  private serverOffsetMs: number | undefined;

  constructor(opts: KubernetesClientOptions = {}, loaded: LoadedKubeConfig = loadKubeConfig(opts)) {
    this.namespace = opts.namespace ?? loaded.namespace;
    this.context = loaded.context;
    this.server = loaded.server;
    this.kc = loaded.kc;
    this.timeoutMs = opts.timeoutMs ?? kubernetesIdentity.requestTimeoutSeconds * 1000;
    this.retries = opts.retries ?? 2;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.localClock = opts.clock ?? { now: () => new Date() };
    this.force = opts.forceConflicts ?? false;
  }

  /** The server's clock, from the last answer's `Date` header, aged by the local clock since. */
  serverClock(): Clock {
    return {
      now: () => new Date(this.localClock.now().getTime() + (this.serverOffsetMs ?? 0)),
    };
  }

  /** Whether an answer has carried the server's `Date` yet (before one, `serverClock` is the local clock). */
  serverTimeKnown(): boolean {
    return this.serverOffsetMs !== undefined;
  }

  /** The longest one call can take, every attempt included: after that the client has given up on it. */
  get callBudgetMs(): number {
    return (this.retries + 1) * this.timeoutMs;
  }

  /** Waits as the client waits between retries: injected, so no test and no sandbox sleeps. */
  pause(ms: number): Promise<void> {
    return this.sleep(ms);
  }

  // ---- CronJobs ----------------------------------------------------------------------------

  /** Every CronJob (matching `labelSelector`), a page at a time. */
  listCronJobs(labelSelector?: string, pageSize = 500): Promise<CronJobManifest[]> {
    return this.listAll<CronJobManifest>('cronjobs', labelSelector, pageSize);
  }

  list(): Promise<readonly CronJobManifest[]> {
    return this.listCronJobs();
  }

  read(name: string): Promise<CronJobManifest | undefined> {
    return this.orUndefined(this.request<CronJobManifest>({ verb: 'get', resource: 'cronjobs', name }));
  }

  create(manifest: CronJobManifest, dryRun = false): Promise<CronJobManifest> {
    return this.request<CronJobManifest>({ verb: 'create', resource: 'cronjobs', name: manifest.metadata.name, body: manifest, query: dryRunQuery(dryRun) });
  }

  /** Server-side apply as field manager `migrate`: creates a missing CronJob, merges into a live one. */
  async apply(manifest: CronJobManifest, dryRun = false): Promise<CronJobManifest> {
    const name = manifest.metadata.name;
    const wanted = manifest.metadata.namespace;
    if (wanted !== undefined && wanted !== this.namespace) {
      throw new UserError(`CronJob ${name} belongs in namespace ${wanted}, but this client works in ${this.namespace}`, `Pass -n ${wanted} (or set the namespace of the kubeconfig context).`);
    }
    const { status: _status, ...body } = { ...manifest, metadata: { ...manifest.metadata, namespace: this.namespace } };
    return this.request<CronJobManifest>({
      verb: 'patch', resource: 'cronjobs', name, body, contentType: 'application/apply-patch+yaml',
      query: { ...dryRunQuery(dryRun), ...(this.force ? { force: 'true' } : {}) },
    });
  }

  /** JSON merge patch (RFC 7386), e.g. `{spec: {suspend: true}}`. */
  mergePatch(name: string, patch: Readonly<Record<string, unknown>>, dryRun = false): Promise<CronJobManifest> {
    return this.request<CronJobManifest>({ verb: 'patch', resource: 'cronjobs', name, body: patch, contentType: 'application/merge-patch+json', query: dryRunQuery(dryRun) });
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.mergePatch(name, { spec: { suspend: !enabled } });
  }

  /**
   * Deletes the CronJob. With `preconditions`, only the very object that was read (its uid, and
   * its resourceVersion when given): a delete that lands late, after the object was replaced,
   * fails with a conflict instead of deleting its successor.
   */
  async deleteCronJob(name: string, propagationPolicy: PropagationPolicy, preconditions?: { readonly uid?: string; readonly resourceVersion?: string }): Promise<void> {
    const body = preconditions ? { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy, preconditions } : undefined;
    await this.request({ verb: 'delete', resource: 'cronjobs', name, query: { propagationPolicy }, ...(body ? { body } : {}) });
  }

  /** Deletes the CronJob; a running Job is orphaned (left to finish), never killed. */
  async remove(name: string): Promise<void> {
    const running = await this.activeRuns(name);
    await this.deleteCronJob(name, running.length > 0 ? 'Orphan' : 'Background');
  }

  // ---- Jobs --------------------------------------------------------------------------------

  listJobs(labelSelector?: string, pageSize = 500): Promise<JobObject[]> {
    return this.listAll<JobObject>('jobs', labelSelector, pageSize);
  }

  readJob(name: string): Promise<JobObject | undefined> {
    return this.orUndefined(this.request<JobObject>({ verb: 'get', resource: 'jobs', name }));
  }

  /** Not retried: a create that timed out may have happened; the caller re-reads (the name is the lock). */
  createJob(job: JobObject): Promise<JobObject> {
    return this.request<JobObject>({ verb: 'create', resource: 'jobs', name: job.metadata.name, body: job });
  }

  async deleteJob(name: string, propagationPolicy: PropagationPolicy): Promise<void> {
    await this.request({ verb: 'delete', resource: 'jobs', name, query: { propagationPolicy } });
  }

  // ---- Pods --------------------------------------------------------------------------------

  /** Every Pod (matching `labelSelector`), a page at a time. */
  listPods(labelSelector?: string, pageSize = 500): Promise<PodObject[]> {
    return this.listAll<PodObject>('pods', labelSelector, pageSize);
  }

  /** Unfinished Jobs of this CronJob: owned by it, or named for one of its slots. */
  async activeRuns(name: string): Promise<readonly ActiveRun[]> {
    return (await this.activeRunsByCronJob()).get(name) ?? [];
  }

  /** Every CronJob's unfinished Jobs in the namespace (one listing), by the CronJob that owns each or whose slot names it. */
  async activeRunsByCronJob(): Promise<ReadonlyMap<string, readonly ActiveRun[]>> {
    const runs = new Map<string, ActiveRun[]>();
    for (const j of await this.listJobs()) {
      if ((j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) continue;
      const stamp = j.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION];
      const started = j.status?.startTime;
      const run: ActiveRun = { id: j.metadata.name, ...(started ? { startedAt: new Date(started) } : {}), ...(stamp ? { scheduledFor: new Date(stamp) } : {}) };
      const owners = new Set((j.metadata.ownerReferences ?? []).filter((r) => r.kind === 'CronJob' && r.controller).map((r) => r.name));
      const slotOf = stamp !== undefined ? /^(.+)-\d+$/.exec(j.metadata.name)?.[1] : undefined;
      if (slotOf !== undefined) owners.add(slotOf);
      for (const owner of owners) runs.set(owner, [...(runs.get(owner) ?? []), run]);
    }
    return runs;
  }

  // ---- Leases: the per-job lock (lease-lock.ts) ----------------------------------------------

  acquireLock(job: string, holder: string, ttlSeconds: number, isAbandoned?: (holder: string) => boolean): Promise<LeaseLock> {
    return this.locks.acquire(job, holder, ttlSeconds, isAbandoned);
  }

  renewLock(lock: LeaseLock): Promise<LeaseLock> {
    return this.locks.renew(lock);
  }

  releaseLock(lock: LeaseLock): Promise<void> {
    return this.locks.release(lock);
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Every object of `resource`, following `continue` tokens; list items carry no kind on the wire. */
  private async listAll<T>(resource: 'cronjobs' | 'jobs' | 'pods', labelSelector: string | undefined, pageSize: number): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.request<{ items?: Record<string, unknown>[]; metadata?: { continue?: string } }>({
        verb: 'list', resource, query: { limit: String(pageSize), labelSelector, continue: token },
      });
      // The items are objects of `resource` as the server sent them; the kind is put back.
      for (const item of page.items ?? []) out.push({ apiVersion: RESOURCES[resource].group ? `${RESOURCES[resource].group}/v1` : 'v1', kind: RESOURCES[resource].kind, ...item } as T);
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  private async orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
    try {
      return await read;
    } catch (err) {
      if (err instanceof KubernetesApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  // ---- the request primitive ---------------------------------------------------------------

  /**
   * One API call, answered as the JSON the server sent: each attempt bounded by `timeoutMs`,
   * idempotent ones retried after no answer, 429 or 5xx. A timed-out attempt aborts its request,
   * closing the socket: a request left waiting on a server that never answers would otherwise
   * keep the process alive after the command has given up.
   */
  async request<T>(call: ApiCall): Promise<T> {
    const attempts = IDEMPOTENT.has(call.verb) ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.attempt<T>(call);
        this.observeDate(res.headers);
        return res.data;
      } catch (err) {
        if (err instanceof HttpStatusError) this.observeDate(err.headers);
        // A UserError (the kubeconfig cannot make a request) fails the same way every time.
        const retriable = err instanceof HttpStatusError ? RETRIABLE_STATUS.includes(err.code) : !(err instanceof UserError);
        if (attempt < attempts && retriable) {
          await this.sleep(200 * 2 ** (attempt - 1));
          continue;
        }
        throw this.translate(err, call, attempt);
      }
    }
  }

  private attempt<T>(call: ApiCall): Promise<Answer<T>> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new TimeoutError(`${call.verb} ${call.resource} timed out after ${this.timeoutMs} ms`));
        abort.abort();
      }, this.timeoutMs);
    });
    return Promise.race([this.send<T>(call, abort.signal), timeout]).finally(() => clearTimeout(timer));
  }

  /** The request, with the kubeconfig's credentials, TLS settings and agent; non-2xx rejects with HttpStatusError. */
  private async send<T>(call: ApiCall, signal: AbortSignal): Promise<Answer<T>> {
    const { group } = RESOURCES[call.resource];
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) query.set(k, v);
    if (call.verb === 'create' || call.verb === 'update' || call.verb === 'patch') query.set('fieldManager', FIELD_MANAGER);
    // A create names its object in the body only (the name here is for messages).
    const named = call.name !== undefined && call.verb !== 'create' ? `/${encodeURIComponent(call.name)}` : '';
    // The core group (ConfigMaps) is served under /api, every named group under /apis/<group>.
    const path = `${group ? `/apis/${group}` : '/api'}/v1/namespaces/${encodeURIComponent(this.namespace)}/${call.resource}${named}`;
    // Appended, not resolved: a server URL may carry a path prefix (a proxy's /k8s/clusters/x).
    const url = new URL(`${this.server.replace(/\/+$/, '')}${path}${query.size > 0 ? `?${query}` : ''}`);
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body), 'utf8');
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) Object.assign(headers, { 'Content-Type': call.contentType ?? 'application/json', 'Content-Length': String(payload.length) });
    const options: https.RequestOptions = { method: METHOD[call.verb], headers, signal };
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (err) {
      throw requestSetupError(err, { kc: this.kc, context: this.context, server: this.server });
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const answered = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) return reject(new HttpStatusError(code, body, answered));
          try {
            resolve({ data: JSON.parse(body) as T, headers: answered });
          } catch {
            reject(new HttpStatusError(code, body, answered));
          }
        });
      });
      // A host name that does not exist or a failed TLS handshake is the kubeconfig, not a cluster that does not answer.
      req.on('error', (err) => reject(connectionSetupError(err, { context: this.context, server: this.server }) ?? err));
      req.end(payload);
    });
  }

  private observeDate(headers: Readonly<Record<string, string>> | undefined): void {
    const d = headerDate(headers);
    if (d) this.serverOffsetMs = d.getTime() - this.localClock.now().getTime();
  }

  private translate(err: unknown, call: ApiCall, attempts: number): Error {
    const { group, kind } = RESOURCES[call.resource];
    const { verb, resource } = call;
    const target = call.name ? `${kind} ${this.namespace}/${call.name}` : `${kind}s in namespace ${this.namespace}`;
    if (err instanceof UserError) return err;
    if (err instanceof TimeoutError) {
      const waited = attempts > 1 ? `in ${attempts} attempts of ${duration(this.timeoutMs)} each` : `in ${duration(this.timeoutMs)}`;
      return new KubernetesApiError(`${verb} ${target}: no answer from ${this.server} ${waited}`, 'The API server is slow or unreachable; check the cluster, then re-run (the command is safe to repeat).', 0, 'Timeout');
    }
    if (!(err instanceof HttpStatusError)) {
      const message = err instanceof Error ? err.message : String(err);
      return new KubernetesApiError(`cannot reach the Kubernetes API at ${this.server}`, `${message}\nCheck kubeconfig context "${this.context}" and that the cluster is up.`, 0, undefined);
    }
    const status = parseStatus(err.body);
    const reason = status?.reason;
    const serverMessage = status?.message ?? `HTTP ${err.code}`;
    const causes = status?.details?.causes ?? [];
    switch (err.code) {
      case 401:
        return new KubernetesApiError(`the Kubernetes API rejected the credentials of context "${this.context}" (401 Unauthorized) on ${verb} ${resource}`,
          'The token or certificate is missing, expired or wrong. Log in again or fix the user in your kubeconfig.', 401, 'Unauthorized');
      case 403: {
        // RBAC names a core-group resource bare: `configmaps`, not `configmaps.`.
        const rbac = group ? `${resource}.${group}` : resource;
        return new KubernetesApiError(`the credentials of context "${this.context}" lack "${verb}" on ${group ? `${group}/` : ''}${resource} in namespace ${this.namespace}`,
          `${serverMessage}\nAsk for RBAC that grants ${verb} on ${rbac}; check with: kubectl auth can-i ${verb} ${rbac} -n ${this.namespace}`, 403, 'Forbidden');
      }
      case 404: {
        if (status?.details?.kind === 'namespaces') {
          return new KubernetesApiError(`namespace ${status.details.name ?? this.namespace} does not exist`, 'Create it, or pick another with -n/--namespace.', 404, 'NotFound');
        }
        return new KubernetesApiError(`${target} not found`, `Check the name and namespace (context "${this.context}").`, 404, 'NotFound');
      }
      case 409:
        if (reason === 'AlreadyExists') {
          return new KubernetesApiError(`${target} already exists`, serverMessage.startsWith('object is being deleted')
            ? 'The old object is still being deleted; wait for it to disappear, then retry.'
            : 'Read it first, or apply instead of create.', 409, 'AlreadyExists');
        }
        if (causes.length > 0) {
          return new KubernetesApiError(`${target}: fields are owned by another manager`,
            `${causes.map((c) => `- ${c.field ?? ''}: ${c.message ?? ''}`).join('\n')}\nSomeone changed these fields with another tool. Reconcile the definition, or re-run with force to take them over.`, 409, 'Conflict', causes);
        }
        return new KubernetesApiError(`${target} changed since it was read (409 Conflict)`, 'Re-read it and retry; another writer got there first.', 409, 'Conflict');
      case 422:
        return new KubernetesApiError(`${target} is invalid`,
          causes.length > 0 ? causes.map((c) => `- ${c.field ?? '(object)'}: ${c.message ?? ''}`).join('\n') : serverMessage, 422, 'Invalid', causes);
      default:
        return new KubernetesApiError(`${verb} ${target} failed: ${err.code} ${reason ?? ''}`.trim(), serverMessage, err.code, reason);
    }
  }
}

function dryRunQuery(dryRun: boolean): Record<string, string> {
  return dryRun ? { dryRun: 'All' } : {};
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

interface StatusCause {
  readonly field?: string;
  readonly message?: string;
  readonly reason?: string;
}

/** The meta/v1 Status an API server answers a failed call with. */
interface Status {
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly kind?: string; readonly name?: string; readonly causes?: readonly StatusCause[] };
}

function parseStatus(body: string): Status | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Status) : undefined;
  } catch {
    return undefined;
  }
}
