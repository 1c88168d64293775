/**
 * How the CronJob controller names and stamps the Job of a slot, shared by the stand-in's
 * controller and by `move`, which creates a passed slot's Job under the same name (the name is
 * the lock: the controller never creates a second Job for that slot).
 */
import { DateTime } from 'luxon';
import { toRfc3339 } from '../../src/core/time.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The slot as the annotation carries it: RFC 3339 in the CronJob's zone (Go prints `Z` for offset 0). */
export function formatScheduledTimestamp(slot: Date, zone: string): string {
  const dt = DateTime.fromJSDate(slot, { zone });
  return dt.offset === 0 ? toRfc3339(slot) : dt.toISO({ suppressMilliseconds: true })!;
}

/** `<cronjob>-<unix minutes of the slot>` (getJobName). */
export function jobNameFor(cronJob: string, slot: Date): string {
  return `${cronJob}-${Math.floor(slot.getTime() / 60_000)}`;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The Job the controller creates for `slot` (without apiVersion and kind): its name, the
 * template's labels and annotations plus the scheduled timestamp, and a controller
 * ownerReference to the CronJob. `move` creates a passed slot's Job with exactly this.
 */
export function slotJob(cronJob: Obj, slot: Date, zone: string): { metadata: Obj; spec: Obj } {
  const template = structuredClone(cronJob.spec?.jobTemplate ?? {}) as Obj;
  return {
    metadata: {
      name: jobNameFor(cronJob.metadata.name, slot),
      labels: template.metadata?.labels,
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatScheduledTimestamp(slot, zone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: cronJob.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec ?? {},
  };
}
