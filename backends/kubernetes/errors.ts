/** How a Kubernetes call fails: the translated API error, and the class a caller decides on. */
import { UserError } from '../../src/core/errors.js';

/**
 * The kubeconfig is at fault, not the cluster: it does not load, names a missing context, or the
 * client cannot build a request from it (a credential plugin that is not installed, TLS settings
 * the client refuses). Nothing was sent, so retrying or waiting for the cluster does not help.
 */
export class KubeconfigError extends UserError {
  constructor(summary: string, detail?: string) {
    super(summary, detail);
    this.name = 'KubeconfigError';
  }
}

/**
 * A failed API call, translated; `reason` is the Status reason (NotFound, AlreadyExists, Conflict,
 * Invalid, ...). `code` is the HTTP status, or 0 when no answer came (refused, reset, timed out).
 */
export class KubernetesApiError extends UserError {
  constructor(
    summary: string,
    detail: string | undefined,
    readonly code: number,
    readonly reason: string | undefined,
    readonly causes: readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[] = [],
  ) {
    super(summary, detail);
    this.name = 'KubernetesApiError';
  }
}

/**
 * - `unreachable`: no answer (connection refused or reset, timeout, a resolver that does not
 *   answer), or the server could not serve the call (5xx, 429). Waiting may help; the cluster may
 *   be down.
 * - `refused`: the server answered and said no (401, 403, 404, any other 4xx).
 * - `misconfigured`: no request could be built or sent (the kubeconfig does not load, names a
 *   missing context, runs a credential plugin that is not installed, points at plain http without
 *   insecure-skip-tls-verify or at a host name that does not exist, does not trust the server's
 *   certificate, ...). Nothing was sent.
 * - undefined: not a failure of the Kubernetes client.
 */
export function kubernetesFailureClass(err: unknown): 'unreachable' | 'refused' | 'misconfigured' | undefined {
  if (err instanceof KubeconfigError) return 'misconfigured';
  if (!(err instanceof KubernetesApiError)) return undefined;
  if (err.code === 0 || err.code === 429 || err.code >= 500) return 'unreachable';
  return 'refused';
}
