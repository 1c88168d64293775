/**
 * The job model: one definition, independent of where it runs. Loaded from `jobs/*.yaml` (see
 * `load.ts`) with project defaults from `migrate.yaml` applied; rendered by each backend.
 */
export const BACKENDS = ['chronos', 'kubernetes'] as const;
export type BackendName = (typeof BACKENDS)[number];

export type Concurrency = 'allow' | 'forbid' | 'replace';

/** An env value is a literal or a reference to a Kubernetes Secret key (never inlined). */
export type EnvValue = string | { readonly secretKeyRef: { readonly name: string; readonly key: string } };

/** Kubernetes quantities as written (`0.1`, `500m`, `128M`, `1Gi`): kept as strings so nothing drifts. */
export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
  readonly disk?: string;
}

export interface Resources {
  readonly requests?: ResourceAmounts;
  readonly limits?: ResourceAmounts;
}

export interface JobDefinition {
  /** DNS-1123 label of at most 52 characters, unique across `jobs/`. */
  readonly name: string;
  /** Where the job runs now. */
  readonly backend: BackendName;
  /** 5-field cron, read exactly as the Kubernetes CronJob controller reads it. */
  readonly schedule: string;
  /** IANA zone; default from `migrate.yaml`, else `Etc/UTC`. */
  readonly timezone: string;
  /** argv (run without a shell) or a string run by `/bin/sh -c`. */
  readonly command: readonly string[] | string;
  /** Container image; Kubernetes needs one (default from `migrate.yaml`). */
  readonly image?: string;
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly resources: Resources;
  /** Chronos `retries` <-> Job `backoffLimit`. Default 2 (Chronos' default). */
  readonly retries: number;
  /** Default `forbid` (Chronos' `concurrent: false`). */
  readonly concurrency: Concurrency;
  /** The start-latency objective, in seconds; Kubernetes `startingDeadlineSeconds`. Default 1200. */
  readonly startingDeadlineSeconds: number;
  readonly owner?: string;
  readonly description?: string;
  /** Importance; moves go least important first. */
  readonly tier?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes namespace (default from `migrate.yaml`, else `default`). */
  readonly namespace: string;
}

export const DEFAULT_TIMEZONE = 'Etc/UTC';
export const DEFAULT_RETRIES = 2;
export const DEFAULT_CONCURRENCY: Concurrency = 'forbid';
export const DEFAULT_STARTING_DEADLINE_SECONDS = 20 * 60;
export const DEFAULT_NAMESPACE = 'default';

/** `k8s` is accepted wherever a backend is named. */
export function parseBackendName(value: string): BackendName | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'k8s' || v === 'kubernetes') return 'kubernetes';
  if (v === 'chronos') return 'chronos';
  return undefined;
}

/** Env names that hold secrets: masked in every diff, log and journal. */
export function isSecretEnvName(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i.test(name);
}
