/**
 * What one backend makes of another's `specific.<backend>` section: nothing. Each field there
 * (but the name, which is that backend's own) is said as dropped, so that a render, a diff and a
 * move plan list it (docs/format.md, "Backend-specific fields").
 */
import type { TranslationWarning } from './backend.js';
import type { BackendName, JobDefinition } from './job.js';

/** `self`: the backend rendering; `title`: how its messages name it. */
export function otherSectionsDropped(job: Pick<JobDefinition, 'specific'>, self: BackendName, title: string): TranslationWarning[] {
  const warnings: TranslationWarning[] = [];
  for (const [backend, section] of Object.entries(job.specific ?? {})) {
    if (backend === self) continue;
    for (const [field, value] of Object.entries(section)) {
      if (field === 'name') continue;
      warnings.push({ field: `specific.${backend}.${field}`, message: `dropped in translation: specific.${backend}.${field} (${JSON.stringify(value)}) is ${backend}'s own and has no ${title} equivalent` });
    }
  }
  return warnings;
}
