/**
 * Chronos' own fields of a definition (`specific.chronos`, docs/format.md "Backend-specific
 * fields"): the parts of a Chronos job that no other backend has, carried as written from
 * `import` to `render`, so that an imported job posts back unchanged. Also the mapping of a
 * Docker container (image, pull policy, network, hostPath volumes) to the definition and back,
 * the parts of it that only Chronos has staying in `specific.chronos.container`. Pure.
 */
import type { LintFinding, TranslationWarning } from '../../src/core/backend.js';
import type { HostVolume, JobDefinition, SpecificFields } from '../../src/core/job.js';
import { chronosIdentity } from './identity.js';
import {
  CHRONOS_DEFAULTS, CHRONOS_NAME_PATTERN, ChronosBodyError, readChronosJob,
  type ChronosContainer, type ChronosFetch, type ChronosJob, type ChronosKeyValue, type ChronosNetworkInfo, type ChronosVolume,
} from './model.js';

/** The key of Chronos' own section in a definition. */
export const SECTION = chronosIdentity.name;

/** The carried job fields other than `name` and `container`, with the value the server gives a job that sets none. */
const CARRIED_DEFAULTS = {
  constraints: [] as readonly unknown[],
  fetch: [] as readonly unknown[],
  runAsUser: CHRONOS_DEFAULTS.runAsUser as string,
  executor: '',
  executorFlags: '',
  taskInfoData: '',
  highPriority: false,
  softError: false,
  dataProcessingJobType: false,
  maxCompletionTime: 0,
};
type CarriedField = keyof typeof CARRIED_DEFAULTS;
const CARRIED = Object.keys(CARRIED_DEFAULTS) as CarriedField[];

/** The container's own parts that have no equivalent in a definition's neutral fields. */
export interface ContainerExtras {
  readonly type?: 'DOCKER' | 'MESOS';
  readonly network?: 'USER';
  readonly networkName?: string;
  readonly networkInfos?: readonly ChronosNetworkInfo[];
  readonly parameters?: readonly ChronosKeyValue[];
  /** Volumes that are not a host folder mounted at an absolute path (external volumes, sandbox paths). */
  readonly volumes?: readonly ChronosVolume[];
}

/** The job's section, or none. */
export function sectionOf(job: Pick<JobDefinition, 'specific'>): SpecificFields {
  return job.specific?.[SECTION] ?? {};
}

/** The fields a body gets from the section (the carried ones as written; not the name or the container). */
export function carriedBody(section: SpecificFields): Partial<ChronosJob> {
  const out: Record<string, unknown> = {};
  for (const field of CARRIED) if (section[field] !== undefined && section[field] !== null) out[field] = section[field];
  return out as Partial<ChronosJob>;
}

/**
 * The job's container as Chronos holds it: the definition's image, pull policy, network and
 * volumes, with the section's own parts. None without an image (Chronos drops such a container).
 */
export function renderContainer(job: JobDefinition, warnings: TranslationWarning[]): ChronosContainer | undefined {
  const extras = (sectionOf(job).container ?? {}) as ContainerExtras;
  if (!job.image) {
    const unused = [job.volumes?.length ? 'volumes' : '', job.network ? 'network' : '', job.pullPolicy ? 'pullPolicy' : ''].filter(Boolean);
    for (const field of unused) warnings.push({ field, message: `dropped in translation: ${field} needs a container, and without an image Chronos runs the job as a command` });
    return undefined;
  }
  if (job.pullPolicy === 'never') warnings.push({ field: 'pullPolicy', message: 'dropped in translation: pullPolicy never has no Chronos equivalent (Docker pulls an image the host lacks)' });
  return {
    type: extras.type ?? 'DOCKER',
    image: job.image,
    network: extras.network ?? (job.network === 'bridge' ? 'BRIDGE' : 'HOST'),
    ...(extras.networkName ? { networkName: extras.networkName } : {}),
    networkInfos: extras.networkInfos ?? [],
    volumes: [...(job.volumes ?? []).map(chronosVolume), ...(extras.volumes ?? [])],
    forcePullImage: job.pullPolicy === 'always',
    parameters: extras.parameters ?? [],
  };
}

