/**
 * The Kubernetes side of a cutover. The traps it avoids (docs/kubernetes.md, "Traps for a cutover"): a new
 * CronJob never catches up (only slots after its creationTimestamp run), un-suspending an old one
 * runs its latest missed slot at once, and a delete cascades into running Jobs by default.
 */
import type { CutoverSide, EnableOutcome, WriteFailure } from '../../src/core/cutover.js';
import { slotsBetween } from '../../src/core/handoff.js';
import type { KubernetesClient } from './client.js';
import { KubernetesApiError } from './errors.js';
import { jobNameFor, slotJob, type JobObject } from './slots.js';
import { FENCE_ANNOTATION, normalizeCronJob } from './normalize.js';
import type { CronJobManifest } from './render.js';

export function kubernetesCutoverSide(client: KubernetesClient, name: string): CutoverSide<CronJobManifest> {
  /** The copy the last enable was for: the body of a suspended placeholder when a create must be fenced. */
  let lastDesired: CronJobManifest | undefined;
  const scheduledUpTo = (live: CronJobManifest, slot: Date) => {
    const last = lastScheduleTime(live);
    return last !== undefined && Date.parse(last) >= slot.getTime();
  };
  return {
    system: 'kubernetes',
    read: () => client.read(name),
    isEnabled: (live) => live.spec.suspend !== true,
    pending(live, slot) {
      // The controller runs only slots after the CronJob's creationTimestamp.
      const created = live.metadata.creationTimestamp;
      return !scheduledUpTo(live, slot) && (created === undefined || Date.parse(created) < slot.getTime());
    },
    async taken(live, slots) {
      // lastScheduleTime covers every slot the controller ran; a slot started by hand (a passed
      // slot compensated at creation) shows only as its Job. The creationTimestamp is no evidence:
      // a slot before it was owed a Job that may never have been made.
      const open = slots.filter((slot) => !scheduledUpTo(live, slot));
      if (open.length === 0) return slots.map(() => true);
      // Only this CronJob's own Jobs count: a Job of another owner holding the name runs nothing of it.
      const uid = live.metadata.uid;
      const owned = (await client.listJobs()).filter((j) => (j.metadata.ownerReferences ?? []).some((r) => r.kind === 'CronJob' && r.uid === uid));
      const names = new Set(owned.map((j) => j.metadata.name));
      return slots.map((slot) => scheduledUpTo(live, slot) || names.has(jobNameFor(name, slot)));
    },
    async disable(given) {
      // Suspend, never delete with cascade: a running Job must finish. The patch names the
      // resourceVersion it was read at: one that lands late, on a newer copy (a put-back's fresh
      // CronJob), fails with a conflict instead of suspending it. The controller bumps the version
      // at every run, so a conflict on the same object is read again and retried.
      let live = given;
      for (let attempt = 0; ; attempt++) {
        try {
          return await client.mergePatch(name, { metadata: { resourceVersion: live.metadata.resourceVersion }, spec: { suspend: true } });
        } catch (err) {
          if (!(err instanceof KubernetesApiError && err.reason === 'Conflict') || attempt >= 3) throw err;
          const fresh = await client.read(name);
          if (!fresh || fresh.metadata.uid !== given.metadata.uid) throw err;
          if (fresh.spec.suspend === true) return fresh;
          live = fresh;
        }
      }
    },
    async enableFrom(desired, firstSlot, schedule, _landedBy, known): Promise<EnableOutcome> {
      lastDesired = desired;
      let live = known ? known.live : await client.read(name);
      if (live && live.spec.suspend !== true && live.metadata.deletionTimestamp === undefined) {
        // Idempotent: an enabled copy is this move's (created by a call whose answer was lost):
        // only the passed slots' Jobs may be missing.
        return compensate(client, live, firstSlot, schedule, { alreadyEnabled: true });
      }
      if (live) {
        // An old copy would run its latest missed slot the moment it is un-suspended, a slot the
        // other system already ran. Delete it (Orphan: its Jobs keep running) and start fresh.
        // The preconditions make a delete that lands late harmless to the fresh copy.
        await deleteOld(client, name, live);
        await waitUntilGone(client, name);
      }
      const old = live;
      try {
        live = await createFresh(client, name, freshCopy(desired));
      } catch (err) {
        // Never leave the job deleted after a failed create: put the old copy back (best effort),
        // suspended so it runs nothing, and a rollback or resume still finds it.
        if (old) {
          const copy = freshCopy(old);
          await client.create({ ...copy, spec: { ...copy.spec, suspend: true } }).catch(() => undefined);
        }
        throw err;
      }
      return compensate(client, live, firstSlot, schedule, {});
    },
    async placePaused(desired) {
      lastDesired = desired;
      const suspended = (copy: CronJobManifest): CronJobManifest => ({ ...copy, spec: { ...copy.spec, suspend: true } });
      const old = await client.read(name);
      if (old) {
        // Replaced whole, as an enable replaces it; every copy is suspended, so nothing runs.
        await deleteOld(client, name, old);
        await waitUntilGone(client, name);
      }
      try {
        await createFresh(client, name, suspended(freshCopy(desired)));
      } catch (err) {
        if (old) await client.create(suspended(freshCopy(old))).catch(() => undefined);
        throw err;
      }
    },
    async fence() {
      for (let attempt = 0; attempt < 5; attempt++) {
        const live = await client.read(name);
        try {
          if (live) {
            // A write that names the old resourceVersion (a suspend in flight) fails after this one.
            await client.mergePatch(name, { metadata: { resourceVersion: live.metadata.resourceVersion, annotations: { [FENCE_ANNOTATION]: String(Number(live.metadata.resourceVersion ?? 0) + 1) } } });
          } else if (lastDesired) {
            // A create in flight finds the name taken by a copy that runs nothing.
            const copy = freshCopy(lastDesired);
            await client.create({ ...copy, spec: { ...copy.spec, suspend: true } });
          }
          return;
        } catch (err) {
          // Something landed in between (the write itself, or another writer): read again.
          if (!(err instanceof KubernetesApiError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists'))) throw err;
        }
      }
    },
    writeFailure: (err): WriteFailure => (err instanceof KubernetesApiError && (err.code === 0 || err.code === 504) ? 'unknown' : 'not-applied'),
    get writeBudgetMs() {
      return client.callBudgetMs;
    },
    activeRuns: () => client.activeRuns(name),
    serverClock: () => client.serverClock(),
    async serverNow() {
      await client.read(name);
      return client.serverClock().now();
    },
  };
}

/** Deletes the old copy that was read, by uid and resourceVersion; an answer lost is settled by reading. */
async function deleteOld(client: KubernetesClient, name: string, live: CronJobManifest): Promise<void> {
  const preconditions = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
  try {
    await client.deleteCronJob(name, 'Orphan', preconditions);
  } catch (err) {
    const now = await client.read(name);
    if (!now || now.metadata.uid !== live.metadata.uid || now.metadata.deletionTimestamp !== undefined) return;
    // Still there (refused, or in flight): once more by uid alone (the controller may have bumped the version).
    if (err instanceof KubernetesApiError && err.reason !== 'Conflict' && err.code !== 0 && err.code < 500) throw err;
    await client.deleteCronJob(name, 'Orphan', { uid: live.metadata.uid });
  }
}

/** Creates the CronJob; the name is the lock, so a create whose answer was lost is settled by creating again. */
async function createFresh(client: KubernetesClient, name: string, fresh: CronJobManifest): Promise<CronJobManifest> {
  try {
    return await client.create(fresh);
  } catch (err) {
    if (!(err instanceof KubernetesApiError && (err.code === 0 || err.code === 504 || err.reason === 'AlreadyExists'))) throw err;
    const landed = await client.read(name);
    if (landed) return landed;
    return client.create(fresh);
  }
}

/**
 * The controller runs only slots strictly after creationTimestamp (whole seconds). Slots from
 * firstSlot up to it passed while the job ran nowhere: each one still inside the start window is
 * started now under the controller's own Job name (which the controller never doubles); older
 * ones are named as lost.
 */
async function compensate(
  client: KubernetesClient,
  created: CronJobManifest,
  firstSlot: Date,
  schedule: { readonly cron: string; readonly timezone: string; readonly startingDeadlineSeconds: number },
  detail: Readonly<Record<string, unknown>>,
): Promise<EnableOutcome> {
  const createdAt = new Date(created.metadata.creationTimestamp as string);
  const passed = slotsBetween(schedule.cron, schedule.timezone, new Date(firstSlot.getTime() - 1), createdAt);
  const serverNow = client.serverClock().now();
  const compensated: Date[] = [];
  const lost: Date[] = [];
  for (const slot of passed) {
    if (serverNow.getTime() - slot.getTime() <= schedule.startingDeadlineSeconds * 1000) {
      await createSlotJob(client, created, slot, schedule.timezone);
      compensated.push(slot);
    } else {
      lost.push(slot);
    }
  }
  return {
    firstSlot: compensated[0] ?? firstSlot,
    compensated,
    lost,
    detail: { creationTimestamp: created.metadata.creationTimestamp, uid: created.metadata.uid, ...detail },
    answer: created,
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
