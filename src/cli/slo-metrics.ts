/**
 * `slo --serve`: the figures of `slo -o json` in the Prometheus text format, through prom-client
 * (the exposition format's escaping, HELP/TYPE lines, histogram buckets with `le`, `_sum` and
 * `_count`, and the content type). Every series of a job is labelled `cronjob` and `namespace`, so
 * it joins kube-state-metrics' `kube_cronjob_*` series; those of one system also `system`.
 *
 * Each scrape judges the window ending at that instant, as `slo` does: every figure is a gauge
 * over the window (a slot that leaves the window leaves the figures), the histogram too. Use
 * them as they are, never through rate() (docs/slo.md, "Prometheus metrics").
 */
import { Gauge, Histogram, Registry } from 'prom-client';
import type { BackendName } from '../core/job.js';
import { COMPLETION_OBJECTIVE, START_OBJECTIVE, WAITING_LIMIT_SECONDS, type JobSlo, type SloReport, type SystemFigures } from '../core/slo.js';

/** Start-latency buckets, in seconds: the 20-minute start window (1200) is one of them. */
export const START_LATENCY_BUCKETS: readonly number[] = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export interface RenderedMetrics {
  readonly text: string;
  readonly contentType: string;
}

type JobLabel = 'cronjob' | 'namespace';
type SystemLabel = JobLabel | 'system';

