/**
 * The job model: one definition, independent of where it runs. Loaded from `jobs/*.yaml` (see
 * `load.ts`) with project defaults from `migrate.yaml` applied; rendered by each backend.
 */
import type { BackendName } from './backend-names.js';

export type { BackendName } from './backend-names.js';

export type Concurrency = 'allow' | 'forbid' | 'replace';

/** An env value is a literal or a reference to a key of a named secret (never inlined). */
export type EnvValue = string | { readonly secretKeyRef: { readonly name: string; readonly key: string } };

/** Resource quantities as written (`0.1`, `500m`, `128M`, `1Gi`; the grammar in quantity.ts): kept as strings so nothing drifts. */
export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
  readonly disk?: string;
}

export interface Resources {
  readonly requests?: ResourceAmounts;
  readonly limits?: ResourceAmounts;
}

/** A folder of the host the job runs on, mounted into its container. */
export interface HostVolume {
  readonly hostPath: string;
  readonly mountPath: string;
  /** Default false. */
  readonly readOnly?: boolean;
}

/** When the image is pulled before a run: every time, only when the host lacks it, or never. */
export type PullPolicy = 'always' | 'if-not-present' | 'never';

/** `host`: the container shares the host's network; `bridge`: it gets a network of its own. */
export type Network = 'host' | 'bridge';

/** The fields only one backend has, as that backend names them; read and checked by that backend (docs/format.md, "Backend-specific fields"). */
export type SpecificFields = Readonly<Record<string, unknown>>;

export interface JobDefinition {
  /** DNS-1123 label of at most 52 characters, unique across `jobs/`. */
  readonly name: string;
  /** Where the job runs now. */
  readonly backend: BackendName;
  /** 5-field cron, read as schedule/cron.ts reads it (docs/schedules.md). */
  readonly schedule: string;
  /** IANA zone; default from `migrate.yaml`, else `Etc/UTC`. */
  readonly timezone: string;
  /** argv (run without a shell) or a string run by `/bin/sh -c`. */
  readonly command: readonly string[] | string;
  /**
   * Container image, for the backends that run containers (default from `migrate.yaml`; `image:
   * null` in the file keeps a job without one, as a command on a backend that runs commands).
   */
  readonly image?: string;
  /** Default: each system's own (pull when the host lacks the image). */
  readonly pullPolicy?: PullPolicy;
  /** Default: each system's own. */
  readonly network?: Network;
  /** Host folders mounted into the container. Default none. */
  readonly volumes?: readonly HostVolume[];
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly resources: Resources;
  /** Attempts after a failed run. Default 2. */
  readonly retries: number;
  /** Whether a run may start while the previous one still runs. Default `forbid`. */
  readonly concurrency: Concurrency;
  /** The start-latency objective, in seconds: a run that cannot start within it is skipped. Default 1200. */
  readonly startingDeadlineSeconds: number;
  readonly owner?: string;
  readonly description?: string;
  /** Importance; moves go least important first. */
  readonly tier?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The namespace the job lives in, on a backend that has them (default from `migrate.yaml`, else `default`). */
  readonly namespace: string;
  /**
   * Placed on its backend but switched off on purpose: it runs no slot, and a move carries it
   * over switched off. Absent means false.
   */
  readonly paused?: boolean;
  /**
   * Per backend (by its name), the fields of its own object that no other backend has, kept as
   * written so that an imported job renders back the same. `name` there is the job's name on that
   * backend when it differs (`nameOn`).
   */
  readonly specific?: Readonly<Record<BackendName, SpecificFields>>;
}

export const DEFAULT_TIMEZONE = 'Etc/UTC';
export const DEFAULT_RETRIES = 2;
export const DEFAULT_CONCURRENCY: Concurrency = 'forbid';
export const DEFAULT_STARTING_DEADLINE_SECONDS = 20 * 60;
export const DEFAULT_NAMESPACE = 'default';

/** The job's name on one backend: its own there (`specific.<backend>.name`), else `name`. */
export function nameOn(job: Pick<JobDefinition, 'name' | 'specific'>, backend: BackendName): string {
  const own = job.specific?.[backend]?.name;
  return typeof own === 'string' ? own : job.name;
}

/** Env names that hold secrets: masked in every diff, log and journal. */
export function isSecretEnvName(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i.test(name);
}
