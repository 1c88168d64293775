/**
 * The CronJob controller (v2, `pkg/controller/cronjob/cronjob_controllerv2.go`) and a simulated
 * Job controller, kubelet and scheduler, all on the sandbox clock. A Job "runs" for a simulated
 * duration: it gets a Pod, placed on a node, then completes (or its Pod fails, and the Job
 * controller starts another after its backoff until `backoffLimit` is spent, and fails the Job).
 * The sandbox's imperfections (docs/sandbox.md) make the controller create a slot's Job late,
 * leave its Pod Pending (unschedulable), fail every Pod of it, or evict them.
 *
 * Every Job is recorded in the run ledger when it is created, with its slot when it has one: the
 * controller's Jobs always, and a client's Job when it is named `<cronjob>-<unix minutes>` and
 * carries the scheduled-timestamp annotation for that minute (how `move` compensates a slot).
 */
import { DateTime } from 'luxon';
import { cronNext, isValidTimeZone, mostRecentSlot, parseCron, type CronSpec } from '../../../src/core/schedule/cron.js';
import { toRfc3339 } from '../../../src/core/time.js';
import type { ImperfectionKind, ImperfectionSource, RunImperfection, RunRecorder, StandInClock, TimedParticipant } from '../../stand-in-contract.js';
import { clone, fieldsOf, objectsOf } from './patch.js';
import { endedStatus, nodeFor, pendingStatus, runningStatus, type PodEnd } from './pod-status.js';
import { ApiError } from './status.js';
import { CRONJOBS, JOBS, PODS, type JsonObject, type KObject } from './resources.js';
import { randomSuffix, type ObjectStore, type StoreEvent } from './store.js';
import { jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION, slotJob } from '../slots.js';

/** Sandbox-only: how long a Job runs (sandbox seconds), on the Job or its CronJob's jobTemplate. */
export const DURATION_ANNOTATION = 'sandbox.migrate.dev/duration-seconds';
/** Sandbox-only: `Failed` makes the Job fail at the end of its run instead of succeeding. */
export const OUTCOME_ANNOTATION = 'sandbox.migrate.dev/outcome';

/** What the sandbox's imperfections can do to a run here. */
export const KUBERNETES_IMPERFECTIONS: readonly ImperfectionKind[] = ['late', 'pending', 'fail', 'kill'];
/** The kinds applied to a Job when it is created; `late` is applied before, by the CronJob controller. */
const JOB_IMPERFECTIONS: readonly ImperfectionKind[] = ['pending', 'fail', 'kill'];

/** The Job controller's backoff after a failed Pod: 10 s, doubled per failure, at most 6 min. */
const POD_BACKOFF_MS = 10_000;
const POD_BACKOFF_MAX_MS = 360_000;
/** The API server's default `backoffLimit`. */
const DEFAULT_BACKOFF_LIMIT = 6;

/** The controller's requeue lands this long after a slot (`nextScheduleDelta`). */
const NEXT_SCHEDULE_DELTA_MS = 100;
/**
 * The informers' resync: every CronJob gets an update event and syncs. kube-controller-manager
 * picks 12-24 h at random; the sandbox uses 12 h so runs are reproducible, offset by half a
 * second so a resync never coincides with a slot (which would start it 100 ms early).
 */
const RESYNC_MS = 12 * 3600 * 1000;
const RESYNC_OFFSET_MS = 500;
const MANAGER = 'kube-controller-manager';

export interface ControllerEvent {
  readonly at: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly cronJob: string;
  readonly message: string;
}

export interface ControllerOptions {
  /** How long a Job runs when it does not say (sandbox seconds). Default 30. */
  readonly jobDurationSeconds?: number;
}

function cjKey(ns: string | undefined, name: string): string {
  return `${ns}/${name}`;
}

const specOf = (o: KObject): JsonObject => fieldsOf(o.spec);
const statusOf = (o: KObject): JsonObject => fieldsOf(o.status);
const annotation = (o: KObject, key: string): unknown => fieldsOf(o.metadata.annotations)[key];

function controllerOf(o: KObject): JsonObject | undefined {
  return objectsOf(o.metadata.ownerReferences).find((r) => r.controller === true);
}

