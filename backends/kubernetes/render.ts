/**
 * The pure half of the Kubernetes backend: a JobDefinition <-> a batch/v1 CronJob.
 * Everything is explicit in the render (time zone, policies, deadline), so what runs never
 * depends on a cluster's defaults or the controller-manager's local zone.
 */
import type { Imported, LintFinding, Rendered, TranslationWarning } from '../../src/core/backend.js';
import { parseDuration } from '../../src/core/duration.js';
import { normalizeCronJob } from './normalize.js';
import { UserError } from '../../src/core/errors.js';
import { otherSectionsDropped } from '../../src/core/specific.js';
import { kubernetesIdentity } from './identity.js';
import {
  DEFAULT_NAMESPACE,
  DEFAULT_TIMEZONE,
  type Concurrency,
  type EnvValue,
  type HostVolume,
  type JobDefinition,
  type PullPolicy,
  type ResourceAmounts,
  type Resources,
} from '../../src/core/job.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const TIER_LABEL = 'migrate.io/tier';
export const OWNER_ANNOTATION = 'migrate.io/owner';
export const DESCRIPTION_ANNOTATION = 'migrate.io/description';
export const CONTAINER_NAME = 'main';

export type { EnvVar, ResourceRequirements, VolumeMount, Volume, Container, ObjectMeta, CronJobManifest } from './manifest.js';
import type { EnvVar, ResourceRequirements, VolumeMount, Volume, Container, ObjectMeta, CronJobManifest } from './manifest.js';

const POLICY: Record<Concurrency, 'Allow' | 'Forbid' | 'Replace'> = { allow: 'Allow', forbid: 'Forbid', replace: 'Replace' };
/** Kubernetes calls Chronos' `disk` ephemeral storage. */
const RESOURCE_KEYS: Record<keyof ResourceAmounts, string> = { cpu: 'cpu', memory: 'memory', disk: 'ephemeral-storage' };

export function renderCronJob(job: JobDefinition): Rendered<CronJobManifest> {
  const warnings: TranslationWarning[] = [];
  const labels = { ...job.labels, [NAME_LABEL]: job.name, [MANAGED_BY_LABEL]: 'migrate', ...(job.tier ? { [TIER_LABEL]: job.tier } : {}) };
  const podLabels = { [NAME_LABEL]: job.name };
  const annotations = {
    ...(job.owner ? { [OWNER_ANNOTATION]: job.owner } : {}),
    ...(job.description ? { [DESCRIPTION_ANNOTATION]: job.description } : {}),
  };
  if (!job.image) throw new UserError(`job ${job.name} has no image: Kubernetes runs every job in a container`, NO_IMAGE_HINT);
  warnings.push(...otherSectionsDropped(job, kubernetesIdentity.name, 'Kubernetes'));
  const argv = typeof job.command === 'string' ? ['/bin/sh', '-c', job.command] : [...job.command];
  const volumes = job.volumes ?? [];
  const container: Container = {
    name: CONTAINER_NAME,
    image: job.image,
    ...(job.pullPolicy ? { imagePullPolicy: PULL_POLICY[job.pullPolicy] } : {}),
    command: argv,
    ...(Object.keys(job.env).length ? { env: Object.entries(job.env).map(([name, value]) => envVar(name, value)) } : {}),
    ...resourceRequirements(job.resources),
    ...(volumes.length ? { volumeMounts: volumes.map((v, i) => ({ name: volumeName(i), mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) })) } : {}),
  };
  const podSpec = {
    restartPolicy: 'Never' as const,
    ...(job.network === 'host' ? { hostNetwork: true } : {}),
    containers: [container],
    ...(volumes.length ? { volumes: volumes.map((v, i) => ({ name: volumeName(i), hostPath: { path: v.hostPath } })) } : {}),
  };
  const manifest: CronJobManifest = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: job.name,
      namespace: job.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      schedule: job.schedule,
      timeZone: job.timezone,
      concurrencyPolicy: POLICY[job.concurrency],
      startingDeadlineSeconds: job.startingDeadlineSeconds,
      suspend: job.paused === true,
      jobTemplate: {
        metadata: { labels: podLabels },
        spec: {
          backoffLimit: job.retries,
          template: {
            metadata: { labels: podLabels },
            // Retries are the Job's (backoffLimit), as Chronos retries a whole task.
            spec: podSpec,
          },
        },
      },
    },
  };
  return { manifest, warnings };
}

