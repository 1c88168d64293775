/**
 * The data behind `migrate next` and a move plan's schedule lines: the definition's schedule as
 * each backend would run it (`Backend.scheduleView`), and the verdict of the year-long proof.
 */
import type { Backend } from './backend.js';
import type { BackendName, JobDefinition } from './job.js';
import { PROOF_DAYS } from './schedule/compare.js';
import type { EquivalenceVerdict, ScheduleView } from './schedule/view.js';

export type { EquivalenceVerdict } from './schedule/view.js';

/** One system's view of the schedule, with the names output gives it. */
export interface SystemSchedule extends ScheduleView {
  readonly system: BackendName;
  /** As prose names the system (`Backend.title`). */
  readonly title: string;
}

export interface NextFireTimes {
  readonly job: string;
  readonly timezone: string;
  readonly cron: string;
  /** Every system: those that run the cron as written first (the side compared with), then the others in the order given. */
  readonly systems: readonly SystemSchedule[];
  /** The first system that does not run the schedule exactly, or equivalent when every one does. */
  readonly verdict: EquivalenceVerdict;
  /** The system `verdict` is about; none when equivalent. */
  readonly verdictOf?: SystemSchedule;
  readonly horizonDays: number;
}

export function planNextFireTimes(job: JobDefinition, now: Date, count: number, backends: readonly Backend[]): NextFireTimes {
  const views: SystemSchedule[] = backends.map((b) => ({ ...b.scheduleView(job, now, count), system: b.name, title: b.title }));
  const systems = [...views.filter((s) => s.native), ...views.filter((s) => !s.native)];
  const verdictOf = systems.find((s) => s.verdict.kind !== 'equivalent');
  return {
    job: job.name,
    timezone: job.timezone,
    cron: job.schedule,
    systems,
    verdict: verdictOf?.verdict ?? { kind: 'equivalent' },
    ...(verdictOf ? { verdictOf } : {}),
    horizonDays: PROOF_DAYS,
  };
}

/** The system that runs the definition's cron as written: the times every other system is compared with. */
export function referenceSchedule(plan: NextFireTimes): SystemSchedule | undefined {
  return plan.systems.find((s) => s.native);
}
