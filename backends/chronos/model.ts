/**
 * The Chronos 3.x job JSON (docs/chronos.md, "The job JSON"), its defaults, and the server's reading of a posted
 * body: which keys it keeps, which it drops, which defaults it fills in. Pure: the stand-in,
 * the client and the diff normalisation share this one reading so they cannot disagree.
 */

/** One entry of `fetch`: what Mesos downloads into the sandbox before the command runs. */
export interface ChronosFetch {
  readonly uri: string;
  /** Default false. */
  readonly executable: boolean;
  /** Default false. */
  readonly cache: boolean;
  /** Default **true** (unlike the other two). */
  readonly extract: boolean;
  /** Emitted only when non-empty. */
  readonly output_file?: string;
}

export interface ChronosEnvVar {
  readonly name: string;
  readonly value: string;
}

export interface ChronosKeyValue {
  readonly key: string;
  readonly value: string;
}

export interface ChronosPortMapping {
  /** Serialised back by the server as strings. */
  readonly hostPort: number | string;
  readonly containerPort: number | string;
  readonly protocol?: string;
}

export interface ChronosNetworkInfo {
  readonly name: string;
  readonly protocol?: 'IPv4' | 'IPv6';
  readonly labels: readonly ChronosKeyValue[];
  readonly portMappings: readonly ChronosPortMapping[];
}

export interface ChronosVolume {
  readonly containerPath: string;
  readonly hostPath?: string;
  readonly mode?: 'RW' | 'RO';
  readonly external?: { readonly name: string; readonly provider: string; readonly options: readonly ChronosKeyValue[] };
}

export type ChronosNetwork = 'HOST' | 'BRIDGE' | 'USER';

export interface ChronosContainer {
  /** `DOCKER` (default) or `MESOS`; read case-insensitively. */
  readonly type: 'DOCKER' | 'MESOS';
  /** Required: a container without an image is silently dropped by the server. */
  readonly image: string;
  /** Case-sensitive; default `HOST`. */
  readonly network: ChronosNetwork;
  /** Deprecated; emitted only when set. */
  readonly networkName?: string;
  readonly networkInfos: readonly ChronosNetworkInfo[];
  readonly volumes: readonly ChronosVolume[];
  readonly forcePullImage: boolean;
  readonly parameters: readonly ChronosKeyValue[];
}

export type ConstraintOperator = 'EQUALS' | 'LIKE' | 'UNLIKE';
export type ChronosConstraint = readonly [attribute: string, operator: ConstraintOperator, value: string];

/**
 * A job as the 3.x server returns it from GET: every field present, defaults filled in.
 * Exactly one of `schedule` (scheduled job) and `parents` (dependent job) is set.
 */
export interface ChronosJob {
  /** Unique, case-sensitive key; `[A-Za-z0-9_.-]+` for a new job. */
  readonly name: string;
  /** Default "" (not validated). */
  readonly command: string;
  /** Default true; false makes `command` the executable and `arguments` its argv. */
  readonly shell: boolean;
  readonly executor: string;
  readonly executorFlags: string;
  readonly taskInfoData: string;
  /** Default 2; attempts after a failure, 60 s apart. */
  readonly retries: number;
  /** Notification email(s), comma-separated; default "". */
  readonly owner: string;
  readonly ownerName: string;
  readonly description: string;
  /** Server-maintained, but taken from the request body on every POST. */
  readonly successCount: number;
  readonly errorCount: number;
  /** ISO instant or "" (never null). */
  readonly lastSuccess: string;
  readonly lastError: string;
  /** Default 0.1 (the server's `--mesos_task_cpu`). */
  readonly cpus: number;
  /** MiB; default 256 (`--mesos_task_disk`). */
  readonly disk: number;
  /** MiB; default 128 (`--mesos_task_mem`). */
  readonly mem: number;
  /** Default false; the server also sets it (exhausted `R0`, too many failures). */
  readonly disabled: boolean;
  /** Default false: a final failure still triggers dependents when true. */
  readonly softError: boolean;
  readonly dataProcessingJobType: boolean;
  readonly errorsSinceLastSuccess: number;
  readonly fetch: readonly ChronosFetch[];
  /** Deprecated twin of `fetch`; GET /jobs mirrors one into the other. */
  readonly uris: readonly string[];
  readonly environmentVariables: readonly ChronosEnvVar[];
  readonly arguments: readonly string[];
  readonly highPriority: boolean;
  /** Default `root` (the server's `--user`). */
  readonly runAsUser: string;
  /** Default false: overlapping runs are not allowed. */
  readonly concurrent: boolean;
  /** Seconds; master only (absent in 3.0.2). */
  readonly maxCompletionTime?: number;
  readonly container?: ChronosContainer;
  readonly constraints: readonly ChronosConstraint[];
  /** Dependent jobs only; a set on the server, so order is not kept. */
  readonly parents?: readonly string[];
  /** Scheduled jobs only: `R[n]/start/period`, rewritten by the server at every launch. */
  readonly schedule?: string;
  /** Scheduled jobs only; default "". Overrides the offset in `schedule`. */
  readonly scheduleTimeZone?: string;
}