/** `namespaceOf` names each job's namespace (its definition's), for the join with kube-state-metrics. */
export async function renderSloMetrics(report: SloReport, namespaceOf: (job: string) => string): Promise<RenderedMetrics> {
  const registry = new Registry();
  const jobGauge = (name: string, help: string) => new Gauge<JobLabel>({ name: `migrate_slo_${name}`, help, labelNames: ['cronjob', 'namespace'], registers: [registry] });
  const systemGauge = (name: string, help: string) => new Gauge<SystemLabel>({ name: `migrate_slo_${name}`, help, labelNames: ['cronjob', 'namespace', 'system'], registers: [registry] });
  const fleetGauge = (name: string, help: string) => new Gauge({ name: `migrate_slo_fleet_${name}`, help, registers: [registry] });

  const perJob: readonly [Gauge<JobLabel>, (j: JobSlo) => number | undefined][] = [
    [jobGauge('slots', 'Slots the schedule owed in the window'), (j) => j.slots],
    [jobGauge('judged_slots', 'Slots judged: their start window closed (or they started) and a system\'s records cover them'), (j) => j.judged],
    [jobGauge('on_time_slots', 'Judged slots whose first run started within the start window'), (j) => j.onTime],
    [jobGauge('open_slots', 'Slots whose start window is still open and that have not started'), (j) => j.pending],
    [jobGauge('unverified_slots', 'Slots no system\'s records cover (cleaned-up history): neither run nor missed'), (j) => j.unverified],
    [jobGauge('doubled_slots', 'Slots started more than once, on one system or across both'), (j) => j.doubled.length],
    [jobGauge('finished_runs', 'Runs of the window\'s slots that finished (succeeded, failed or killed)'), (j) => j.finished],
    [jobGauge('start_deadline_seconds', 'The job\'s start window (startingDeadline)'), (j) => j.startingDeadlineSeconds],
    [jobGauge('start_attainment_ratio', 'Judged slots started within the start window, over the judged slots (1 when none)'), (j) => j.startAttainment],
    [jobGauge('completion_attainment_ratio', 'Finished runs that succeeded, over the finished runs (1 when none)'), (j) => j.completionAttainment],
    [jobGauge('objectives_met', '1 when this job keeps every objective and every system could be read, else 0'), (j) => (j.met ? 1 : 0)],
  ];
  const latencyQuantiles = new Gauge<JobLabel | 'quantile'>({
    name: 'migrate_slo_start_latency_quantile_seconds',
    help: 'Start latency of the judged slots\' first runs (nearest rank): quantile 0.5 and 0.99 as slo\'s p50 and p99, 1 its max',
    labelNames: ['cronjob', 'namespace', 'quantile'],
    registers: [registry],
  });

  const perSystem: readonly [Gauge<SystemLabel>, (s: SystemFigures) => number | undefined][] = [
    [systemGauge('owed_slots', 'Slots of the window this system owed (the journal\'s handoffs)'), (s) => s.owed],
    [systemGauge('runs', 'Runs this system started for the window\'s slots (a retry is not another run)'), (s) => s.runs],
    [systemGauge('missed_slots', 'Slots this system owed that no system started, once their start window closed'), (s) => s.missed],
    [systemGauge('late_starts', 'Slots whose first run, on this system, started after the start window'), (s) => s.late],
    [systemGauge('failed_runs', 'Runs on this system whose last attempt failed'), (s) => s.failed],
    [systemGauge('killed_runs', 'Runs on this system stopped from outside (deadline, eviction) where the system says so'), (s) => s.killed],
    [systemGauge('pending_pods', `Pods of the job Pending longer than ${WAITING_LIMIT_SECONDS} s now (only systems with pods, when they could be listed)`), (s) => s.waiting],
    [systemGauge('read_ok', '1 when this system\'s runs of the job could be read, else 0'), (s) => (s.error === undefined ? 1 : 0)],
  ];
  const latency = new Histogram<SystemLabel>({
    name: 'migrate_slo_start_latency_seconds',
    help: 'Start latency of each judged slot\'s first run, by the system that started it, over the window',
    labelNames: ['cronjob', 'namespace', 'system'],
    buckets: [...START_LATENCY_BUCKETS],
    registers: [registry],
  });

  for (const j of report.jobs) {
    const labels = { cronjob: j.job, namespace: namespaceOf(j.job) };
    for (const [gauge, value] of perJob) set(gauge, labels, value(j));
    if (j.latency) {
      latencyQuantiles.set({ ...labels, quantile: '0.5' }, j.latency.p50);
      latencyQuantiles.set({ ...labels, quantile: '0.99' }, j.latency.p99);
      latencyQuantiles.set({ ...labels, quantile: '1' }, j.latency.max);
    }
    for (const [system, figures] of Object.entries(j.systems) as [BackendName, SystemFigures][]) {
      const systemLabels = { ...labels, system };
      for (const [gauge, value] of perSystem) set(gauge, systemLabels, value(figures));
      latency.zero(systemLabels);
    }
    for (const l of j.startLatencies) latency.observe({ ...labels, system: l.system }, l.seconds);
  }

  const f = report.fleet;
  const fleet: readonly [string, string, number][] = [
    ['jobs', 'Jobs judged', f.jobs],
    ['slots', 'Slots owed in the window, all jobs', f.slots],
    ['judged_slots', 'Slots judged, all jobs', f.judged],
    ['on_time_slots', 'Judged slots started within their start window, all jobs', f.onTime],
    ['unverified_slots', 'Slots no system\'s records cover, all jobs', f.unverified],
    ['missed_slots', 'Missed slots, all jobs', f.missed],
    ['doubled_slots', 'Doubled slots, all jobs', f.doubled],
    ['late_starts', 'Late starts, all jobs', f.late],
    ['failed_runs', 'Runs whose last attempt failed or was killed, all jobs', f.failed],
    ['finished_runs', 'Finished runs, all jobs', f.finished],
    ['pending_pods', `Pods Pending longer than ${WAITING_LIMIT_SECONDS} s now, all jobs`, f.waiting],
    ['read_errors', 'Systems whose runs of a job could not be read', f.errors],
    ['start_attainment_ratio', 'Judged slots started within their start window, over the judged slots', f.startAttainment],
    ['completion_attainment_ratio', 'Finished runs that succeeded, over the finished runs', f.completionAttainment],
    ['objectives_met', '1 when every objective held and every system could be read (slo\'s exit status 0), else 0', f.met ? 1 : 0],
  ];
  for (const [name, help, value] of fleet) fleetGauge(name, help).set(value);
  new Gauge({ name: 'migrate_slo_window_seconds', help: 'The window judged: slots owed from this long before the scrape until it (--since)', registers: [registry] })
    .set((report.window.until.getTime() - report.window.from.getTime()) / 1000);
  const objectives = new Gauge<'objective'>({ name: 'migrate_slo_objective_ratio', help: 'The objectives: start within the start window, and completion', labelNames: ['objective'], registers: [registry] });
  objectives.set({ objective: 'start' }, START_OBJECTIVE);
  objectives.set({ objective: 'completion' }, COMPLETION_OBJECTIVE);

  return { text: await registry.metrics(), contentType: registry.contentType };
}

function set<L extends string>(gauge: Gauge<L>, labels: Partial<Record<L, string>>, value: number | undefined): void {
  if (value !== undefined) gauge.set(labels, value);
}