/** What a render or a move to Kubernetes without an image says to do. */
export const NO_IMAGE_HINT = 'Set image: in the definition, or defaults.image in migrate.yaml (a job may run without one on Chronos, as a command).';

const PULL_POLICY: Record<PullPolicy, NonNullable<Container['imagePullPolicy']>> = { always: 'Always', 'if-not-present': 'IfNotPresent', never: 'Never' };

/** The pod's volumes are named after their place in the definition's list: `host-0`, `host-1`, ... */
function volumeName(index: number): string {
  return `host-${index}`;
}

function envVar(name: string, value: EnvValue): EnvVar {
  return typeof value === 'string' ? { name, value } : { name, valueFrom: { secretKeyRef: { ...value.secretKeyRef } } };
}

function resourceRequirements(resources: Resources): { resources?: ResourceRequirements } {
  const convert = (amounts?: ResourceAmounts) => {
    if (!amounts) return undefined;
    const entries = Object.entries(amounts).filter(([, v]) => v !== undefined).map(([k, v]) => [RESOURCE_KEYS[k as keyof ResourceAmounts], v]);
    return entries.length ? Object.fromEntries(entries) : undefined;
  };
  const requests = convert(resources.requests);
  const limits = convert(resources.limits);
  if (!requests && !limits) return {};
  return { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } };
}

/** A live or rendered CronJob back to a definition (used by `import`). */
export function cronJobToDefinition(cronJob: CronJobManifest): Imported {
  const warnings: TranslationWarning[] = [];
  const spec = cronJob.spec;
  const podSpec = spec.jobTemplate.spec.template.spec;
  const containers = podSpec.containers ?? [];
  const container = containers[0];
  if (containers.length > 1) warnings.push({ field: 'spec.jobTemplate.spec.template.spec.containers', message: `${containers.length} containers: only the first ("${container.name}") is imported` });
  const known = new Set(['restartPolicy', 'containers', 'volumes', 'hostNetwork']);
  const hostVolumes = importVolumes(podSpec, container, warnings);
  if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== 'Never') warnings.push({ field: 'spec.jobTemplate.spec.template.spec.restartPolicy', message: `restartPolicy ${podSpec.restartPolicy} is not imported: a definition retries whole Jobs (restartPolicy Never, backoffLimit = retries)` });
  if (container && container.name !== CONTAINER_NAME) warnings.push({ field: 'containers[0].name', message: `container "${container.name}" is not imported under its name: migrate names its container "${CONTAINER_NAME}"` });
  for (const key of Object.keys(podSpec)) if (!known.has(key)) warnings.push({ field: `spec.jobTemplate.spec.template.spec.${key}`, message: `${key} has no equivalent in a job definition and is not imported` });
  const argv = [...(container?.command ?? []), ...(container?.args ?? [])];
  const command: readonly string[] | string = argv.length === 3 && argv[0] === '/bin/sh' && argv[1] === '-c' ? argv[2] : argv;
  if (argv.length === 0) warnings.push({ field: 'containers[0].command', message: 'no command: the image\'s entrypoint runs; the imported definition needs a command' });
  const env: Record<string, EnvValue> = {};
  for (const e of container?.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env[e.name] = { secretKeyRef: { name: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key } };
    else if (e.valueFrom) warnings.push({ field: `env.${e.name}`, message: 'valueFrom other than secretKeyRef is not imported' });
    else env[e.name] = e.value ?? '';
  }
  const back = (amounts?: Readonly<Record<string, string>>): ResourceAmounts | undefined => {
    if (!amounts) return undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(amounts)) {
      const field = (Object.keys(RESOURCE_KEYS) as (keyof ResourceAmounts)[]).find((k) => RESOURCE_KEYS[k] === key);
      if (field) out[field] = String(value);
      else warnings.push({ field: `resources.${key}`, message: `resource ${key} has no equivalent in a job definition` });
    }
    return out;
  };
  const requests = back(container?.resources?.requests);
  const limits = back(container?.resources?.limits);
  const labels: Record<string, string> = {};
  let tier: string | undefined;
  for (const [k, v] of Object.entries(cronJob.metadata.labels ?? {})) {
    if (k === TIER_LABEL) tier = v;
    else if (k !== NAME_LABEL && k !== MANAGED_BY_LABEL) labels[k] = v;
  }
  const policy = spec.concurrencyPolicy ?? 'Allow';
  const deadline = spec.startingDeadlineSeconds;
  if (deadline === undefined) warnings.push({ field: 'spec.startingDeadlineSeconds', message: 'no starting deadline: the definition gets the default 20m start window' });
  if (spec.timeZone === undefined) warnings.push({ field: 'spec.timeZone', message: `no timeZone: the cluster's controller zone applies; imported as ${DEFAULT_TIMEZONE}, check it` });
  const definition: JobDefinition = {
    name: cronJob.metadata.name,
    backend: 'kubernetes',
    schedule: spec.schedule,
    timezone: spec.timeZone ?? DEFAULT_TIMEZONE,
    command,
    image: container?.image,
    ...importedPullPolicy(container),
    ...(podSpec.hostNetwork === true ? { network: 'host' as const } : {}),
    ...(hostVolumes.length ? { volumes: hostVolumes } : {}),
    env,
    resources: { ...(requests && Object.keys(requests).length ? { requests } : {}), ...(limits && Object.keys(limits).length ? { limits } : {}) },
    retries: spec.jobTemplate.spec.backoffLimit ?? 6,
    concurrency: policy === 'Forbid' ? 'forbid' : policy === 'Replace' ? 'replace' : 'allow',
    startingDeadlineSeconds: deadline ?? parseDuration('20m')!,
    owner: cronJob.metadata.annotations?.[OWNER_ANNOTATION],
    description: cronJob.metadata.annotations?.[DESCRIPTION_ANNOTATION],
    tier,
    labels,
    namespace: cronJob.metadata.namespace ?? DEFAULT_NAMESPACE,
    ...(spec.suspend === true ? { paused: true } : {}),
  };
  return { definition, warnings };
}

