/**
 * The Kubernetes side of a cutover. The traps it avoids (docs/kubernetes.md, "Traps for a cutover"): a new
 * CronJob never catches up (only slots after its creationTimestamp run), un-suspending an old one
 * runs its latest missed slot at once, and a delete cascades into running Jobs by default.
 */
import type { CutoverSide, EnableOutcome } from '../../src/core/cutover.js';
import { slotsBetween } from '../../src/core/handoff.js';
import type { KubernetesClient } from './client.js';
import { KubernetesApiError } from './errors.js';
import { slotJob, type JobObject } from './slots.js';
import { normalizeCronJob } from './normalize.js';
import type { CronJobManifest } from './render.js';

export function kubernetesCutoverSide(client: KubernetesClient, name: string): CutoverSide<CronJobManifest> {
  return {
    system: 'kubernetes',
    read: () => client.read(name),
    isEnabled: (live) => live.spec.suspend !== true,
    hasTaken(live, slot) {
      const last = lastScheduleTime(live);
      const created = live.metadata.creationTimestamp;
      return (last !== undefined && Date.parse(last) >= slot.getTime()) || (created !== undefined && Date.parse(created) >= slot.getTime());
    },
    async disable() {
      // Suspend, never delete with cascade: a running Job must finish.
      await client.mergePatch(name, { spec: { suspend: true } });
    },
    async enableFrom(desired, firstSlot, schedule): Promise<EnableOutcome> {
      const live = await client.read(name);
      if (live) {
        // An old copy would run its latest missed slot the moment it is un-suspended, a slot the
        // other system already ran. Delete it (Orphan: its Jobs keep running) and start fresh.
        await client.deleteCronJob(name, 'Orphan');
        await waitUntilGone(client, name);
      }
      const fresh = freshCopy(desired);
      let created: CronJobManifest;
      try {
        created = await client.create(fresh);
      } catch (err) {
        // Never leave the job deleted after a failed create: put the old copy back (best effort),
        // suspended so it runs nothing, and a rollback or resume still finds it.
        if (live) {
          const old = freshCopy(live);
          await client.create({ ...old, spec: { ...old.spec, suspend: true } }).catch(() => undefined);
        }
        throw err;
      }
      const createdAt = new Date(created.metadata.creationTimestamp as string);
      // The controller runs only slots strictly after creationTimestamp (whole seconds). Slots
      // from firstSlot up to it passed while the job ran nowhere: start the latest one ourselves,
      // under the controller's own Job name (which the controller will never double), if it is
      // still inside the start window; name the rest as lost.
      const passed = slotsBetween(schedule.cron, schedule.timezone, new Date(firstSlot.getTime() - 1), createdAt);
      const serverNow = client.serverClock().now();
      const latest = passed.at(-1);
      const compensated: Date[] = [];
      const lost = passed.slice(0, -1);
      if (latest) {
        if (serverNow.getTime() - latest.getTime() <= schedule.startingDeadlineSeconds * 1000) {
          await createSlotJob(client, created, latest, schedule.timezone);
          compensated.push(latest);
        } else {
          lost.push(latest);
        }
      }
      return {
        firstSlot: latest && compensated.length ? latest : firstSlot,
        compensated,
        lost,
        detail: { creationTimestamp: created.metadata.creationTimestamp, uid: created.metadata.uid },
      };
    },
    activeRuns: () => client.activeRuns(name),
    serverClock: () => client.serverClock(),
    async serverNow() {
      await client.read(name);
      return client.serverClock().now();
    },
  };
}

/** The desired CronJob without server-owned fields, unsuspended. */
function freshCopy(desired: CronJobManifest): CronJobManifest {
  const clean = normalizeCronJob(desired);
  return { ...clean, spec: { ...clean.spec, suspend: false } };
}

function lastScheduleTime(live: CronJobManifest): string | undefined {
  const status = live.status;
  return typeof status === 'object' && status !== null && 'lastScheduleTime' in status && typeof status.lastScheduleTime === 'string' ? status.lastScheduleTime : undefined;
}

/** An Orphan delete returns before the object is gone: the garbage collector removes it after its Jobs' ownerReferences. */
async function waitUntilGone(client: KubernetesClient, name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const still = await client.read(name);
    if (!still) return;
    await client.pause(100);
  }
  throw new Error(`CronJob ${client.namespace}/${name} was deleted but is still there after 5 s (a finalizer?)`);
}

/** The Job the controller would have created for `slot`: same name, annotation, owner and template. */
async function createSlotJob(client: KubernetesClient, cronJob: CronJobManifest, slot: Date, zone: string): Promise<void> {
  const job: JobObject = { apiVersion: 'batch/v1', kind: 'Job', ...slotJob(cronJob, slot, zone) };
  try {
    await client.createJob(job);
  } catch (err) {
    // The name is the lock: if the Job exists, that slot is already running.
    if (!(err instanceof KubernetesApiError && err.reason === 'AlreadyExists')) throw err;
  }
}
