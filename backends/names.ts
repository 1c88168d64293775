/**
 * Every backend's identity, in the registry's order: what parsing definitions, the project file and
 * the command line needs, without loading a backend (start-up time). `backends/index.ts` holds the
 * backends themselves, in the same order; a third backend adds a line to each.
 */
import { backendNames } from '../src/core/backend-names.js';
import { chronosIdentity } from './chronos/identity.js';
import { kubernetesIdentity } from './kubernetes/identity.js';

const IDENTITIES = [chronosIdentity, kubernetesIdentity] as const;

export const BACKEND_NAMES = backendNames(IDENTITIES);

/** Every backend's own global flags, by name (each a string option). */
export type BackendFlagName = (typeof IDENTITIES)[number]['flags'][number]['name'];
