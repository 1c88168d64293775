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
