/**
 * A definition's schedule as one system would run it: `Backend.scheduleView`. `migrate next` and
 * the move plan lay the views of every backend side by side (docs/schedules.md).
 */
import type { ScheduleDifference } from './compare.js';

/** How a system's schedule compares with the definition's cron, over the proof's horizon. */
export type EquivalenceVerdict =
  | { readonly kind: 'equivalent' }
  | { readonly kind: 'not-expressible'; readonly reason: string }
  /** `differences`: A is the definition's cron as written, B this system's schedule. */
  | { readonly kind: 'differs'; readonly reason: string; readonly differences: readonly ScheduleDifference[] };

export interface ScheduleView {
  /** The notation's name, as `next` heads its column: `cron`, `ISO 8601`. */
  readonly notation: string;
  /** This system runs the definition's own cron as written: the side the others are compared with. */
  readonly native: boolean;
  /**
   * The schedule as this system's object writes it, field by field in the object's order (the
   * schedule itself first; null: a field left out). None when the system cannot express it.
   */
  readonly fields?: Readonly<Record<string, string | null>>;
  /** The next fire times here, oldest first (none when the system cannot express the schedule). */
  readonly times: readonly Date[];
  readonly verdict: EquivalenceVerdict;
}