/** The server's flag defaults that it fills into every job at parse time. */
export const CHRONOS_DEFAULTS = {
  cpus: 0.1,
  mem: 128,
  disk: 256,
  retries: 2,
  runAsUser: 'root',
  shell: true,
  /** `--failure_retry`: delay before a retry, in milliseconds. */
  failureRetryMs: 60_000,
} as const;

/** The name rule for new jobs (`[\w.-]+`, ASCII). */
export const CHRONOS_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** GET output key order (JobSerializer). */
export const CHRONOS_KEY_ORDER = [
  'name', 'command', 'shell', 'executor', 'executorFlags', 'taskInfoData', 'retries', 'owner', 'ownerName',
  'description', 'successCount', 'errorCount', 'lastSuccess', 'lastError', 'cpus', 'disk', 'mem', 'disabled',
  'softError', 'dataProcessingJobType', 'errorsSinceLastSuccess', 'fetch', 'uris', 'environmentVariables',
  'arguments', 'highPriority', 'runAsUser', 'concurrent', 'maxCompletionTime', 'container', 'constraints',
  'parents', 'schedule', 'scheduleTimeZone',
] as const satisfies readonly (keyof ChronosJob)[];

export const SERVER_OWNED_FIELDS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

export function isDependentJob(job: ChronosJob): boolean {
  return job.parents !== undefined;
}

/**
 * Why the server could not read a body. `malformed` is what Jackson raises while reading
 * (bad JSON, missing name, an env var without name, a lowercase network): Jetty answers with
 * its HTML 500 page, not the JSON envelope.
 */
export class ChronosBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChronosBodyError';
  }
}

export interface ReadJobOptions {
  /** For a body with neither `schedule` nor `parents`: the server makes it `R1/<now>/PT24H`. */
  readonly now: Date;
  /** Keep `maxCompletionTime` (Chronos master); 3.0.2 drops it. Default true. */
  readonly maxCompletionTime?: boolean;
}

/**
 * Reads a posted job body the way the 3.x JobDeserializer does: unknown keys (and the 2.x
 * `epsilon`/`async`) dropped, null as absent, numeric strings accepted for resources, defaults
 * filled in, containers without an image and unknown constraint operators silently dropped.
 * Throws ChronosBodyError where the server's reader fails (an HTML 500 on the wire).
 */
