/**
 * How `move` and `rollback` print their plans before the confirmation: the human text (for a wave
 * of more than one job, its summary: wave-plan.ts), or every plan in full as JSON or YAML (`-o`).
 */
import { movePlanJson, renderMovePlanHuman, type MovePlan } from '../core/move-plan.js';
import { renderWavePlanHuman } from '../core/wave-plan.js';
import { toYaml } from '../core/yaml-write.js';

export interface PlanOutput {
  /** `-o`: table (the human text), json or yaml. */
  readonly format: string;
  /** The human text's diffs coloured (never JSON or YAML). */
  readonly color: boolean;
  /** A wave's human text: each job's full plan after the summary (one job's is always in full). */
  readonly details: boolean;
}

/** Whether `-o` asked for data (JSON or YAML) rather than the human text. */
export function isStructured(format: string | undefined): boolean {
  return format === 'json' || format === 'yaml';
}

export function renderPlans(plans: readonly MovePlan[], output: PlanOutput): string {
  if (output.format === 'json') return `${JSON.stringify(plans.map(movePlanJson), null, 2)}\n`;
  if (output.format === 'yaml') return toYaml(plans.map(movePlanJson));
  if (plans.length > 1) return `${renderWavePlanHuman(plans, output)}\n`;
  return plans.map((plan) => `${renderMovePlanHuman(plan, { color: output.color })}\n`).join('');
}
