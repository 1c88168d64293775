/** Chronos' name, its section of migrate.yaml and its global flag, loaded before the backend itself. */
import type { BackendIdentity } from '../../src/core/backend-names.js';

export const chronosIdentity = {
  name: 'chronos',
  title: 'Chronos',
  aliases: [],
  projectKeys: ['url', 'apiPrefix'],
  flags: [
    {
      name: 'chronos-url',
      describe: 'Chronos base URL (env MIGRATE_CHRONOS_URL)',
      hint: 'Give the Chronos base URL, or leave --chronos-url out for MIGRATE_CHRONOS_URL or migrate.yaml.',
    },
  ],
  requestTimeoutSeconds: 10,
  replacesRuns: false,
  // Chronos' own fields that no other backend has, carried as written (docs/chronos.md, "What import does with each field").
  specificFields: [
    'name', 'constraints', 'fetch', 'runAsUser', 'executor', 'executorFlags', 'taskInfoData', 'highPriority', 'softError',
    'dataProcessingJobType', 'maxCompletionTime', 'container',
  ],
} as const satisfies BackendIdentity;
