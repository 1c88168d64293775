/**
 * Normalisation of a Chronos job for diffing: what the server owns or rewrites is removed or made
 * canonical, so a job that nobody touched never shows a difference (docs/chronos.md, "Traps for a
 * move": the schedule string, injected defaults, uris and fetch, the counters, value shapes). Pure.
 */
import { isDependentJob, mirrorUrisAndFetch, readChronosJob, type ChronosJob } from './model.js';
import { isUtcZone } from '../../src/core/schedule/zone.js';
import { canonicalSchedule } from './schedule.js';

/**
 * - counters and last success/error: reset to their empty values (the scheduler writes them);
 * - schedule: compared by period, zone and phase, not text: the count (`Rn` counts down) is
 *   dropped and the start (rewritten at every launch) replaced by the grid's canonical anchor;
 *   `scheduleTimeZone` UTC under any name equals none;
 * - `uris`/`fetch`: one list (`fetch`), whichever side the server mirrored;
 * - defaults filled in; `parents`, environment variables and volumes (by path; RW when no mode) sorted; ports as numbers;
 *   `maxCompletionTime` present (3.0.2 lacks it).
 * `disabled` is kept: whether a job runs is the point of a diff.
 */
export function normalizeChronosJob(job: ChronosJob): ChronosJob {
  // Re-reading fills defaults exactly as the server does (the instant is unused: a job here has a type).
  const full = readChronosJob(job, { now: new Date(0) });
  const mirrored = mirrorUrisAndFetch(full);
  const base: ChronosJob = {
    ...mirrored,
    successCount: 0,
    errorCount: 0,
    errorsSinceLastSuccess: 0,
    lastSuccess: '',
    lastError: '',
    uris: [],
    fetch: [...mirrored.fetch].sort((a, b) => a.uri.localeCompare(b.uri)),
    environmentVariables: [...mirrored.environmentVariables].sort((a, b) => a.name.localeCompare(b.name)),
    maxCompletionTime: mirrored.maxCompletionTime ?? 0,
    ...(mirrored.container
      ? {
          container: {
            ...mirrored.container,
            // A volume without a mode is mounted read-write. Compared as a set: a definition keeps host
            // folders and Chronos' other volumes apart, and renders them back in that order.
            volumes: mirrored.container.volumes.map((v) => ({ ...v, mode: v.mode ?? 'RW' })).sort((a, b) => a.containerPath.localeCompare(b.containerPath)),
            networkInfos: mirrored.container.networkInfos.map((n) => ({
              ...n,
              portMappings: n.portMappings.map((p) => ({ ...p, hostPort: Number(p.hostPort), containerPort: Number(p.containerPort) })),
            })),
          },
        }
      : {}),
  };
  if (isDependentJob(base)) return { ...base, parents: [...base.parents!].sort() };
  // UTC by any name, or none (the start's offset then says it), is one zone to Chronos.
  const zone = base.scheduleTimeZone && !isUtcZone(base.scheduleTimeZone) ? base.scheduleTimeZone : '';
  return { ...base, scheduleTimeZone: zone, schedule: canonicalSchedule(base.schedule!, zone) };
}
