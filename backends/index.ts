/**
 * The explicit registry of backends: adding a scheduler is adding a folder and a line here (and a
 * name in `BACKENDS`, src/core/job.ts). Commands and actions loop over it; none names a backend.
 */
import type { Backend } from '../src/core/backend.js';
import type { BackendName } from '../src/core/job.js';
import type { BackendLinters } from '../src/core/lint.js';
import type { ClientModule } from './client-module.js';
import { chronosBackend, chronosClientModule } from './chronos/backend.js';
import { kubernetesBackend, kubernetesClientModule } from './kubernetes/backend.js';

/** Each backend, by name. Typed loosely on purpose: callers hold live objects as `unknown` and pass them back. */
export const BACKEND_REGISTRY: Readonly<Record<BackendName, Backend>> = {
  chronos: chronosBackend,
  kubernetes: kubernetesBackend,
};

/** Each backend's client library, which its `connect` builds clients from (client-module.ts). */
const CLIENT_MODULES: Readonly<Record<BackendName, ClientModule<unknown>>> = {
  chronos: chronosClientModule,
  kubernetes: kubernetesClientModule,
};

/** Loads every backend's client library: once, before the first connection is opened. */
export async function loadClients(): Promise<void> {
  await Promise.all(Object.values(CLIENT_MODULES).map((m) => m.load()));
}

export function backendOf(name: BackendName): Backend {
  return BACKEND_REGISTRY[name];
}

/** Every backend, in the registry's order (the order of status columns and of reads). */
export const ALL_BACKENDS: readonly Backend[] = Object.values(BACKEND_REGISTRY);

export function backendLinters(now: () => Date): BackendLinters {
  return Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, (job) => b.lint(job, now())])) as BackendLinters;
}
