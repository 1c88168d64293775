/** The explicit registry of backends: adding a scheduler is adding a folder and a line here. */
import type { BackendLinters } from '../src/core/lint.js';
import { lintForChronos } from './chronos/render.js';
import { lintForKubernetes } from './kubernetes/render.js';

export function backendLinters(now: () => Date): BackendLinters {
  return {
    chronos: (job) => lintForChronos(job, now()),
    kubernetes: (job) => lintForKubernetes(job),
  };
}
