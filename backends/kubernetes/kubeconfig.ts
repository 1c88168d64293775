/** A kubeconfig for a sandbox API server, for `migrate sandbox` to print and tests to use. */
import YAML from 'yaml';

export interface SandboxKubeconfigOptions {
  /** `http://127.0.0.1:PORT`. */
  readonly server: string;
  readonly namespace?: string;
  readonly contextName?: string;
}

/**
 * YAML text. `insecure-skip-tls-verify` is required by @kubernetes/client-node for an `http://`
 * server (it refuses plain http otherwise); kubectl sends no credentials over http, so the user
 * entry carries no token.
 */
export function sandboxKubeconfig(opts: SandboxKubeconfigOptions): string {
  const name = opts.contextName ?? 'migrate-sandbox';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: opts.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes the kubeconfig for `server` into `dir` (created if needed) and returns its path. */
export async function writeSandboxKubeconfig(dir: string, server: string): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'kubeconfig');
  await writeFile(file, sandboxKubeconfig({ server }), { mode: 0o600 });
  return file;
}
