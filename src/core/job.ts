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
  /** Container image, for the backends that run containers (default from `migrate.yaml`). */
  readonly image?: string;
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
}

export const DEFAULT_TIMEZONE = 'Etc/UTC';
export const DEFAULT_RETRIES = 2;
export const DEFAULT_CONCURRENCY: Concurrency = 'forbid';
export const DEFAULT_STARTING_DEADLINE_SECONDS = 20 * 60;
export const DEFAULT_NAMESPACE = 'default';

/** Env names that hold secrets: masked in every diff, log and journal. */
export function isSecretEnvName(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i.test(name);
}
