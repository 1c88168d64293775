/** Which jobs a command acts on: names, or a selector over labels and tier (`move`, `load`). */
import { UserError } from '../core/errors.js';
import type { JobDefinition } from '../core/job.js';

/** Names, or a selector over labels and tier (`tier=low,team!=core`); names win when both are given. */
export function selectJobs(all: readonly JobDefinition[], names: readonly string[], selector?: string): JobDefinition[] {
  if (names.length === 0 && !selector) throw new UserError('name the jobs to move, or select them with -l', 'e.g. migrate move nightly-report --to <backend>, or migrate move -l tier=low --to <backend>');
  const byName = new Map(all.map((j) => [j.name, j]));
  const picked: JobDefinition[] = [];
  for (const n of names) {
    const job = byName.get(n);
    if (!job) throw new UserError(`no job named "${n}"`, `Known jobs: ${[...byName.keys()].sort().join(', ')}`);
    picked.push(job);
  }
  if (selector) {
    const terms = selector.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
      const m = /^([^=!]+)(!=|==|=)(.*)$/.exec(t);
      if (!m) throw new UserError(`selector term "${t}" is not key=value or key!=value`);
      return { key: m[1]!.trim(), negate: m[2] === '!=', value: m[3]!.trim() };
    });
    const labelsOf = (j: JobDefinition): Record<string, string> => ({ ...j.labels, ...(j.tier ? { tier: j.tier } : {}) });
    for (const j of all) {
      if (picked.includes(j)) continue;
      if (terms.every((t) => (labelsOf(j)[t.key] === t.value) !== t.negate)) picked.push(j);
    }
    if (picked.length === 0) throw new UserError(`no job matches -l ${selector}`);
  }
  return picked;
}
