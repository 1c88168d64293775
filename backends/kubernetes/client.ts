/**
 * The live half of the Kubernetes backend, on @kubernetes/client-node 1.4 (pinned: 2.x does not
 * load on Node 20). Every call is namespaced explicitly (the client does not apply the context's
 * namespace), patches set their Content-Type explicitly (the client's default is JSON Patch),
 * deletes name their propagation policy, and ApiException bodies become actionable UserErrors.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {
  ApiException, BatchV1Api, CoordinationV1Api, KubeConfig, Observable, PatchStrategy, setHeaderOptions,
  type ConfigurationOptions, type ObservableMiddleware, type RequestContext, type V1CronJob, type V1Job, type V1Lease,
} from '@kubernetes/client-node';
import type { ActiveRun, BackendClient } from '../../src/core/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { UserError } from '../../src/core/errors.js';
import { toRfc3339 } from '../../src/core/time.js';
import type { CronJobManifest } from './render.js';

export const FIELD_MANAGER = 'migrate';
import { SCHEDULED_TIMESTAMP_ANNOTATION } from './slots.js';

const LOCK_PREFIX = 'migrate-lock-';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface KubeConfigOptions {
  /** `--kubeconfig`; else `KUBECONFIG` (a path list, merged); else ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** `-n`; else the context's namespace; else `default`. */
  readonly namespace?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedKubeConfig {
  readonly kc: KubeConfig;
  readonly context: string;
  readonly namespace: string;
  readonly server: string;
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): LoadedKubeConfig {
  const kc = new KubeConfig();
  const env = opts.env ?? process.env;
  const load = (path: string) => {
    if (!existsSync(path)) throw new UserError(`kubeconfig ${path} does not exist`, 'Pass --kubeconfig with an existing file, or set KUBECONFIG.');
    try {
      kc.loadFromFile(path);
    } catch (err) {
      throw new UserError(`cannot read kubeconfig ${path}`, err instanceof Error ? err.message : String(err));
    }
  };
  if (opts.kubeconfig) load(opts.kubeconfig);
  else if (env.KUBECONFIG) {
    const [first, ...rest] = env.KUBECONFIG.split(':').filter((p) => p.length > 0);
    load(first!);
    for (const p of rest) {
      if (!existsSync(p)) continue;
      const other = new KubeConfig();
      other.loadFromFile(p);
      kc.mergeConfig(other, true);
    }
  } else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new UserError(`kubeconfig has no context "${opts.context}"`, `Known contexts: ${known}.`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UserError(`kubeconfig context "${context}" names no cluster`, 'Fix the context, or pick another with --context.');
  const namespace = opts.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  return { kc, context, namespace, server: cluster.server };
}

/** A failed API call, translated; `reason` is the Status reason (NotFound, AlreadyExists, Conflict, Invalid, ...). */
export class KubernetesApiError extends UserError {
  constructor(
    summary: string,
    detail: string | undefined,
    readonly code: number,
    readonly reason: string | undefined,
    readonly causes: readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[] = [],
  ) {
    super(summary, detail);
    this.name = 'KubernetesApiError';
  }
}

interface CallInfo {
  readonly verb: string;
  /** `batch/cronjobs`, `coordination.k8s.io/leases`. */
  readonly resource: string;
  readonly kind: string;
  readonly name?: string;
  readonly idempotent: boolean;
}

export interface KubernetesClientOptions extends KubeConfigOptions {
  /** Per-attempt timeout in milliseconds. Default 15000. */
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

/** Plain JSON, as the server sent it: the typed models turn timestamps into Dates. */
function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length === 24 && x.endsWith('.000Z') && x[10] === 'T' ? `${x.slice(0, 19)}Z` : x))) as T;
}

function headerDate(headers: Record<string, string> | undefined): Date | undefined {
  const raw = headers?.date ?? headers?.Date;
  const t = raw ? Date.parse(raw) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t);
}

export interface LeaseLock {
  readonly job: string;
  readonly holder: string;
  readonly lease: V1Lease;
}

export class KubernetesClient implements BackendClient<CronJobManifest> {
  readonly name = 'kubernetes' as const;
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly batch: BatchV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly localClock: Clock;
  private readonly force: boolean;
  private serverOffsetMs: number | undefined;