/** The main container's hostPath mounts as the definition's volumes; every other volume or mount is said as not imported. */
function importVolumes(podSpec: CronJobManifest['spec']['jobTemplate']['spec']['template']['spec'], container: Container | undefined, warnings: TranslationWarning[]): HostVolume[] {
  const byName = new Map((podSpec.volumes ?? []).map((v) => [v.name, v]));
  const used = new Set<string>();
  const out: HostVolume[] = [];
  for (const m of container?.volumeMounts ?? []) {
    const v = byName.get(m.name);
    used.add(m.name);
    const extra = Object.keys(m).filter((k) => !['name', 'mountPath', 'readOnly'].includes(k));
    if (!v?.hostPath || Object.keys(v).some((k) => k !== 'name' && k !== 'hostPath') || (v.hostPath.type ?? '') !== '' || extra.length) {
      warnings.push({ field: `volumeMounts.${m.name}`, message: `volume ${m.name} at ${m.mountPath} is not imported: a definition mounts host folders only (hostPath without a type, mounted with mountPath and readOnly)` });
      continue;
    }
    if (m.name !== volumeName(out.length)) warnings.push({ field: `volumes.${m.name}`, message: `volume ${m.name} is imported unnamed: migrate names a job's volumes ${volumeName(0)}, ${volumeName(1)}, ...` });
    out.push({ hostPath: v.hostPath.path, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  for (const v of podSpec.volumes ?? []) if (!used.has(v.name)) warnings.push({ field: `volumes.${v.name}`, message: `volume ${v.name} is not mounted by the main container and is not imported` });
  return out;
}

/** The pull policy when it is not the one the API server gives that image by default. */
function importedPullPolicy(container: Container | undefined): { pullPolicy?: PullPolicy } {
  const policy = container?.imagePullPolicy;
  if (!policy || !container?.image) return {};
  const defaulted = normalizeCronJob({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: container.image }] } } } } } });
  if (defaulted.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy === policy) return {};
  const found = (Object.keys(PULL_POLICY) as PullPolicy[]).find((p) => PULL_POLICY[p] === policy);
  return found ? { pullPolicy: found } : {};
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What stops a definition from running on Kubernetes. Name rules are checked for every job in lint.ts. */
export function lintForKubernetes(job: JobDefinition): LintFinding[] {
  const findings: LintFinding[] = [];
  if (!job.image) findings.push({ field: 'image', message: 'a job that runs on Kubernetes needs an image; set image here or defaults.image in migrate.yaml' });
  findings.push(...otherSectionsDropped(job, kubernetesIdentity.name, 'Kubernetes').map((w) => ({ ...w, severity: 'warning' as const })));
  if (!DNS1123_LABEL.test(job.namespace) || job.namespace.length > 63) findings.push({ field: 'namespace', message: `namespace "${job.namespace}" is not a DNS-1123 label` });
  return findings;
}