function chronosVolume(v: HostVolume): ChronosVolume {
  return { containerPath: v.mountPath, hostPath: v.hostPath, mode: v.readOnly ? 'RO' : 'RW' };
}

/** A live container as the definition's neutral fields, and the parts only Chronos has (for the section). */
export function containerToDefinition(c: ChronosContainer, warnings: TranslationWarning[]): {
  readonly fields: Pick<JobDefinition, 'image' | 'pullPolicy' | 'network' | 'volumes'>;
  readonly extras: ContainerExtras;
} {
  const volumes: HostVolume[] = [];
  const otherVolumes: ChronosVolume[] = [];
  for (const v of c.volumes) {
    if (v.hostPath && !v.external && v.containerPath.startsWith('/')) volumes.push({ hostPath: v.hostPath, mountPath: v.containerPath, ...(v.mode === 'RO' ? { readOnly: true } : {}) });
    else otherVolumes.push(v);
  }
  const extras: Record<string, unknown> = {};
  if (c.type !== 'DOCKER') extras.type = c.type;
  if (c.network === 'USER') extras.network = 'USER';
  if (c.networkName) extras.networkName = c.networkName;
  if (c.networkInfos.length) extras.networkInfos = c.networkInfos;
  if (c.parameters.length) extras.parameters = c.parameters;
  if (otherVolumes.length) extras.volumes = otherVolumes;
  const only = (what: string) => `${what}: no equivalent outside Chronos; kept as specific.${SECTION}.container, so a move elsewhere drops it`;
  const carried = (field: string, what: string) => warnings.push({ field, message: only(what), carried: true });
  if (extras.type) carried('container.type', `container type ${c.type} (the Mesos containerizer)`);
  if (extras.network) carried('container.network', `container network USER${c.networkInfos.length ? ` (${c.networkInfos.map((n) => n.name).join(', ')})` : ''}`);
  else if (extras.networkInfos) carried('container.networkInfos', 'container networkInfos');
  if (extras.parameters) carried('container.parameters', `docker parameters ${c.parameters.map((p) => `--${p.key}=${p.value}`).join(' ')}`);
  if (extras.volumes) carried('container.volumes', `volumes that are not a host folder at an absolute path (${otherVolumes.map((v) => v.containerPath).join(', ')})`);
  return {
    fields: {
      image: c.image,
      ...(c.forcePullImage ? { pullPolicy: 'always' as const } : {}),
      // HOST is Chronos' default, not a choice it records: no network, each system's own default.
      ...(c.network === 'BRIDGE' ? { network: 'bridge' as const } : {}),
      ...(volumes.length ? { volumes } : {}),
    },
    extras: extras as ContainerExtras,
  };
}

/** The carried fields of a live job that differ from the server's defaults, each also said as a warning. */
export function carriedOf(live: ChronosJob, warnings: TranslationWarning[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of CARRIED) {
    const value = field === 'fetch' ? fetchOf(live) : live[field];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(CARRIED_DEFAULTS[field])) continue;
    out[field] = value;
    warnings.push({ field, message: `${field} ${JSON.stringify(value)}: no equivalent outside Chronos; kept as specific.${SECTION}.${field}, so a move elsewhere drops it`, carried: true });
  }
  return out;
}

/** `fetch`, or the deprecated `uris` as fetch entries (the server mirrors one into the other). */
function fetchOf(live: ChronosJob): readonly ChronosFetch[] {
  return live.fetch.length ? live.fetch : live.uris.map((uri) => ({ uri, executable: false, cache: false, extract: true }));
}

const CONTAINER_KEYS = ['type', 'network', 'networkName', 'networkInfos', 'parameters', 'volumes'];

