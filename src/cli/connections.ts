/**
 * The edge where the two live systems are reached: a ChronosClient and KubernetesClients built from
 * the global flags, the environment and `migrate.yaml`, in that order of precedence
 * (design.md, "The job definition": flags and environment variables override the project file).
 *
 *   Chronos URL:   --chronos-url, MIGRATE_CHRONOS_URL, chronos.url
 *   API prefix:    MIGRATE_CHRONOS_PREFIX, chronos.apiPrefix, /v1/scheduler
 *   credentials:   MIGRATE_CHRONOS_USER / MIGRATE_CHRONOS_PASSWORD, or user:password in the URL
 *   kubeconfig:    --kubeconfig, KUBECONFIG, ~/.kube/config
 *   context:       --context, kubernetes.context, the kubeconfig's current context
 *   namespace:     -n, the job's namespace (from its definition or migrate.yaml), the context's
 *
 * Clients are built lazily, on first use, so a command that needs one system does not fail
 * because the other is not configured, and `status` can report one system as unreachable while
 * showing the other.
 */
import { ChronosClient, chronosOptionsFromEnv, type ChronosClientOptions } from '../../backends/chronos/client.js';
import { KubernetesClient, loadKubeConfig, type KubernetesClientOptions, type LoadedKubeConfig } from '../../backends/kubernetes/client.js';
import type { ProjectConfig } from '../core/project.js';
import type { GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';

/** What the connections are built from: the parsed global flags and the project file. */
export type ConnectionArgs = Pick<GlobalArgs, 'chronos-url' | 'kubeconfig' | 'context' | 'namespace'>;

/** Test seams: no real waiting between retries, shorter timeouts. Commands pass nothing. */
export interface ConnectionTuning {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly timeoutMs?: number;
  readonly retries?: number;
  /** Server-side apply takes over fields another manager owns (apply, after the operator confirmed the diff). */
  readonly kubernetesForceConflicts?: boolean;
}

export interface Connections {
  /** The Chronos client; throws a UserError when no URL is configured. */
  chronos(): ChronosClient;
  /**
   * A Kubernetes client bound to one namespace: `-n` when given, else `namespace`, else the
   * project's namespace, else the kubeconfig context's. Throws a UserError for a bad kubeconfig.
   */
  kubernetes(namespace?: string): KubernetesClient;
  /** The namespace a job in `namespace` is read from and written to (`-n` overrides it). */
  namespaceFor(namespace?: string): string;
  /** Where Chronos is, for messages (without credentials); undefined when not configured. */
  readonly chronosUrl: string | undefined;
}

export function chronosClientOptions(io: CliIO, args: ConnectionArgs, project: ProjectConfig, tuning: ConnectionTuning = {}): ChronosClientOptions {
  const url = args['chronos-url'] ?? io.env.MIGRATE_CHRONOS_URL ?? project.chronos.url;
  const { sleep, timeoutMs, retries } = tuning;
  return chronosOptionsFromEnv(io.env, {
    ...(url !== undefined ? { url } : {}),
    prefix: io.env.MIGRATE_CHRONOS_PREFIX ?? project.chronos.apiPrefix,
    clock: io.clock,
    ...(sleep ? { sleep } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries !== undefined ? { retries } : {}),
  });
}

export function openConnections(io: CliIO, args: ConnectionArgs, project: ProjectConfig, tuning: ConnectionTuning = {}): Connections {
  let chronos: ChronosClient | undefined;
  let kubeconfig: LoadedKubeConfig | undefined;
  const kubernetes = new Map<string, KubernetesClient>();
  const loadKube = (): LoadedKubeConfig =>
    (kubeconfig ??= loadKubeConfig({ kubeconfig: args.kubeconfig, context: args.context ?? project.kubernetes.context, env: io.env }));
  const namespaceFor = (namespace?: string): string => args.namespace ?? namespace ?? project.kubernetes.namespace ?? project.defaults.namespace ?? loadKube().namespace;
  const rawUrl = args['chronos-url'] ?? io.env.MIGRATE_CHRONOS_URL ?? project.chronos.url;
  return {
    chronosUrl: rawUrl?.replace(/\/\/[^@/]*@/, '//'),
    chronos: () => (chronos ??= new ChronosClient(chronosClientOptions(io, args, project, tuning))),
    namespaceFor,
    kubernetes(namespace) {
      const ns = namespaceFor(namespace);
      let client = kubernetes.get(ns);
      if (!client) {
        const { sleep, timeoutMs, retries, kubernetesForceConflicts } = tuning;
        const options: KubernetesClientOptions = {
          namespace: ns, clock: io.clock, env: io.env, forceConflicts: kubernetesForceConflicts ?? false,
          ...(sleep ? { sleep } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(retries !== undefined ? { retries } : {}),
        };
        client = new KubernetesClient(options, loadKube());
        kubernetes.set(ns, client);
      }
      return client;
    },
  };
}