  constructor(opts: KubernetesClientOptions = {}, loaded: LoadedKubeConfig = loadKubeConfig(opts)) {
    this.namespace = opts.namespace ?? loaded.namespace;
    this.context = loaded.context;
    this.server = loaded.server;
    this.kc = loaded.kc;
    this.batch = loaded.kc.makeApiClient(BatchV1Api);
    this.coordination = loaded.kc.makeApiClient(CoordinationV1Api);
    this.timeoutMs = opts.timeoutMs ?? 15_000;
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

  /** Waits as the client waits between retries: injected, so no test and no sandbox sleeps. */
  pause(ms: number): Promise<void> {
    return this.sleep(ms);
  }

  // ---- CronJobs ----------------------------------------------------------------------------

  /**
   * Every CronJob (matching `labelSelector`), a page at a time. The list is read as plain JSON
   * through the kubeconfig's own transport (auth, TLS, agent) rather than the typed API: mapping
   * thousands of CronJobs onto the generated model classes cost more than the request itself, and
   * the typed models would drop fields they do not know.
   */
  async listCronJobs(labelSelector?: string, pageSize = 500): Promise<CronJobManifest[]> {
    const out: CronJobManifest[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (labelSelector) query.set('labelSelector', labelSelector);
      if (token) query.set('continue', token);
      const page = await this.call({ verb: 'list', resource: 'batch/cronjobs', kind: 'CronJob', idempotent: true }, (_o, signal) =>
        this.getJson<{ items?: Obj[]; metadata?: { continue?: string } }>(`/apis/batch/v1/namespaces/${encodeURIComponent(this.namespace)}/cronjobs?${query}`, signal));
      for (const item of page.items ?? []) out.push({ apiVersion: 'batch/v1', kind: 'CronJob', ...item } as CronJobManifest);
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  /**
   * A GET answered as JSON, with the kubeconfig's transport; non-2xx becomes an ApiException like
   * the typed API's. `signal` destroys the request (and its socket) when the attempt times out.
   */
  private async getJson<T>(pathAndQuery: string, signal: AbortSignal): Promise<{ data: T; headers: Record<string, string> }> {
    const url = new URL(pathAndQuery, this.server.endsWith('/') ? this.server : `${this.server}/`);
    const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, signal };
    await this.kc.applyToHTTPSOptions(options);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) return reject(new ApiException(code, `HTTP-Code: ${code}`, body, headers));
          try {
            resolve({ data: JSON.parse(body) as T, headers });
          } catch {
            reject(new ApiException(code, 'the answer is not JSON', body, headers));
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  list(): Promise<readonly CronJobManifest[]> {
    return this.listCronJobs();
  }

  async read(name: string): Promise<CronJobManifest | undefined> {
    try {
      const cj = await this.call({ verb: 'get', resource: 'batch/cronjobs', kind: 'CronJob', name, idempotent: true }, (o) =>
        this.batch.readNamespacedCronJobWithHttpInfo({ name, namespace: this.namespace }, o));
      return { apiVersion: 'batch/v1', kind: 'CronJob', ...plain<Obj>(cj) } as CronJobManifest;
    } catch (err) {
      if (err instanceof KubernetesApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async create(manifest: CronJobManifest, dryRun = false): Promise<CronJobManifest> {
    const created = await this.call({ verb: 'create', resource: 'batch/cronjobs', kind: 'CronJob', name: manifest.metadata.name, idempotent: false }, (o) =>
      this.batch.createNamespacedCronJobWithHttpInfo({ namespace: this.namespace, body: manifest as unknown as V1CronJob, fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined }, o));
    return plain<CronJobManifest>(created);
  }

  /** Server-side apply as field manager `migrate`: creates a missing CronJob, merges into a live one. */
  async apply(manifest: CronJobManifest, dryRun = false): Promise<CronJobManifest> {
    const name = manifest.metadata.name;
    const wanted = manifest.metadata.namespace;
    if (wanted !== undefined && wanted !== this.namespace) {
      throw new UserError(`CronJob ${name} belongs in namespace ${wanted}, but this client works in ${this.namespace}`, `Pass -n ${wanted} (or set the namespace of the kubeconfig context).`);
    }
    const body = { ...manifest, metadata: { ...manifest.metadata, namespace: this.namespace } };
    delete (body as Obj).status;
    const applied = await this.call({ verb: 'patch', resource: 'batch/cronjobs', kind: 'CronJob', name, idempotent: true }, (o) =>
      this.batch.patchNamespacedCronJobWithHttpInfo(
        { name, namespace: this.namespace, body, fieldManager: FIELD_MANAGER, force: this.force, dryRun: dryRun ? 'All' : undefined },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, o),
      ));
    return plain<CronJobManifest>(applied);
  }

  /** JSON merge patch (RFC 7386), e.g. `{spec: {suspend: true}}`. */
  async mergePatch(name: string, patch: Obj, dryRun = false): Promise<CronJobManifest> {
    const patched = await this.call({ verb: 'patch', resource: 'batch/cronjobs', kind: 'CronJob', name, idempotent: true }, (o) =>
      this.batch.patchNamespacedCronJobWithHttpInfo(
        { name, namespace: this.namespace, body: patch, fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, o),
      ));
    return plain<CronJobManifest>(patched);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.mergePatch(name, { spec: { suspend: !enabled } });
  }

  async deleteCronJob(name: string, propagationPolicy: PropagationPolicy): Promise<void> {
    await this.call({ verb: 'delete', resource: 'batch/cronjobs', kind: 'CronJob', name, idempotent: false }, (o) =>
      this.batch.deleteNamespacedCronJobWithHttpInfo({ name, namespace: this.namespace, propagationPolicy }, o));
  }

  /** Deletes the CronJob; a running Job is orphaned (left to finish), never killed. */
  async remove(name: string): Promise<void> {
    const running = await this.activeRuns(name);
    await this.deleteCronJob(name, running.length > 0 ? 'Orphan' : 'Background');
  }

  // ---- Jobs --------------------------------------------------------------------------------

  async listJobs(labelSelector?: string, pageSize = 500): Promise<Obj[]> {
    const out: Obj[] = [];
    let token: string | undefined;
    do {
      const page = await this.call({ verb: 'list', resource: 'batch/jobs', kind: 'Job', idempotent: true }, (o) =>
        this.batch.listNamespacedJobWithHttpInfo({ namespace: this.namespace, labelSelector, limit: pageSize, _continue: token }, o));
      for (const item of page.items) out.push(plain<Obj>(item));
      token = page.metadata?._continue || undefined;
    } while (token);
    return out;
  }

  async readJob(name: string): Promise<Obj | undefined> {
    try {
      return plain<Obj>(await this.call({ verb: 'get', resource: 'batch/jobs', kind: 'Job', name, idempotent: true }, (o) =>
        this.batch.readNamespacedJobWithHttpInfo({ name, namespace: this.namespace }, o)));
    } catch (err) {
      if (err instanceof KubernetesApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Not retried: a create that timed out may have happened; the caller re-reads (the name is the lock). */
  async createJob(job: Obj): Promise<Obj> {
    return plain<Obj>(await this.call({ verb: 'create', resource: 'batch/jobs', kind: 'Job', name: job.metadata?.name, idempotent: false }, (o) =>
      this.batch.createNamespacedJobWithHttpInfo({ namespace: this.namespace, body: job as V1Job, fieldManager: FIELD_MANAGER }, o)));
  }

  async deleteJob(name: string, propagationPolicy: PropagationPolicy): Promise<void> {
    await this.call({ verb: 'delete', resource: 'batch/jobs', kind: 'Job', name, idempotent: false }, (o) =>
      this.batch.deleteNamespacedJobWithHttpInfo({ name, namespace: this.namespace, propagationPolicy }, o));
  }

  /** Unfinished Jobs of this CronJob: owned by it, or named for one of its slots. */
  async activeRuns(name: string): Promise<readonly ActiveRun[]> {
    const jobs = await this.listJobs();
    const slotName = new RegExp(`^${name.replace(/[.]/g, '\\.')}-\\d+$`);
    return jobs
      .filter((j) => {
        const owned = ((j.metadata?.ownerReferences ?? []) as Obj[]).some((r) => r.kind === 'CronJob' && r.name === name && r.controller);
        const named = slotName.test(j.metadata?.name ?? '') && j.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION] !== undefined;
        const finished = ((j.status?.conditions ?? []) as Obj[]).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
        return (owned || named) && !finished;
      })
      .map((j) => {
        const stamp = j.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION];
        return {
          id: j.metadata.name as string,
          ...(j.status?.startTime ? { startedAt: new Date(j.status.startTime) } : {}),
          ...(stamp ? { scheduledFor: new Date(stamp) } : {}),
        };
      });
  }

  // ---- Leases: the per-job lock ------------------------------------------------------------

  private leaseTimes(lease: V1Lease): { holder?: string; expiresAt?: Date } {
    const spec = plain<Obj>(lease.spec ?? {});
    const renewed = spec.renewTime ?? spec.acquireTime;
    const duration = spec.leaseDurationSeconds;
    return {
      holder: spec.holderIdentity,
      expiresAt: renewed && typeof duration === 'number' ? new Date(Date.parse(renewed) + duration * 1000) : undefined,
    };
  }

  /**
   * Takes the lock on `job` for `holder` for `ttlSeconds` (server time). A lock held by someone
   * else and not expired is refused, naming the holder; an expired one, or one whose holder
   * `isAbandoned` says is gone, is taken over.
   */
  async acquireLock(job: string, holder: string, ttlSeconds: number, isAbandoned: (holder: string) => boolean = () => false): Promise<LeaseLock> {
    const name = `${LOCK_PREFIX}${job}`;
    const read = () => this.call({ verb: 'get', resource: 'coordination.k8s.io/leases', kind: 'Lease', name, idempotent: true }, (o) =>
      this.coordination.readNamespacedLeaseWithHttpInfo({ name, namespace: this.namespace }, o));
    // Reading first also sets the server clock, which the lease times are in.
    let current: V1Lease | undefined;
    try {
      current = await read();
    } catch (err) {
      if (!(err instanceof KubernetesApiError && err.code === 404)) throw err;
    }
    if (!current) {
      const now = this.serverClock().now();
      const spec = { holderIdentity: holder, leaseDurationSeconds: ttlSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
      try {
        const lease = await this.call({ verb: 'create', resource: 'coordination.k8s.io/leases', kind: 'Lease', name, idempotent: false }, (o) =>
          this.coordination.createNamespacedLeaseWithHttpInfo({ namespace: this.namespace, body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'migrate' } }, spec }, fieldManager: FIELD_MANAGER }, o));
        return { job, holder, lease };
      } catch (err) {
        if (!(err instanceof KubernetesApiError && err.reason === 'AlreadyExists')) throw err;
        current = await read();
      }
    }
    const { holder: other, expiresAt } = this.leaseTimes(current);
    const serverNow = this.serverClock().now();
    // A holder known to be gone (its process on this machine has exited) does not block.
    if (other && other !== holder && expiresAt && expiresAt > serverNow && !isAbandoned(other)) {
      throw new UserError(
        `job ${job} is locked by "${other}" until ${toRfc3339(expiresAt)}`,
        `Another migrate run holds Lease ${this.namespace}/${name}. Wait for it to finish; if that run is gone, the lock expires at ${toRfc3339(expiresAt)}.`,
      );
    }
    const transitions = (current.spec?.leaseTransitions ?? 0) + (other === holder ? 0 : 1);
    const taken = await this.call({ verb: 'update', resource: 'coordination.k8s.io/leases', kind: 'Lease', name, idempotent: false }, (o) =>
      this.coordination.replaceNamespacedLeaseWithHttpInfo({
        name,
        namespace: this.namespace,
        body: { ...current, spec: { ...current.spec, holderIdentity: holder, leaseDurationSeconds: ttlSeconds, acquireTime: serverNow, renewTime: serverNow, leaseTransitions: transitions } },
        fieldManager: FIELD_MANAGER,
      }, o));
    return { job, holder, lease: taken };
  }

  /** Extends the lock; fails if someone else took it meanwhile (the resourceVersion changed). */
  async renewLock(lock: LeaseLock): Promise<LeaseLock> {
    const name = `${LOCK_PREFIX}${lock.job}`;
    const now = this.serverClock().now();
    try {
      const lease = await this.call({ verb: 'update', resource: 'coordination.k8s.io/leases', kind: 'Lease', name, idempotent: false }, (o) =>
        this.coordination.replaceNamespacedLeaseWithHttpInfo({
          name, namespace: this.namespace, body: { ...lock.lease, spec: { ...lock.lease.spec, renewTime: now } }, fieldManager: FIELD_MANAGER,
        }, o));
      return { ...lock, lease };
    } catch (err) {
      if (err instanceof KubernetesApiError && (err.reason === 'Conflict' || err.code === 404)) {
        throw new UserError(`lost the lock on job ${lock.job}`, `Lease ${this.namespace}/${name} changed or vanished since it was taken; another run may hold it now. Stop and re-run.`);
      }
      throw err;
    }
  }

  /** Deletes the lock if it is still ours (preconditioned on its resourceVersion). */
  async releaseLock(lock: LeaseLock): Promise<void> {
    const name = `${LOCK_PREFIX}${lock.job}`;
    try {
      await this.call({ verb: 'delete', resource: 'coordination.k8s.io/leases', kind: 'Lease', name, idempotent: false }, (o) =>
        this.coordination.deleteNamespacedLeaseWithHttpInfo({
          name, namespace: this.namespace, body: { preconditions: { resourceVersion: lock.lease.metadata?.resourceVersion } },
        }, o));
    } catch (err) {
      if (err instanceof KubernetesApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  // ---- the call wrapper --------------------------------------------------------------------

  /**
   * One API call: each attempt bounded by `timeoutMs`, idempotent ones retried. A timed-out attempt
   * aborts its request, closing the socket: a request left waiting on a server that never answers
   * would otherwise keep the process alive after the command has given up.
   */
  private async call<T>(
    info: CallInfo,
    fn: (opts: ConfigurationOptions<ObservableMiddleware>, signal: AbortSignal) => Promise<{ data: T; headers: Record<string, string> }>,
  ): Promise<T> {
    const attempts = info.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.attempt(fn, info);
        this.observeDate(res.headers);
        return res.data;
      } catch (err) {
        if (err instanceof ApiException) this.observeDate(err.headers);
        const retriable = err instanceof ApiException ? [429, 500, 502, 503, 504].includes(err.code) : !(err instanceof KubernetesApiError);
        if (attempt < attempts && retriable) {
          await this.sleep(200 * 2 ** (attempt - 1));
          continue;
        }
        throw this.translate(err, info, attempt);
      }
    }
  }

  private attempt<T>(
    fn: (opts: ConfigurationOptions<ObservableMiddleware>, signal: AbortSignal) => Promise<T>,
    info: CallInfo,
  ): Promise<T> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new TimeoutError(`${info.verb} ${info.resource} timed out after ${this.timeoutMs} ms`));
        abort.abort();
      }, this.timeoutMs);
    });
    const request = fn({ middleware: [abortWith(abort.signal)], middlewareMergeStrategy: 'append' }, abort.signal);
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }

  private observeDate(headers: Record<string, string> | undefined): void {
    const d = headerDate(headers);
    if (d) this.serverOffsetMs = d.getTime() - this.localClock.now().getTime();
  }

  private translate(err: unknown, info: CallInfo, attempts: number): Error {
    const target = info.name ? `${info.kind} ${this.namespace}/${info.name}` : `${info.kind}s in namespace ${this.namespace}`;
    if (err instanceof TimeoutError) {
      const waited = attempts > 1 ? `in ${attempts} attempts of ${duration(this.timeoutMs)} each` : `in ${duration(this.timeoutMs)}`;
      return new KubernetesApiError(`${info.verb} ${target}: no answer from ${this.server} ${waited}`, 'The API server is slow or unreachable; check the cluster, then re-run (the command is safe to repeat).', 0, 'Timeout');
    }
    if (!(err instanceof ApiException)) {
      const message = err instanceof Error ? err.message : String(err);
      return new KubernetesApiError(`cannot reach the Kubernetes API at ${this.server}`, `${message}\nCheck kubeconfig context "${this.context}" and that the cluster is up.`, 0, undefined);
    }
    const status = parseStatus(err.body);
    const reason = status?.reason;
    const serverMessage = status?.message ?? `HTTP ${err.code}`;
    const causes = (status?.details?.causes ?? []) as { field?: string; message?: string; reason?: string }[];
    const [group, resource] = info.resource.includes('/') ? info.resource.split('/') as [string, string] : ['', info.resource];
    switch (err.code) {
      case 401:
        return new KubernetesApiError(`the Kubernetes API rejected the credentials of context "${this.context}" (401 Unauthorized) on ${info.verb} ${resource}`,
          'The token or certificate is missing, expired or wrong. Log in again or fix the user in your kubeconfig.', 401, 'Unauthorized');
      case 403:
        return new KubernetesApiError(`the credentials of context "${this.context}" lack "${info.verb}" on ${group ? `${group}/` : ''}${resource} in namespace ${this.namespace}`,
          `${serverMessage}\nAsk for RBAC that grants ${info.verb} on ${resource}${group ? `.${group}` : ''}; check with: kubectl auth can-i ${info.verb} ${resource}${group ? `.${group}` : ''} -n ${this.namespace}`, 403, 'Forbidden');
      case 404: {
        const kind = status?.details?.kind;
        if (kind === 'namespaces') {
          return new KubernetesApiError(`namespace ${String(status?.details?.name ?? this.namespace)} does not exist`, 'Create it, or pick another with -n/--namespace.', 404, 'NotFound');
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
        return new KubernetesApiError(`${info.verb} ${target} failed: ${err.code} ${reason ?? ''}`.trim(), serverMessage, err.code, reason);
    }
  }
}

class TimeoutError extends Error {}

/** Client-node middleware that hands the request an AbortSignal (its fetch aborts on it). */
function abortWith(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function parseStatus(body: unknown): Obj | undefined {
  if (typeof body === 'object' && body !== null) return body as Obj;
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as Obj;
  } catch {
    return undefined;
  }
}
