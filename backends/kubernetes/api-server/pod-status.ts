/**
 * A Pod's status as the scheduler and the kubelet write it (Kubernetes 1.32), for the stand-in's
 * simulated Job controller: Pending and unschedulable, Running on a node, Succeeded or Failed when
 * its container ends, and evicted for node pressure. Each carries the conditions, container
 * statuses, IPs and QoS class a client reads on a cluster.
 */
import { createHash } from 'node:crypto';
import { fieldsOf, objectsOf } from './patch.js';
import type { JsonObject } from './resources.js';

/** The sandbox's nodes, as the Pods placed on them say. */
const NODES = [
  { name: 'sandbox-node-1', ip: '10.0.0.11', podCidr: '10.244.1' },
  { name: 'sandbox-node-2', ip: '10.0.0.12', podCidr: '10.244.2' },
  { name: 'sandbox-node-3', ip: '10.0.0.13', podCidr: '10.244.3' },
] as const;

/** What the scheduler writes of a Pod no node can take. */
export const UNSCHEDULABLE_MESSAGE =
  '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
/** The kubelet's eviction message for memory pressure. */
export const EVICTION_MESSAGE = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 8Mi. ';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

function condition(type: string, status: 'True' | 'False', at: string, reason?: string, message?: string): JsonObject {
  return { type, status, lastProbeTime: null, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** `Guaranteed` when every container limits cpu and memory at its requests, `BestEffort` when none asks for anything. */
export function qosClass(podSpec: JsonObject): string {
  const containers = objectsOf(podSpec.containers);
  const resources = containers.map((c) => fieldsOf(c.resources));
  if (resources.every((r) => Object.keys(fieldsOf(r.requests)).length === 0 && Object.keys(fieldsOf(r.limits)).length === 0)) return 'BestEffort';
  const guaranteed = resources.every((r) => {
    const limits = fieldsOf(r.limits);
    const requests = fieldsOf(r.requests);
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && (requests[k] === undefined || String(requests[k]) === String(limits[k])));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The node a Pod is placed on, picked from its name so reruns place it the same. */
export function nodeFor(podName: string): (typeof NODES)[number] {
  return NODES[parseInt(digest(podName).slice(0, 8), 16) % NODES.length]!;
}

/** A Pod waiting for a node: `PodScheduled` false, `Unschedulable`. */
export function pendingStatus(podSpec: JsonObject, at: string): JsonObject {
  return { phase: 'Pending', conditions: [condition('PodScheduled', 'False', at, 'Unschedulable', UNSCHEDULABLE_MESSAGE)], qosClass: qosClass(podSpec) };
}

function containerId(podName: string, container: string): string {
  return `containerd://${digest(`${podName}/${container}`)}`;
}

function imageRef(image: string): { image: string; imageID: string } {
  const named = image.includes('/') ? image : `docker.io/library/${image}`;
  const tagged = /:[^/]+$/.test(named) || named.includes('@') ? named : `${named}:latest`;
  return { image: tagged, imageID: `${tagged.replace(/:[^/:]+$/, '')}@sha256:${digest(tagged)}` };
}

/** A Pod the kubelet started on its node at `startedAt` (scheduled at `scheduledAt`). */
export function runningStatus(podName: string, podSpec: JsonObject, scheduledAt: string, startedAt: string): JsonObject {
  const node = nodeFor(podName);
  const podIp = `${node.podCidr}.${(parseInt(digest(podName).slice(8, 12), 16) % 250) + 2}`;
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers', 'True', startedAt),
      condition('Initialized', 'True', scheduledAt),
      condition('Ready', 'True', startedAt),
      condition('ContainersReady', 'True', startedAt),
      condition('PodScheduled', 'True', scheduledAt),
    ],
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    startTime: scheduledAt,
    qosClass: qosClass(podSpec),
    containerStatuses: objectsOf(podSpec.containers).map((c) => ({
      name: c.name,
      ...imageRef(String(c.image ?? '')),
      containerID: containerId(podName, String(c.name)),
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt } },
      lastState: {},
    })),
  };
}

export type PodEnd = 'succeeded' | 'failed' | 'evicted';

/**
 * The status of a running Pod whose containers ended at `at`: exit 0 and `Completed`, exit 1 and
 * `Error`, or, evicted by the kubelet for node pressure, killed (137) with the Pod's `Evicted`
 * reason and a `DisruptionTarget` condition.
 */
export function endedStatus(running: JsonObject, end: PodEnd, at: string): JsonObject {
  const podReason = end === 'succeeded' ? 'PodCompleted' : 'PodFailed';
  const kept = objectsOf(running.conditions).filter((c) => c.type === 'PodScheduled');
  const containers = objectsOf(running.containerStatuses).map((c) => ({
    ...c,
    ready: false,
    started: false,
    state: {
      terminated: {
        containerID: c.containerID,
        exitCode: end === 'succeeded' ? 0 : end === 'failed' ? 1 : 137,
        reason: end === 'succeeded' ? 'Completed' : 'Error',
        startedAt: fieldsOf(fieldsOf(c.state).running).startedAt,
        finishedAt: at,
      },
    },
  }));
  return {
    ...running,
    phase: end === 'succeeded' ? 'Succeeded' : 'Failed',
    ...(end === 'evicted' ? { reason: 'Evicted', message: EVICTION_MESSAGE } : {}),
    conditions: [
      ...(end === 'evicted' ? [condition('DisruptionTarget', 'True', at, 'TerminationByKubelet', EVICTION_MESSAGE)] : []),
      condition('PodReadyToStartContainers', 'False', at),
      condition('Initialized', 'True', String(kept[0]?.lastTransitionTime ?? at), podReason),
      condition('Ready', 'False', at, podReason),
      condition('ContainersReady', 'False', at, podReason),
      ...kept,
    ],
    containerStatuses: containers,
  };
}