export function readChronosJob(input: unknown, options: ReadJobOptions): ChronosJob {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ChronosBodyError('body is not a JSON object');
  const o = input as Record<string, unknown>;
  const name = o.name;
  if (typeof name !== 'string') throw new ChronosBodyError('missing field "name"');
  const job: { -readonly [K in keyof ChronosJob]: ChronosJob[K] } = {
    name,
    command: str(o, 'command'),
    shell: bool(o, 'shell', CHRONOS_DEFAULTS.shell),
    executor: str(o, 'executor'),
    executorFlags: str(o, 'executorFlags'),
    taskInfoData: str(o, 'taskInfoData'),
    retries: int(o, 'retries', CHRONOS_DEFAULTS.retries),
    owner: str(o, 'owner'),
    ownerName: str(o, 'ownerName'),
    description: str(o, 'description'),
    successCount: int(o, 'successCount', 0),
    errorCount: int(o, 'errorCount', 0),
    lastSuccess: str(o, 'lastSuccess'),
    lastError: str(o, 'lastError'),
    cpus: resource(o, 'cpus', CHRONOS_DEFAULTS.cpus),
    disk: resource(o, 'disk', CHRONOS_DEFAULTS.disk),
    mem: resource(o, 'mem', CHRONOS_DEFAULTS.mem),
    disabled: bool(o, 'disabled', false),
    softError: bool(o, 'softError', false),
    dataProcessingJobType: bool(o, 'dataProcessingJobType', false),
    errorsSinceLastSuccess: int(o, 'errorsSinceLastSuccess', 0),
    fetch: list(o, 'fetch', readFetch),
    uris: list(o, 'uris', (v) => String(v)),
    environmentVariables: list(o, 'environmentVariables', readEnvVar),
    arguments: list(o, 'arguments', (v) => String(v)),
    highPriority: bool(o, 'highPriority', false),
    runAsUser: str(o, 'runAsUser') || CHRONOS_DEFAULTS.runAsUser,
    concurrent: bool(o, 'concurrent', false),
    constraints: list(o, 'constraints', readConstraint).filter((c): c is ChronosConstraint => c !== undefined),
  };
  // Assigned rather than spread: listing 10,000 jobs reads each one through here.
  if (options.maxCompletionTime !== false) job.maxCompletionTime = int(o, 'maxCompletionTime', 0);
  const container = optionalContainer(o.container).container;
  if (container) job.container = container;
  if (o.parents !== undefined && o.parents !== null) {
    if (!Array.isArray(o.parents)) throw new ChronosBodyError('"parents" must be an array');
    job.parents = [...new Set(o.parents.map((p) => String(p)))];
    return job;
  }
  if (o.schedule !== undefined && o.schedule !== null) {
    job.schedule = String(o.schedule);
  } else {
    // The run-once branch of the deserializer: runs now, once, and drops `concurrent`.
    job.concurrent = false;
    job.schedule = `R1/${options.now.toISOString()}/PT24H`;
  }
  job.scheduleTimeZone = str(o, 'scheduleTimeZone');
  return job;
}

/** A job in GET key order (plain data for JSON), `output_file` and `networkName` only when set. */
export function serializeChronosJob(job: ChronosJob): Record<string, unknown> {
  // Built in key order without spreads or deletes: listing 10,000 jobs must stay fast.
  const out: Record<string, unknown> = {
    name: job.name, command: job.command, shell: job.shell, executor: job.executor, executorFlags: job.executorFlags,
    taskInfoData: job.taskInfoData, retries: job.retries, owner: job.owner, ownerName: job.ownerName, description: job.description,
    successCount: job.successCount, errorCount: job.errorCount, lastSuccess: job.lastSuccess, lastError: job.lastError,
    cpus: job.cpus, disk: job.disk, mem: job.mem, disabled: job.disabled, softError: job.softError,
    dataProcessingJobType: job.dataProcessingJobType, errorsSinceLastSuccess: job.errorsSinceLastSuccess, fetch: job.fetch,
    uris: job.uris, environmentVariables: job.environmentVariables, arguments: job.arguments, highPriority: job.highPriority,
    runAsUser: job.runAsUser, concurrent: job.concurrent,
  };
  if (job.maxCompletionTime !== undefined) out.maxCompletionTime = job.maxCompletionTime;
  if (job.container !== undefined) out.container = job.container;
  out.constraints = job.constraints;
  if (job.parents !== undefined) {
    out.parents = job.parents;
  } else if (job.schedule !== undefined) {
    out.schedule = job.schedule;
    if (job.scheduleTimeZone !== undefined) out.scheduleTimeZone = job.scheduleTimeZone;
  }
  return out;
}

/** What GET /jobs does (and GET /job/{name} and search do not): fill `uris` from `fetch` or the reverse. */
export function mirrorUrisAndFetch(job: ChronosJob): ChronosJob {
  if (job.fetch.length > 0 && job.uris.length === 0) return { ...job, uris: job.fetch.map((f) => f.uri) };
  if (job.uris.length > 0 && job.fetch.length === 0) {
    return { ...job, fetch: job.uris.map((uri) => ({ uri, executable: false, cache: false, extract: true })) };
  }
  return job;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') throw new ChronosBodyError(`"${key}" must be a string`);
  return String(v);
}

function bool(o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ChronosBodyError(`"${key}" must be a boolean`);
}

function int(o: Record<string, unknown>, key: string, fallback: number): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ChronosBodyError(`"${key}" must be a number`);
  return Math.trunc(n);
}

