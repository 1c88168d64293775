/**
 * How the CronJob controller names and stamps the Job of a slot, shared by the stand-in's
 * controller and by `move`, which creates a passed slot's Job under the same name (the name is
 * the lock: the controller never creates a second Job for that slot).
 */
import { DateTime } from 'luxon';
import { intlZone } from '../../src/core/schedule/cron.js';
import { toRfc3339 } from '../../src/core/time.js';
import type { CronJobManifest, ObjectMeta } from './render.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The slot as the annotation carries it: RFC 3339 in the CronJob's zone (Go prints `Z` for offset 0). */
export function formatScheduledTimestamp(slot: Date, zone: string): string {
  const dt = DateTime.fromJSDate(slot, { zone: intlZone(zone) });
  return dt.offset === 0 ? toRfc3339(slot) : dt.toISO({ suppressMilliseconds: true })!;
}

/** `<cronjob>-<unix minutes of the slot>` (getJobName). */
export function jobNameFor(cronJob: string, slot: Date): string {
  return `${cronJob}-${Math.floor(slot.getTime() / 60_000)}`;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface JobCondition {
  readonly type: string;
  readonly status: string;
  readonly [other: string]: unknown;
}

/** A batch/v1 Job as JSON: the fields the client reads typed, the rest kept as they came. */
export interface JobObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly ownerReferences?: readonly OwnerReference[] };
  readonly spec?: { readonly [field: string]: unknown };
  readonly status?: {
    readonly startTime?: string;
    readonly active?: number;
    readonly conditions?: readonly JobCondition[];
    readonly [other: string]: unknown;
  };
}

/** A v1 Pod as JSON: the fields `slo` reads typed, the rest kept as they came. */
export interface PodObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly ownerReferences?: readonly OwnerReference[] };
  readonly status?: {
    /** `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`. */
    readonly phase?: string;
    /** `Evicted` for a pod the kubelet evicted. */
    readonly reason?: string;
    readonly conditions?: readonly JobCondition[];
    readonly [other: string]: unknown;
  };
}

/** What a slot's Job is made from: a CronJob as the client reads it, or as the stand-in stores it. */
interface CronJobParts {
  readonly metadata?: { readonly name?: string; readonly uid?: string };
  readonly spec?: { readonly jobTemplate?: Partial<CronJobManifest['spec']['jobTemplate']> };
}

/**
 * The Job the controller creates for `slot` (without apiVersion and kind): its name, the
 * template's labels and annotations plus the scheduled timestamp, and a controller
 * ownerReference to the CronJob. `move` creates a passed slot's Job with exactly this.
 */
export function slotJob(cronJob: CronJobParts, slot: Date, zone: string): JobObject {
  const template = structuredClone(cronJob.spec?.jobTemplate ?? {});
  const name = cronJob.metadata?.name ?? '';
  return {
    metadata: {
      name: jobNameFor(name, slot),
      labels: template.metadata?.labels,
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatScheduledTimestamp(slot, zone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name, uid: cronJob.metadata?.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec ?? {},
  };
}