/** What is wrong with the section's values: each as Chronos would read them, or fail to. */
export function lintSection(job: JobDefinition): LintFinding[] {
  const section = sectionOf(job);
  const findings: LintFinding[] = [];
  const at = (field: string, message: string) => findings.push({ field: `specific.${SECTION}.${field}`, message: `specific.${SECTION}.${field}: ${message}` });
  const name = section.name;
  if (name !== undefined && (typeof name !== 'string' || !CHRONOS_NAME_PATTERN.test(name))) at('name', `${JSON.stringify(name)} is not a Chronos job name (ASCII letters, digits, _ . -)`);
  for (const field of CARRIED) {
    const value = section[field];
    if (value === undefined) continue;
    const expected = CARRIED_DEFAULTS[field];
    if (Array.isArray(expected) ? !Array.isArray(value) : typeof value !== typeof expected) {
      at(field, `must be ${Array.isArray(expected) ? 'a list' : `a ${typeof expected}`}, found ${JSON.stringify(value)}`);
      continue;
    }
    if (field === 'maxCompletionTime' && (!Number.isInteger(value) || (value as number) < 0)) at(field, 'must be a whole number of seconds');
    if (field === 'constraints') {
      for (const [i, c] of (value as unknown[]).entries()) {
        if (!Array.isArray(c) || c.length !== 3 || !['EQUALS', 'LIKE', 'UNLIKE'].includes(String(c[1]))) at(`constraints[${i}]`, `${JSON.stringify(c)} is not [attribute, EQUALS|LIKE|UNLIKE, value] (Chronos drops any other)`);
      }
    }
    if (field === 'fetch') {
      for (const [i, f] of (value as unknown[]).entries()) {
        if (typeof f !== 'object' || f === null || typeof (f as { uri?: unknown }).uri !== 'string') at(`fetch[${i}]`, 'needs a uri: {uri, executable, cache, extract, output_file}');
      }
    }
  }
  const container = section.container;
  if (container !== undefined) {
    if (typeof container !== 'object' || container === null || Array.isArray(container)) at('container', `must be a mapping of ${CONTAINER_KEYS.join(', ')}`);
    else {
      for (const key of Object.keys(container)) if (!CONTAINER_KEYS.includes(key)) at(`container.${key}`, `not a part of a container kept here (${CONTAINER_KEYS.join(', ')}); image, forcePullImage and host volumes are the definition's image, pullPolicy and volumes`);
      const extras = container as Record<string, unknown>;
      if (extras.network !== undefined && extras.network !== 'USER') at('container.network', 'only USER is kept here; HOST and BRIDGE are the definition\'s network: host or bridge');
      if (extras.network === 'USER' && job.network) at('container.network', `USER contradicts network: ${job.network}; keep one`);
      if (!job.image) at('container', 'needs an image: Chronos drops a container without one');
      try {
        readChronosJob({ name: 'x', schedule: 'R/2000-01-01T00:00:00Z/P1D', container: { ...extras, image: 'x' } }, { now: new Date(0) });
      } catch (err) {
        if (!(err instanceof ChronosBodyError)) throw err;
        at('container', `Chronos would refuse it: ${err.message}`);
      }
    }
  }
  return findings;
}

const NAME_ADDR = /^(.*\S)\s*<([^<>]*)>$/;

/**
 * The definition's owner as Chronos' two fields: `Payments on-call <pay@example.com>` is
 * `ownerName` and `owner` (the notification address); any other owner is `owner` alone.
 */
export function ownerFields(owner: string | undefined): Partial<Pick<ChronosJob, 'owner' | 'ownerName'>> {
  if (!owner) return {};
  const m = NAME_ADDR.exec(owner);
  return m ? { owner: m[2].trim(), ownerName: m[1] } : { owner };
}

/** Chronos' owner and ownerName as one definition owner, the inverse of `ownerFields`. */
export function ownerOf(live: Pick<ChronosJob, 'owner' | 'ownerName'>, warnings: TranslationWarning[]): string | undefined {
  const name = live.ownerName ?? '';
  const address = live.owner ?? '';
  if (name === '') {
    if (NAME_ADDR.test(address)) warnings.push({ field: 'owner', message: `owner "${address}" reads as a name and an address; it renders back as ownerName and owner` });
    return address || undefined;
  }
  if (/[<>]/.test(name)) warnings.push({ field: 'ownerName', message: `ownerName "${name}" holds < or >; it does not render back as it is` });
  return `${name} <${address}>`;
}
