/**
 * A CronJob's runs, for `slo`: the Jobs it owns (or that are named for one of its slots, as `move`
 * creates a passed slot's Job), each with its slot (the scheduled-timestamp annotation, else the
 * minutes in its name), start (`status.startTime`) and outcome (its Complete or Failed
 * condition), and its Pods waiting to be placed. Pure: the connection lists, this reads.
 */
import type { ObservedRun, RunEvidence, RunOutcome, WaitingPod } from '../../src/core/runs.js';
import type { CronJobManifest } from './render.js';
import { SCHEDULED_TIMESTAMP_ANNOTATION, type JobObject, type PodObject } from './slots.js';

/** `kubectl create job --from=cronjob/x` marks its Job so (and gives it no scheduled timestamp). */
const INSTANTIATE_ANNOTATION = 'cronjob.kubernetes.io/instantiate';
/** The API server's defaults for a CronJob that sets no history limits. */
const DEFAULT_SUCCESSFUL_LIMIT = 3;
const DEFAULT_FAILED_LIMIT = 1;

const date = (t: unknown): Date | undefined => {
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms);
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function conditionOf(job: JobObject, type: string) {
  return (job.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}

/** The Jobs of the CronJob `name`: controlled by it, or named `<name>-<minutes>` and stamped with their slot. */
function jobsOf(name: string, jobs: readonly JobObject[]): JobObject[] {
  const slotName = new RegExp(`^${escape(name)}-\\d+$`);
  return jobs.filter((j) =>
    (j.metadata.ownerReferences ?? []).some((r) => r.kind === 'CronJob' && r.name === name && r.controller) ||
    (slotName.test(j.metadata.name) && j.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION] !== undefined));
}

function slotOf(name: string, job: JobObject): Date | undefined {
  const stamp = date(job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION]);
  if (stamp) return stamp;
  if (job.metadata.annotations?.[INSTANTIATE_ANNOTATION] === 'manual') return undefined;
  // Before Kubernetes 1.28 the controller wrote no annotation: the name carries the slot's minutes.
  const minutes = new RegExp(`^${escape(name)}-(\\d+)$`).exec(job.metadata.name)?.[1];
  return minutes === undefined ? undefined : new Date(Number(minutes) * 60_000);
}

/** A pod the kubelet or the eviction API stopped: `Evicted`, or a DisruptionTarget condition. */
function wasDisrupted(pod: PodObject): boolean {
  return pod.status?.reason === 'Evicted' || (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
}

function runOf(name: string, job: JobObject, pods: readonly PodObject[]): ObservedRun {
  const slot = slotOf(name, job);
  const created = date(job.metadata.creationTimestamp);
  const startedAt = date(job.status?.startTime);
  const complete = conditionOf(job, 'Complete');
  const failed = conditionOf(job, 'Failed');
  let outcome: RunOutcome = startedAt ? 'running' : 'queued';
  let reason: string | undefined;
  let endedAt: Date | undefined;
  if (complete) {
    outcome = 'succeeded';
    endedAt = date(job.status?.completionTime) ?? date(complete.lastTransitionTime);
  } else if (failed) {
    reason = typeof failed.reason === 'string' ? failed.reason : undefined;
    endedAt = date(failed.lastTransitionTime);
    // Stopped from outside rather than failing by itself: its deadline, or a pod evicted.
    const evicted = pods.some((p) => wasDisrupted(p));
    outcome = reason === 'DeadlineExceeded' || evicted ? 'killed' : 'failed';
    if (evicted && reason !== 'DeadlineExceeded') reason = `${reason ?? 'Failed'} (a pod was evicted)`;
  }
  return {
    id: job.metadata.name,
    ...(slot ? { slot } : { manual: true }),
    requestedAt: created ?? startedAt ?? slot ?? new Date(0),
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    outcome,
    ...(reason ? { reason } : {}),
  };
}

/**
 * The runs of CronJob `name` from its namespace's CronJob (undefined: absent), Jobs and Pods, read
 * at the server's `now`. The controller deletes the oldest finished Jobs beyond the CronJob's
 * history limits, and a Job's TTL deletes it after it finished: runs are complete only from the
 * oldest Job of a class that is at its limit, and from `now` minus the TTL.
 */
export function kubernetesRuns(name: string, namespace: string, cronJob: CronJobManifest | undefined, allJobs: readonly JobObject[], allPods: readonly PodObject[], now: Date): RunEvidence {
  const jobs = jobsOf(name, allJobs);
  const byJob = new Map<string, PodObject[]>();
  for (const pod of allPods) {
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.kind === 'Job' && r.controller);
    if (owner) byJob.set(owner.name, [...(byJob.get(owner.name) ?? []), pod]);
  }
  const runs = jobs.map((j) => runOf(name, j, byJob.get(j.metadata.name) ?? []));
  const waiting: WaitingPod[] = jobs
    .flatMap((j) => byJob.get(j.metadata.name) ?? [])
    .filter((p) => p.status?.phase === 'Pending')
    .map((p) => ({ name: p.metadata.name, since: date(p.metadata.creationTimestamp) ?? now }));
  const source = `Jobs owned by CronJob ${namespace}/${name} and their Pods`;
  if (!cronJob) return { ok: true, present: false, runs, source, waiting, notes: [] };

  const notes: string[] = [];
  // The runs of an earlier CronJob of this name may have gone with it.
  const created = date(cronJob.metadata.creationTimestamp);
  const bounds: Date[] = created ? [created] : [];
  const classes: [string, number, (r: ObservedRun) => boolean][] = [
    ['successfulJobsHistoryLimit', cronJob.spec.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_LIMIT, (r) => r.outcome === 'succeeded'],
    ['failedJobsHistoryLimit', cronJob.spec.failedJobsHistoryLimit ?? DEFAULT_FAILED_LIMIT, (r) => r.outcome === 'failed' || r.outcome === 'killed'],
  ];
  for (const [field, limit, member] of classes) {
    const kept = runs.filter(member);
    if (kept.length < limit) continue;
    const oldest = kept.length ? new Date(Math.min(...kept.map((r) => (r.slot ?? r.requestedAt).getTime()))) : now;
    bounds.push(oldest);
    notes.push(`the CronJob keeps ${limit} such Jobs (${field}): older ones are deleted`);
  }
  const ttl = cronJob.spec.jobTemplate.spec.ttlSecondsAfterFinished;
  if (typeof ttl === 'number') {
    bounds.push(new Date(now.getTime() - ttl * 1000));
    notes.push(`its Jobs are deleted ${ttl} s after they finish (ttlSecondsAfterFinished)`);
  }
  const completeFrom = bounds.length ? new Date(Math.max(...bounds.map((d) => d.getTime()))) : undefined;
  return { ok: true, present: true, runs, ...(completeFrom ? { completeFrom } : {}), source, waiting, notes };
}