/** 0 or absent becomes the server's flag default (at parse time, so GET shows it). */
function resource(o: Record<string, unknown>, key: string, fallback: number): number {
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ChronosBodyError(`"${key}" must be a number`);
  return n === 0 ? fallback : n;
}

function list<T>(o: Record<string, unknown>, key: string, read: (v: unknown) => T): T[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ChronosBodyError(`"${key}" must be an array`);
  return v.map(read);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ChronosBodyError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function readFetch(v: unknown): ChronosFetch {
  const f = record(v, 'a fetch entry');
  if (typeof f.uri !== 'string') throw new ChronosBodyError('a fetch entry needs a "uri"');
  const outputFile = str(f, 'output_file');
  return {
    uri: f.uri,
    executable: bool(f, 'executable', false),
    cache: bool(f, 'cache', false),
    extract: bool(f, 'extract', true),
    ...(outputFile ? { output_file: outputFile } : {}),
  };
}

function readEnvVar(v: unknown): ChronosEnvVar {
  const e = record(v, 'an environment variable');
  if (e.name === undefined || e.name === null || e.value === undefined || e.value === null) {
    throw new ChronosBodyError('an environment variable needs both "name" and "value"');
  }
  return { name: String(e.name), value: String(e.value) };
}

function readKeyValue(v: unknown): ChronosKeyValue {
  const kv = record(v, 'a key/value entry');
  return { key: str(kv, 'key'), value: str(kv, 'value') };
}

function readConstraint(v: unknown): ChronosConstraint | undefined {
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [attribute, operator, value] = v.map((x) => String(x));
  if (operator !== 'EQUALS' && operator !== 'LIKE' && operator !== 'UNLIKE') return undefined;
  return [attribute, operator, value];
}

function optionalContainer(v: unknown): { container?: ChronosContainer } {
  if (v === undefined || v === null) return {};
  const c = record(v, '"container"');
  const image = c.image;
  if (typeof image !== 'string' || image === '') return {};
  const type = str(c, 'type').toUpperCase() || 'DOCKER';
  if (type !== 'DOCKER' && type !== 'MESOS') throw new ChronosBodyError('container.type must be DOCKER or MESOS');
  const network = str(c, 'network') || 'HOST';
  // Case-sensitive on the server: "bridge" fails the reader (an HTML 500).
  if (network !== 'HOST' && network !== 'BRIDGE' && network !== 'USER') {
    throw new ChronosBodyError('container.network must be HOST, BRIDGE or USER (upper case)');
  }
  const networkName = str(c, 'networkName');
  return {
    container: {
      type,
      image,
      network,
      ...(networkName ? { networkName } : {}),
      networkInfos: list(c, 'networkInfos', (n) => {
        const ni = record(n, 'a networkInfos entry');
        const protocol = str(ni, 'protocol');
        return {
          name: str(ni, 'name'),
          ...(protocol === 'IPv4' || protocol === 'IPv6' ? { protocol } : {}),
          labels: list(ni, 'labels', readKeyValue),
          portMappings: list(ni, 'portMappings', (p) => {
            const pm = record(p, 'a port mapping');
            const proto = str(pm, 'protocol');
            // The server writes the ports back as strings.
            return { hostPort: str(pm, 'hostPort'), containerPort: str(pm, 'containerPort'), ...(proto ? { protocol: proto } : {}) };
          }),
        };
      }),
      volumes: list(c, 'volumes', (x) => {
        const vol = record(x, 'a volume');
        const hostPath = str(vol, 'hostPath');
        const mode = str(vol, 'mode').toUpperCase();
        const ext = vol.external;
        return {
          containerPath: str(vol, 'containerPath'),
          ...(hostPath ? { hostPath } : {}),
          ...(mode === 'RW' || mode === 'RO' ? { mode } : {}),
          ...(ext !== undefined && ext !== null
            ? (() => {
                const e = record(ext, 'volume.external');
                return { external: { name: str(e, 'name'), provider: str(e, 'provider'), options: list(e, 'options', readKeyValue) } };
              })()
            : {}),
        } satisfies ChronosVolume;
      }),
      forcePullImage: bool(c, 'forcePullImage', false),
      parameters: list(c, 'parameters', readKeyValue),
    },
  };
}
