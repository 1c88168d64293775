/** The resource types the stand-in serves, described once for routing, discovery and errors. */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Whether a `/status` subresource exists (and the main resource ignores `status`). */
  readonly hasStatus: boolean;
  /** Whether `metadata.generation` exists and is bumped on spec changes. */
  readonly generation: boolean;
}

/** JSON as a client sent it: each member is checked where it is read. */
export type JsonObject = Record<string, unknown>;

/**
 * The metadata of an object the store holds. The store sets these on create (the name once it
 * validated, uid, creationTimestamp, generation; resourceVersion on commit, so not on a dry run)
 * and keeps them on update; every other member is the client's, unchecked.
 */
export interface StoredMetadata {
  name: string;
  namespace?: string;
  uid: string;
  creationTimestamp: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
  [field: string]: unknown;
}

/** An object the store holds: its identity typed, everything else JSON, narrowed where read. */
export interface KObject {
  metadata: StoredMetadata;
  [field: string]: unknown;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export const RESOURCES: readonly ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], categories: [], hasStatus: true, generation: false },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], hasStatus: true, generation: false },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'], hasStatus: true, generation: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true, shortNames: [], categories: ['all'], hasStatus: true, generation: true },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, shortNames: [], categories: [], hasStatus: false, generation: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'], categories: [], hasStatus: false, generation: false },
];

export const resourceVerbs: readonly string[] = VERBS;

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `cronjobs.batch`, or `namespaces` for the core group: how Status messages name a resource. */
export function qualifiedResource(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** `CronJob.batch`, or `Namespace` for the core group: how 422 messages name a kind. */
export function qualifiedKind(r: ResourceType): string {
  return r.group ? `${r.kind}.${r.group}` : r.kind;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export const NAMESPACES = RESOURCES[0]!;
export const PODS = RESOURCES[1]!;
export const CRONJOBS = RESOURCES[2]!;
export const JOBS = RESOURCES[3]!;
export const LEASES = RESOURCES[4]!;
export const CONFIGMAPS = RESOURCES[5]!;