function isFinished(job: KObject): boolean {
  return objectsOf(statusOf(job).conditions).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function isSucceeded(job: KObject): boolean {
  return objectsOf(statusOf(job).conditions).some((c) => c.type === 'Complete' && c.status === 'True');
}

/** How the running Pod of a Job ends, and when. */
interface PodEnding {
  readonly pod: string;
  readonly at: number;
  readonly end: PodEnd;
}

export class CronJobController implements TimedParticipant {
  private readonly requeueAt = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly jobsToStart = new Set<string>();
  /** Per Job key: its running Pod's end. */
  private readonly jobEnds = new Map<string, PodEnding>();
  /** Per Job key: when the Job controller starts its next Pod (after a failed one's backoff). */
  private readonly podStarts = new Map<string, number>();
  /** Per Job key: its Pending Pod, and when a node takes it. */
  private readonly placements = new Map<string, { readonly pod: string; readonly at: number }>();
  /** Per Job key: what the sandbox's imperfections do to it. */
  private readonly imperfect = new Map<string, readonly RunImperfection[]>();
  /** Per CronJob key: the slot a late start holds back, and the instant the controller gets to it. */
  private readonly lateSlots = new Map<string, { readonly slot: number; readonly at: number }>();
  private readonly specCache = new Map<string, { schedule: string; spec?: CronSpec }>();
  private readonly recorded: ControllerEvent[] = [];
  private syncing = false;
  /** The CronJob being synced: its own status write and Job create need no second sync. */
  private current: string | undefined;
  /** Job keys by the uid of the CronJob that controls them: a sync reads its Jobs without a scan. */
  private readonly owned = new Map<string, Set<string>>();
  private readonly ownerOfJob = new Map<string, string>();
  private readonly jobSeconds: number;
  private nextResyncAt: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: StandInClock,
    private readonly ledger: RunRecorder,
    opts: ControllerOptions = {},
    private readonly imperfections?: ImperfectionSource,
  ) {
    this.jobSeconds = opts.jobDurationSeconds ?? 30;
    this.nextResyncAt = clock.now().getTime() + RESYNC_MS + RESYNC_OFFSET_MS;
    store.subscribe((e) => this.observe(e));
    this.rebuild();
  }

  /** Events the controller emitted (MissSchedule, TooManyMissedTimes, ...), oldest first. */
  events(): readonly ControllerEvent[] {
    return this.recorded;
  }

  /** After a restore: every CronJob syncs, every running Job ends on time. */
  rebuild(): void {
    this.requeueAt.clear();
    this.jobEnds.clear();
    this.podStarts.clear();
    this.placements.clear();
    this.lateSlots.clear();
    this.owned.clear();
    this.ownerOfJob.clear();
    for (const cj of this.store.list(CRONJOBS)) this.dirty.add(cjKey(cj.metadata.namespace, cj.metadata.name));
    for (const job of this.store.list(JOBS)) {
      const k = cjKey(job.metadata.namespace, job.metadata.name);
      this.index(job, k, true);
      if (isFinished(job)) continue;
      const started = statusOf(job).startTime;
      const pod = this.podsOf(job).at(-1);
      if (typeof started === 'string' && pod) this.jobEnds.set(k, { pod: pod.metadata.name, at: Date.parse(started) + this.durationOf(job) * 1000, end: this.failsByItself(job) ? 'failed' : 'succeeded' });
      else if (typeof started !== 'string') this.jobsToStart.add(k);
    }
  }

  nextDueAt(): Date | undefined {
    if (this.dirty.size > 0 || this.jobsToStart.size > 0) return this.clock.now();
    let min: number | undefined = this.store.count(CRONJOBS) > 0 ? this.nextResyncAt : undefined;
    const times = [...this.requeueAt.values(), ...[...this.jobEnds.values()].map((e) => e.at), ...this.podStarts.values(), ...[...this.placements.values()].map((p) => p.at)];
    for (const t of times) if (min === undefined || t < min) min = t;
    return min === undefined ? undefined : new Date(min);
  }

  fireDue(now: Date): void {
    if (this.syncing) return;
    this.syncing = true;
    try {
      for (let guard = 0; guard < 1000; guard++) {
        const t = now.getTime();
        if (this.nextResyncAt <= t) {
          while (this.nextResyncAt <= t) this.nextResyncAt += RESYNC_MS;
          for (const cj of this.store.values(CRONJOBS)) this.dirty.add(cjKey(cj.metadata.namespace, cj.metadata.name));
        }
        for (const k of [...this.jobsToStart]) {
          this.jobsToStart.delete(k);
          this.startJob(k, now);
        }
        for (const [k, placement] of [...this.placements]) {
          if (placement.at <= t) {
            this.placements.delete(k);
            this.placePod(k, placement.pod, new Date(placement.at));
          }
        }
        for (const [k, ending] of [...this.jobEnds]) {
          if (ending.at <= t) {
            this.jobEnds.delete(k);
            this.endPod(k, ending, new Date(ending.at));
          }
        }
        for (const [k, at] of [...this.podStarts]) {
          if (at <= t) {
            this.podStarts.delete(k);
            this.startPod(k, new Date(at));
          }
        }
        for (const [k, at] of [...this.requeueAt]) {
          if (at <= t) {
            this.requeueAt.delete(k);
            this.dirty.add(k);
          }
        }
        if (this.dirty.size === 0 && this.jobsToStart.size === 0) break;
        const batch = [...this.dirty].sort();
        this.dirty.clear();
        for (const k of batch) {
          this.current = k;
          try {
            this.sync(k, now);
          } finally {
            this.current = undefined;
          }
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  private observe(e: StoreEvent): void {
    const o = e.object;
    if (e.resource === CRONJOBS) {
      const k = cjKey(o.metadata.namespace, o.metadata.name);
      if (e.type === 'DELETED') {
        this.requeueAt.delete(k);
        this.dirty.delete(k);
        this.specCache.delete(k);
        return;
      }
      const cached = this.specCache.get(k);
      const scheduleChanged = cached !== undefined && cached.schedule !== scheduleKey(o);
      if (scheduleChanged && e.type === 'MODIFIED') {
        // A schedule or zone change is queued for the new next run, not synced at once.
        this.specCache.delete(k);
        const delay = this.requeueTime(o, this.clock.now());
        if (delay !== undefined) this.requeueAt.set(k, delay);
        return;
      }
      if (k !== this.current) this.dirty.add(k);
      return;
    }
    if (e.resource === JOBS) {
      const k = cjKey(o.metadata.namespace, o.metadata.name);
      this.index(o, k, e.type !== 'DELETED');
      if (e.type === 'ADDED') {
        const run = this.recordRun(o);
        const imperfect = this.imperfections?.take('kubernetes', run.job, run.slot, JOB_IMPERFECTIONS) ?? [];
        if (imperfect.length > 0) this.imperfect.set(k, imperfect);
        if (specOf(o).suspend !== true) this.jobsToStart.add(k);
      }
      if (e.type === 'DELETED') {
        this.jobsToStart.delete(k);
        this.jobEnds.delete(k);
        this.podStarts.delete(k);
        this.placements.delete(k);
        this.imperfect.delete(k);
      }
      const owner = controllerOf(o);
      const ownerKey = owner?.kind === 'CronJob' ? cjKey(o.metadata.namespace, String(owner.name)) : undefined;
      if (ownerKey && ownerKey !== this.current) this.dirty.add(ownerKey);
    }
  }

  private index(job: KObject, k: string, present: boolean): void {
    const previous = this.ownerOfJob.get(k);
    if (previous !== undefined) this.owned.get(previous)?.delete(k);
    this.ownerOfJob.delete(k);
    const uid = controllerOf(job)?.uid;
    if (!present || typeof uid !== 'string') return;
    this.ownerOfJob.set(k, uid);
    let set = this.owned.get(uid);
    if (!set) this.owned.set(uid, (set = new Set()));
    set.add(k);
  }

  /** Records the run in the ledger; answers the job and slot it ran for. */
  private recordRun(job: KObject): { readonly job: string; readonly slot: Date | null } {
    const name = job.metadata.name;
    const startedAt = this.clock.now();
    const stamp = annotation(job, SCHEDULED_TIMESTAMP_ANNOTATION);
    const m = name.match(/^(.+)-(\d+)$/);
    if (m && typeof stamp === 'string') {
      const slot = new Date(stamp);
      if (!Number.isNaN(slot.getTime()) && Math.floor(slot.getTime() / 60_000) === Number(m[2])) {
        this.ledger.record('kubernetes', m[1]!, slot, startedAt);
        return { job: m[1]!, slot };
      }
    }
    const owner = controllerOf(job);
    const cronJob = owner?.kind === 'CronJob' ? String(owner.name) : name;
    this.ledger.record('kubernetes', cronJob, null, startedAt);
    return { job: cronJob, slot: null };
  }

  private durationOf(job: KObject): number {
    const raw = annotation(job, DURATION_ANNOTATION);
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : this.jobSeconds;
  }

  // ---- the Job controller, the scheduler and the kubelet, simulated --------------------------

  private podsOf(job: KObject): KObject[] {
    return this.store.values(PODS)
      .filter((p) => p.metadata.namespace === job.metadata.namespace && controllerOf(p)?.uid === job.metadata.uid)
      .sort((a, b) => (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? -1 : a.metadata.creationTimestamp > b.metadata.creationTimestamp ? 1 : 0));
  }

  /** The sandbox's outcome annotation on the Job (from its CronJob's jobTemplate): every Pod fails. */
  private failsByItself(job: KObject): boolean {
    return annotation(job, OUTCOME_ANNOTATION) === 'Failed';
  }

  private imperfection(k: string, kind: ImperfectionKind): RunImperfection | undefined {
    return this.imperfect.get(k)?.find((i) => i.kind === kind);
  }

  /** The Job controller takes the Job on: its `startTime`, and its first Pod. */
  private startJob(k: string, now: Date): void {
    const [ns, name] = k.split('/') as [string, string];
    const job = this.store.get(JOBS, ns, name);
    if (!job || isFinished(job) || statusOf(job).startTime) return;
    this.store.writeStatus(JOBS, ns, name, (j) => {
      j.status = { ...statusOf(j), startTime: metaTime(now), active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
    }, MANAGER);
    this.startPod(k, now);
  }

  /** A new Pod for the Job; the scheduler places it at once, unless an imperfection leaves the first one Pending. */
  private startPod(k: string, now: Date): void {
    const [ns, name] = k.split('/') as [string, string];
    const job = this.store.get(JOBS, ns, name);
    if (!job || isFinished(job)) return;
    const template = clone(fieldsOf(specOf(job).template));
    const templateMeta = fieldsOf(template.metadata);
    const podSpec = fieldsOf(template.spec);
    const podName = `${name}-${randomSuffix()}`;
    const first = typeof statusOf(job).failed !== 'number';
    const pending = first ? this.imperfection(k, 'pending') : undefined;
    try {
      this.store.createInternal(PODS, ns, {
        metadata: {
          name: podName,
          labels: templateMeta.labels ?? {},
          annotations: templateMeta.annotations,
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: podSpec,
      }, MANAGER);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return;
    }
    this.store.writeStatus(JOBS, ns, name, (j) => {
      j.status = { ...statusOf(j), active: 1, ready: 0 };
    }, MANAGER);
    if (pending) {
      this.store.writeStatus(PODS, ns, podName, (p) => {
        p.status = pendingStatus(podSpec, metaTime(now));
      }, 'default-scheduler');
      if (pending.seconds !== undefined) this.placements.set(k, { pod: podName, at: now.getTime() + pending.seconds * 1000 });
      return;
    }
    this.placePod(k, podName, now);
  }

  /** The scheduler binds the Pod to a node and the kubelet starts it; its end is set then. */
  private placePod(k: string, podName: string, now: Date): void {
    const [ns, name] = k.split('/') as [string, string];
    const job = this.store.get(JOBS, ns, name);
    if (!job || isFinished(job)) return;
    const at = metaTime(now);
    const pod = this.store.writeStatus(PODS, ns, podName, (p) => {
      p.spec = { ...specOf(p), nodeName: nodeFor(podName).name };
      p.status = runningStatus(podName, specOf(p), at, at);
    }, 'kubelet');
    if (!pod) return;
    this.store.writeStatus(JOBS, ns, name, (j) => {
      j.status = { ...statusOf(j), active: 1, ready: 1 };
    }, MANAGER);
    const runMs = this.durationOf(job) * 1000;
    const kill = this.imperfection(k, 'kill');
    const killMs = kill?.seconds !== undefined ? kill.seconds * 1000 : undefined;
    const end: PodEnding = killMs !== undefined && killMs < runMs
      ? { pod: podName, at: now.getTime() + killMs, end: 'evicted' }
      : { pod: podName, at: now.getTime() + runMs, end: this.failsByItself(job) || this.imperfection(k, 'fail') ? 'failed' : 'succeeded' };
    this.jobEnds.set(k, end);
  }

  /**
   * The Pod's container ended: the Job completes, or counts a failed Pod and starts another after
   * the backoff, or, once more Pods failed than `backoffLimit`, fails.
   */
  private endPod(k: string, ending: PodEnding, at: Date): void {
    const [ns, name] = k.split('/') as [string, string];
    const job = this.store.get(JOBS, ns, name);
    if (!job || isFinished(job)) return;
    const time = metaTime(at);
    this.store.writeStatus(PODS, ns, ending.pod, (p) => {
      p.status = endedStatus(statusOf(p), ending.end, time);
    }, 'kubelet');
    const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', lastProbeTime: time, lastTransitionTime: time, reason, message });
    if (ending.end === 'succeeded') {
      this.store.writeStatus(JOBS, ns, name, (j) => {
        j.status = {
          ...statusOf(j), active: 0, ready: 0, succeeded: 1, completionTime: time,
          conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')],
        };
      }, MANAGER);
      return;
    }
    const failed = (typeof statusOf(job).failed === 'number' ? (statusOf(job).failed as number) : 0) + 1;
    const limit = typeof specOf(job).backoffLimit === 'number' ? (specOf(job).backoffLimit as number) : DEFAULT_BACKOFF_LIMIT;
    if (failed <= limit) {
      this.store.writeStatus(JOBS, ns, name, (j) => {
        j.status = { ...statusOf(j), active: 0, ready: 0, failed };
      }, MANAGER);
      this.podStarts.set(k, at.getTime() + Math.min(POD_BACKOFF_MAX_MS, POD_BACKOFF_MS * 2 ** (failed - 1)));
      return;
    }
    this.store.writeStatus(JOBS, ns, name, (j) => {
      j.status = {
        ...statusOf(j), active: 0, ready: 0, failed,
        conditions: [cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      };
    }, MANAGER);
  }

  // ---- the CronJob controller --------------------------------------------------------------

  private event(cj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorded.push({ at: toRfc3339(this.clock.now()), type, reason, cronJob: cjKey(cj.metadata.namespace, cj.metadata.name), message });
    if (this.recorded.length > 10_000) this.recorded.shift();
  }

  private parsed(cj: KObject): { spec?: CronSpec; zone?: string } {
    const k = cjKey(cj.metadata.namespace, cj.metadata.name);
    const schedule = scheduleKey(cj);
    let cached = this.specCache.get(k);
    if (!cached || cached.schedule !== schedule) {
      let spec: CronSpec | undefined;
      try {
        spec = parseCron(String(specOf(cj).schedule ?? '').replace(/^(CRON_)?TZ=\S+\s+/, ''));
      } catch {
        spec = undefined;
      }
      cached = { schedule, spec };
      this.specCache.set(k, cached);
    }
    return { spec: cached.spec, zone: zoneOf(cj) };
  }

  /** `nextScheduleTimeDuration`: the next slot after the most recent one (no deadline), + 100 ms. */
  private requeueTime(cj: KObject, now: Date): number | undefined {
    const { spec, zone } = this.parsed(cj);
    if (!spec || !zone) return undefined;
    const earliest = baseline(cj);
    const recent = mostRecentSlot(spec, zone, earliest, now);
    // Missed slots but none to run (the estimate's walk started past the last of them, as with
    // `30 10,11,12 * * 1-5` resumed on Friday evening): the slot after `earliest` is already
    // past, so the controller aims from now. So it does when the schedule is invalid.
    const from = recent.invalid !== undefined ? now : recent.slot ?? (recent.missedCount === 0 ? earliest : now);
    const next = cronNext(spec, zone, from);
    return next === undefined ? undefined : next.getTime() + NEXT_SCHEDULE_DELTA_MS;
  }

  private sync(k: string, now: Date): void {
    const [ns, name] = k.split('/') as [string, string];
    const stored = this.store.get(CRONJOBS, ns, name);
    if (!stored) return;
    const cj = clone(stored);
    const status = statusOf(cj);
    cj.status = status;
    // As in sync(): history cleanup first, then syncCronJob over the same list of Jobs.
    const jobs = [...(this.owned.get(cj.metadata.uid) ?? [])]
      .map((jk) => this.store.get(JOBS, ...(jk.split('/') as [string, string])))
      .filter((j): j is KObject => j !== undefined && controllerOf(j)?.uid === cj.metadata.uid)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    this.cleanupFinishedJobs(cj, jobs);
    let active = objectsOf(status.active);
    const inActive = (uid: string) => active.some((a) => a.uid === uid);
    for (const j of jobs) {
      if (!inActive(j.metadata.uid) && !isFinished(j)) {
        this.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (inActive(j.metadata.uid) && isFinished(j)) {
        active = active.filter((a) => a.uid !== j.metadata.uid);
        this.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${isSucceeded(j) ? 'Complete' : 'Failed'}`);
      }
      const completed = statusOf(j).completionTime;
      if (isSucceeded(j) && typeof completed === 'string') {
        const last = status.lastSuccessfulTime;
        if (typeof last !== 'string' || Date.parse(completed) > Date.parse(last)) status.lastSuccessfulTime = completed;
      }
    }
    for (const a of [...active]) {
      if (!jobs.some((j) => j.metadata.uid === a.uid)) {
        active = active.filter((x) => x.uid !== a.uid);
        this.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${String(a.name)}`);
      }
    }
    status.active = active;
    this.schedule(cj, now, jobs);
    if (objectsOf(status.active).length === 0) delete status.active;
    this.store.writeStatus(CRONJOBS, ns, name, (o) => {
      o.status = status;
    }, MANAGER);
  }

  /** Steps 2-10 of `syncCronJob`; mutates `cj.status` and sets the requeue. */
  private schedule(cj: KObject, now: Date, jobs: readonly KObject[]): void {
    const k = cjKey(cj.metadata.namespace, cj.metadata.name);
    const status = statusOf(cj);
    this.requeueAt.delete(k);
    if (cj.metadata.deletionTimestamp) return;
    const { spec, zone } = this.parsed(cj);
    if (!zone) {
      this.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(specOf(cj).timeZone)}`);
      return;
    }
    if (specOf(cj).suspend === true) return;
    if (!spec) {
      this.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(specOf(cj).schedule)}`);
      return;
    }
    const deadlineSeconds = specOf(cj).startingDeadlineSeconds;
    const sds = typeof deadlineSeconds === 'number' ? deadlineSeconds : undefined;
    let earliest = baseline(cj);
    if (sds !== undefined) {
      const deadline = now.getTime() - sds * 1000;
      if (deadline > earliest.getTime()) earliest = new Date(deadline);
    }
    const recent = mostRecentSlot(spec, zone, earliest, now);
    if (recent.invalid) {
      this.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${String(specOf(cj).schedule)} : ${recent.invalid}`);
      return;
    }
    if (recent.missedCount > 100) {
      this.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const requeue = () => {
      const t = this.requeueTime(cj, now);
      if (t !== undefined) this.requeueAt.set(k, t);
    };
    const slot = recent.slot;
    if (!slot) return requeue();
    const heldUntil = this.lateStart(k, slot, status);
    if (heldUntil !== undefined && heldUntil > now.getTime()) {
      this.requeueAt.set(k, heldUntil);
      return;
    }
    if (sds !== undefined && slot.getTime() + sds * 1000 < now.getTime()) {
      this.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${slot.toISOString()}`);
      return requeue();
    }
    const jobName = jobNameFor(cj.metadata.name, slot);
    const active = objectsOf(status.active);
    const last = status.lastScheduleTime;
    if (active.some((a) => a.name === jobName) || (typeof last === 'string' && Date.parse(last) === slot.getTime())) {
      return requeue();
    }
    if (specOf(cj).concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (specOf(cj).concurrencyPolicy === 'Replace') {
      for (const a of [...active]) {
        const job = jobs.find((j) => j.metadata.uid === a.uid);
        if (!job) continue;
        this.store.delete(JOBS, cj.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background' });
        status.active = objectsOf(status.active).filter((x) => x.uid !== a.uid);
        this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      }
    }
    let created: KObject;
    try {
      created = this.store.createInternal(JOBS, cj.metadata.namespace, slotJob(cj, slot, zone), MANAGER);
      this.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.body.reason !== 'AlreadyExists') throw err;
      const existing = this.store.get(JOBS, cj.metadata.namespace, jobName);
      // Someone else's Job of this name holds the slot (the name is the lock), and the real
      // controller returns without a requeue: the CronJob waits for its next update event, an
      // owned Job's event, or the informer resync.
      if (!existing || controllerOf(existing)?.uid !== cj.metadata.uid) return;
      if (objectsOf(status.active).some((a) => a.uid === existing.metadata.uid)) return;
      created = existing;
    }
    status.active = [
      ...objectsOf(status.active),
      { kind: 'Job', namespace: created.metadata.namespace, name: created.metadata.name, uid: created.metadata.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion },
    ];
    status.lastScheduleTime = toRfc3339(slot);
    requeue();
  }

  /**
   * When the controller gets to `slot`: an imperfection's late start holds it back that long, as a
   * controller-manager that is down or behind would (it then finds the newest slot, and its
   * deadline, as it stands). Asked once per slot; undefined for no delay.
   */
  private lateStart(k: string, slot: Date, status: JsonObject): number | undefined {
    const held = this.lateSlots.get(k);
    if (held?.slot === slot.getTime()) return held.at;
    const last = status.lastScheduleTime;
    if (!this.imperfections || (typeof last === 'string' && Date.parse(last) === slot.getTime())) return undefined;
    const name = k.slice(k.indexOf('/') + 1);
    const late = this.imperfections.take('kubernetes', name, slot, ['late'])[0]?.seconds;
    const at = slot.getTime() + (late ?? 0) * 1000;
    this.lateSlots.set(k, { slot: slot.getTime(), at });
    return late === undefined ? undefined : at;
  }

  /** `cleanupFinishedJobs`: the oldest finished Jobs beyond the history limits go (with their Pods). */
  private cleanupFinishedJobs(cj: KObject, jobs: readonly KObject[]): void {
    const status = statusOf(cj);
    const limits: [unknown, (j: KObject) => boolean][] = [
      [specOf(cj).successfulJobsHistoryLimit, isSucceeded],
      [specOf(cj).failedJobsHistoryLimit, (j) => isFinished(j) && !isSucceeded(j)],
    ];
    for (const [limit, which] of limits) {
      if (typeof limit !== 'number') continue;
      const current = jobs.filter((j) => this.store.get(JOBS, j.metadata.namespace, j.metadata.name) !== undefined);
      const finished = current.filter(which).sort((a, b) => startOf(a) - startOf(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        this.store.delete(JOBS, j.metadata.namespace, j.metadata.name, { propagationPolicy: 'Background' });
        status.active = objectsOf(status.active).filter((a) => a.uid !== j.metadata.uid);
        this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      }
    }
  }
}

/** metav1.Time serialises in whole seconds. */
function metaTime(d: Date): string {
  return toRfc3339(new Date(Math.floor(d.getTime() / 1000) * 1000));
}

function startOf(job: KObject): number {
  const t = statusOf(job).startTime ?? job.metadata.creationTimestamp;
  return typeof t === 'string' ? Date.parse(t) : 0;
}

function baseline(cj: KObject): Date {
  const last = statusOf(cj).lastScheduleTime;
  return new Date(typeof last === 'string' ? last : cj.metadata.creationTimestamp);
}

/** The zone the controller reads the schedule in; the sandbox's controller-manager runs in UTC. */
function zoneOf(cj: KObject): string | undefined {
  const schedule = String(specOf(cj).schedule ?? '');
  const tzPrefix = schedule.match(/^(?:CRON_)?TZ=(\S+)\s+/);
  // formatSchedule: a TZ= prefix in the schedule wins over spec.timeZone.
  const zone = tzPrefix?.[1] ?? specOf(cj).timeZone ?? 'UTC';
  return typeof zone === 'string' && isValidTimeZone(zone) ? zone : undefined;
}

function scheduleKey(cj: KObject): string {
  return `${String(specOf(cj).schedule)}|${String(specOf(cj).timeZone)}`;
}


