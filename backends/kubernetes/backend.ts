/**
 * Kubernetes as a `Backend`: everything the commands and the actions know about it.
 *
 * Connection settings, in order of precedence:
 *   kubeconfig:  --kubeconfig, KUBECONFIG, ~/.kube/config
 *   context:     --context, kubernetes.context in migrate.yaml, the kubeconfig's current context
 *   namespace:   -n, the job's namespace (from its definition or migrate.yaml), the context's
 *
 * It also holds the move lock (a Lease per job) and the record of moves (a ConfigMap per job,
 * move-records.ts): every move touches Kubernetes, so every operator sees both there.
 */
import {
  failedListing, type Backend, type BackendConnection, type ConnectionSettings, type Listing, type MoveRecordReading, type MoveRecordStore, type StatusView, type SystemState, type SystemView,
} from '../../src/core/backend.js';
import type { Lock, LockProvider } from '../../src/core/cutover.js';
import type { JobDefinition } from '../../src/core/job.js';
import { UserError } from '../../src/core/errors.js';
import type { JournalRecord } from '../../src/core/journal.js';
import type { RunEvidence } from '../../src/core/runs.js';
import { cronNext, cronTimes, parseCron } from '../../src/core/schedule/cron.js';
import { rfc3339OrNull, shortTime } from '../../src/core/time.js';
import { clientModule } from '../client-module.js';
import { kubernetesIdentity } from './identity.js';
import { projectNamespace } from '../../src/core/project.js';
import type { KubernetesClient, KubernetesClientOptions } from './client.js';
import { kubernetesFailureClass } from './errors.js';
import type { LoadedKubeConfig } from './kubeconfig.js';
import { kubernetesCutoverSide } from './cutover.js';
import { appendRecord, listRecordMaps, moveRecordName, readRecordMap, recordsOf } from './move-records.js';
import { normalizeCronJob } from './normalize.js';
import { kubernetesRuns } from './runs.js';
import { sameObject } from '../../src/core/same-object.js';
import { kubernetesAccess } from './rbac.js';
import { CONTAINER_NAME, cronJobToDefinition, lintForKubernetes, MANAGED_BY_LABEL, NAME_LABEL, renderCronJob, type CronJobManifest } from './render.js';

export interface KubernetesState extends SystemState {
  readonly namespace: string;
  readonly lastScheduleTime?: Date;
  readonly nextRun?: Date;
  /** Jobs of this CronJob still running (`status.active`). */
  readonly activeRuns: number;
}


const status: StatusView<KubernetesState> = {
  columns: ['KUBERNETES', 'LAST SCHEDULE', 'NEXT RUN', 'ACTIVE'],
  cells(v: SystemView<KubernetesState>) {
    if (!v.reachable) return ['unreachable', '?', '?', '?'];
    const s = v.state;
    return [s.present ? (s.enabled ? 'active' : 'suspended') : 'absent', shortTime(s.lastScheduleTime), s.enabled ? shortTime(s.nextRun) : '-', s.present ? String(s.activeRuns) : '-'];
  },
  record(v: SystemView<KubernetesState>) {
    return v.reachable
      ? {
          reachable: true, present: v.state.present, enabled: v.state.enabled, namespace: v.state.namespace,
          lastScheduleTime: rfc3339OrNull(v.state.lastScheduleTime), nextRun: rfc3339OrNull(v.state.nextRun), activeRuns: v.state.activeRuns,
        }
      : { reachable: false, present: null, enabled: null, error: v.error };
  },
  stateWord: (enabled) => (enabled ? 'active' : 'suspended'),
};

export interface KubernetesConnection extends BackendConnection<CronJobManifest> {
  /** A client bound to one namespace (the scope). */
  client(namespace: string): KubernetesClient;
  /** `-n` when given, else `namespace`, else the project's, else the kubeconfig context's. */
  namespaceFor(namespace?: string): string;
}

/** client.ts and @kubernetes/client-node: loaded by the commands that reach Kubernetes, before their first connection. */
export const kubernetesClientModule = clientModule('Kubernetes', () => import('./client-module.js'));

