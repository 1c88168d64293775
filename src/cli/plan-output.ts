/**
 * How `move` and `rollback` print their plans before the confirmation: the human text, or every
 * plan in full as JSON or YAML (`-o`).
 */
import { movePlanJson, renderMovePlanHuman, type MovePlan } from '../core/move-plan.js';
import { toYaml } from '../core/yaml-write.js';

export interface PlanOutput {
  /** `-o`: table (the human text), json or yaml. */
  readonly format: string;
  /** The human text's diffs coloured (never JSON or YAML). */
  readonly color: boolean;
}

/** Whether `-o` asked for data (JSON or YAML) rather than the human text. */
export function isStructured(format: string | undefined): boolean {
  return format === 'json' || format === 'yaml';
}

export function renderPlans(plans: readonly MovePlan[], output: PlanOutput): string {
  if (output.format === 'json') return `${JSON.stringify(plans.map(movePlanJson), null, 2)}\n`;
  if (output.format === 'yaml') return toYaml(plans.map(movePlanJson));
  return plans.map((plan) => `${renderMovePlanHuman(plan, { color: output.color })}\n`).join('');
}
