/**
 * The explicit registry of backends: adding a scheduler is adding a folder and a line here.
 * Each entry is the backend's pure model (render, read back, lint, normalise).
 */
import type { BackendModel } from '../src/core/backend.js';
import type { BackendName } from '../src/core/job.js';
import type { BackendLinters } from '../src/core/lint.js';
import { chronosModel } from './chronos/render.js';
import { kubernetesModel } from './kubernetes/render.js';

export function backendModels(now: () => Date): Readonly<Record<BackendName, BackendModel<unknown>>> {
  return {
    chronos: chronosModel(now) as BackendModel<unknown>,
    kubernetes: kubernetesModel as BackendModel<unknown>,
  };
}

export function backendLinters(now: () => Date): BackendLinters {
  const models = backendModels(now);
  return { chronos: (job) => models.chronos.lint(job), kubernetes: (job) => models.kubernetes.lint(job) };
}