function connect(settings: ConnectionSettings): KubernetesConnection {
  const flag = (name: string) => settings.flags[name] as string | undefined;
  let kubeconfig: LoadedKubeConfig | undefined;
  const clients = new Map<string, KubernetesClient>();
  const loadKube = (): LoadedKubeConfig =>
    (kubeconfig ??= kubernetesClientModule.get().loadKubeConfig({ kubeconfig: flag('kubeconfig'), context: flag('context') ?? settings.project.sections.kubernetes?.context, env: settings.env }));
  const namespaceFor = (namespace?: string): string =>
    flag('namespace') ?? namespace ?? projectNamespace(settings.project) ?? loadKube().namespace;
  const client = (scope: string): KubernetesClient => {
    const ns = scope === '' ? namespaceFor() : scope;
    let c = clients.get(ns);
    if (!c) {
      const { sleep, timeoutMs, retries, forceConflicts } = settings.tuning;
      const options: KubernetesClientOptions = {
        namespace: ns, clock: settings.clock, env: settings.env, forceConflicts: forceConflicts ?? false,
        ...(sleep ? { sleep } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(retries !== undefined ? { retries } : {}),
      };
      c = new (kubernetesClientModule.get().KubernetesClient)(options, loadKube());
      clients.set(ns, c);
    }
    return c;
  };
  const locks: LockProvider = {
    system: 'kubernetes',
    async acquire(job, holder, ttlSeconds, isAbandoned): Promise<Lock> {
      const kube = client(namespaceFor(job.namespace));
      let lease = await kube.acquireLock(job.name, holder, ttlSeconds, isAbandoned);
      return {
        renew: async () => {
          lease = await kube.renewLock(lease);
        },
        release: () => kube.releaseLock(lease),
      };
    },
  };
  const moveRecords: MoveRecordStore = {
    where: (job) => `ConfigMap ${namespaceFor(job.namespace)}/${moveRecordName(job.name)}`,
    async read(jobs): Promise<MoveRecordReading> {
      const byNamespace = new Map<string, JobDefinition[]>();
      for (const job of jobs) {
        const ns = namespaceFor(job.namespace);
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), job]);
      }
      const records = new Map<string, JournalRecord[]>();
      const failures: { jobs: string[]; where: string; error: unknown }[] = [];
      await Promise.all([...byNamespace].map(async ([ns, inNs]) => {
        try {
          // One job: its ConfigMap alone; more: one LIST of the namespace's record ConfigMaps.
          const maps = inNs.length === 1
            ? new Map([[inNs[0]!.name, await readRecordMap(client(ns), inNs[0]!.name)]])
            : await listRecordMaps(client(ns), inNs.map((j) => j.name));
          for (const job of inNs) records.set(job.name, recordsOf(maps.get(job.name), job.name));
        } catch (err) {
          const where = inNs.length === 1 ? `ConfigMap ${ns}/${moveRecordName(inNs[0]!.name)}` : `the record ConfigMaps of namespace ${ns}`;
          failures.push({ jobs: inNs.map((j) => j.name), where, error: err });
        }
      }));
      return { records, failures };
    },
    append: async (job, records) => {
      const [first, ...rest] = records;
      return first ? appendRecord(client(namespaceFor(job.namespace)), first, ...rest) : [];
    },
  };
  return {
    client,
    namespaceFor,
    location: () => loadKube().server,
    // Every client talks to the same server; the newest reading is the latest (time only moves on).
    serverClock: () => ({
      now: () => {
        const seen = [...clients.values()].map((c) => c.serverClock().now().getTime());
        return seen.length ? new Date(Math.max(...seen)) : settings.clock.now();
      },
    }),
    scopeOf: (job?: JobDefinition) => namespaceFor(job?.namespace),
    side: (job: JobDefinition) => kubernetesCutoverSide(client(namespaceFor(job.namespace)), job.name),
    runsInFlight: (scope: string) => client(scope).activeRunsByCronJob(),
    async list(scopes) {
      const read = async (ns: string): Promise<[string, Listing<CronJobManifest>]> => {
        try {
          const c = client(ns);
          const items = await c.listCronJobs();
          return [ns, { ok: true, items: new Map(items.map((cj) => [cj.metadata.name, cj])), now: c.serverClock().now() }];
        } catch (err) {
          return [ns, failedListing(err)];
        }
      };
      return new Map(await Promise.all([...new Set(scopes)].map(read)));
    },
    async apply(job, scope) {
      await client(scope).apply(desired(job, scope));
    },
    locks,
    moveRecords,
    async runs(jobs) {
      const byNamespace = new Map<string, JobDefinition[]>();
      for (const job of jobs) {
        const ns = namespaceFor(job.namespace);
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), job]);
      }
      const answers = new Map<string, RunEvidence>();
      // Three LISTs per namespace, whatever the number of jobs in it.
      await Promise.all([...byNamespace].map(async ([ns, inNs]) => {
        try {
          const c = client(ns);
          // Pods only add the waiting ones: without them (no RBAC to list pods) the runs still count.
          const [cronJobs, allJobs, pods] = await Promise.all([
            c.listCronJobs(), c.listJobs(),
            c.listPods().catch((err: unknown) => err instanceof UserError ? err.summary : String(err)),
          ]);
          const now = c.serverClock().now();
          const cronJob = new Map(cronJobs.map((cj) => [cj.metadata.name, cj]));
          for (const job of inNs) {
            const read = kubernetesRuns(job.name, ns, cronJob.get(job.name), allJobs, typeof pods === 'string' ? [] : pods, now);
            answers.set(job.name, read.ok && typeof pods === 'string' ? { ...read, waiting: undefined, waitingUnread: pods } : read);
          }
        } catch (err) {
          const error = `namespace ${ns}: ${err instanceof UserError ? err.summary : String(err)}`;
          for (const job of inNs) answers.set(job.name, { ok: false, error });
        }
      }));
      return answers;
    },
  };
}

