/** Kubernetes' names, its section of migrate.yaml and its global flags, loaded before the backend itself. */
import type { BackendIdentity } from '../../src/core/backend-names.js';

/** The controller appends `-<unix minutes>` (11 characters) to a CronJob's name to name each Job (max 63). */
export const MAX_NAME_LENGTH = 52;

export const kubernetesIdentity = {
  name: 'kubernetes',
  title: 'Kubernetes',
  aliases: ['k8s'],
  // `namespace` here is the default namespace of every job (docs/format.md).
  projectKeys: ['context', 'namespace'],
  flags: [
    { name: 'kubeconfig', describe: 'kubeconfig file (env KUBECONFIG)', hint: 'Name the kubeconfig file, or leave --kubeconfig out for KUBECONFIG or ~/.kube/config.' },
    {
      name: 'context',
      describe: 'kubeconfig context',
      hint: 'Name a context of the kubeconfig (`kubectl config get-contexts` lists them), or leave --context out for its current context.',
    },
  ],
  requestTimeoutSeconds: 15,
  native: true,
  replacesRuns: true,
  nameProblems: (name: string) =>
    name.length > MAX_NAME_LENGTH
      ? [
          `name "${name}" is ${name.length} characters; Kubernetes cannot schedule a CronJob name over ${MAX_NAME_LENGTH}, ` +
            `because it appends "-<minutes>" (11 characters) to name each Job and a Job name is at most 63; shorten it`,
        ]
      : [],
} as const satisfies BackendIdentity;