/** The CronJob as migrate applies it, in the namespace it is read from. */
function desired(job: JobDefinition, namespace: string): CronJobManifest {
  const manifest = renderCronJob(job).manifest;
  return { ...manifest, metadata: { ...manifest.metadata, namespace } };
}

/** Pod settings the API server filled in are not the owner's choices: they are not "dropped" on import. */
const POD_DEFAULTS: Readonly<Record<string, unknown>> = { dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 };

function withoutPodDefaults(cj: CronJobManifest): CronJobManifest {
  const podSpec = { ...cj.spec.jobTemplate.spec.template.spec } as Record<string, unknown>;
  for (const [key, value] of Object.entries(POD_DEFAULTS)) if (key in podSpec && sameObject(podSpec[key], value)) delete podSpec[key];
  const template = { ...cj.spec.jobTemplate.spec.template, spec: podSpec as CronJobManifest['spec']['jobTemplate']['spec']['template']['spec'] };
  return { ...cj, spec: { ...cj.spec, jobTemplate: { ...cj.spec.jobTemplate, spec: { ...cj.spec.jobTemplate.spec, template } } } };
}

/** Containers merge by name: applying "main" beside another container would run both. */
function applyRefusal(live: CronJobManifest): string | undefined {
  const containers = live.spec?.jobTemplate?.spec?.template?.spec?.containers;
  if (!containers || containers.every((c) => c.name === CONTAINER_NAME)) return undefined;
  return `its container is named ${containers.map((c) => `"${c.name}"`).join(', ')}, not "${CONTAINER_NAME}"; server-side apply would add a second container. Rename it, or delete the CronJob and apply again`;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' ? (v as Obj) : undefined);

/**
 * migrate's bookkeeping labels (managed-by, name) say who owns the object, not how the job runs:
 * they do not count, so a CronJob made by hand and imported diffs clean against itself.
 */
function dropBookkeepingLabels(holder: Obj | undefined): void {
  const metadata = obj(holder?.metadata);
  const labels = obj(metadata?.labels);
  if (!holder || !metadata || !labels) return;
  delete labels[MANAGED_BY_LABEL];
  delete labels[NAME_LABEL];
  if (Object.keys(labels).length === 0) delete metadata.labels;
  if (Object.keys(metadata).length === 0) delete holder.metadata;
}

/** The CronJob normalised for a diff: server-owned fields and bookkeeping labels out, the Job default in. */
function normalizeCronJobForDiff(manifest: CronJobManifest): CronJobManifest {
  const cj = normalizeCronJob(manifest) as unknown as Obj;
  const spec = obj(cj.spec);
  const jobTemplate = obj(spec?.jobTemplate);
  const jobSpec = obj(jobTemplate?.spec);
  dropBookkeepingLabels(cj);
  dropBookkeepingLabels(jobTemplate);
  dropBookkeepingLabels(obj(jobSpec?.template));
  // Every Job the controller creates gets backoffLimit 6 when the template has none.
  if (jobSpec && jobSpec.backoffLimit === undefined) jobSpec.backoffLimit = 6;
  return cj as unknown as CronJobManifest;
}

function observe(cj: CronJobManifest | undefined, now: Date, namespace: string): KubernetesState {
  if (!cj) return { present: false, enabled: false, namespace, activeRuns: 0 };
  const st = (cj.status ?? {}) as { lastScheduleTime?: string; active?: unknown[] };
  const enabled = cj.spec.suspend !== true;
  let nextRun: Date | undefined;
  if (enabled) {
    try {
      nextRun = cronNext(parseCron(cj.spec.schedule), cj.spec.timeZone ?? 'Etc/UTC', now);
    } catch {
      nextRun = undefined;
    }
  }
  return {
    present: true,
    enabled,
    namespace,
    ...(st.lastScheduleTime ? { lastScheduleTime: new Date(st.lastScheduleTime) } : {}),
    ...(nextRun ? { nextRun } : {}),
    activeRuns: st.active?.length ?? 0,
  };
}

export const kubernetesBackend = {
  ...kubernetesIdentity,
  serverTitle: 'Kubernetes API server',
  enableStrategy: 'a fresh CronJob created at the handoff (an old copy is deleted with propagationPolicy Orphan)',
  livePath: (name: string, namespace: string) => `kubernetes/${namespace}/${name}`,
  scopeNoun: 'namespace',
  configuredBy: 'the kubeconfig (--kubeconfig, --context)',
  render: (job: JobDefinition) => renderCronJob(job),
  toDefinition: (live: CronJobManifest) => cronJobToDefinition(withoutPodDefaults(live)),
  lint: (job: JobDefinition) => lintForKubernetes(job),
  // The CronJob controller runs the definition's cron as written: the side every other system is compared with.
  scheduleView: (job: JobDefinition, now: Date, count: number) => ({
    notation: 'cron',
    native: true,
    fields: { schedule: job.schedule, timeZone: job.timezone },
    times: cronTimes(parseCron(job.schedule), job.timezone, now, count),
    verdict: { kind: 'equivalent' } as const,
  }),
  normalize: (live: CronJobManifest) => normalizeCronJob(live),
  isEnabled: (live: CronJobManifest) => live.spec.suspend !== true,
  withEnabled: (live: CronJobManifest, enabled: boolean): CronJobManifest => ({ ...live, spec: { ...live.spec, suspend: !enabled } }),
  isManaged: (live: CronJobManifest) => live.metadata.labels?.[MANAGED_BY_LABEL] === 'migrate',
  desired: (job: JobDefinition, _now: Date, namespace: string) => desired(job, namespace),
  comparable: (live: CronJobManifest | undefined, desired: CronJobManifest) => ({ live: live && normalizeCronJobForDiff(live), desired: normalizeCronJobForDiff(desired) }),
  nameOf: (live: CronJobManifest) => live.metadata.name,
  applyRefusal,
  observe,
  status,
  connect,
  failureClass: kubernetesFailureClass,
  access: kubernetesAccess,
} satisfies Backend<CronJobManifest, KubernetesState>;
