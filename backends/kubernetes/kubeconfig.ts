/**
 * Kubeconfig files: loading the operator's (flags, KUBECONFIG, ~/.kube/config), explaining one the
 * client cannot build a request from, and writing one for a sandbox API server.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { tlsFailureCode } from '../../src/core/tls.js';
import { KubeconfigError } from './errors.js';

// Where it has always been imported from; it lives in errors.ts, which loads no client library.
export { KubeconfigError } from './errors.js';

export interface KubeConfigOptions {
  /** `--kubeconfig`; else `KUBECONFIG` (a path list, merged); else ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** `-n`; else the context's namespace; else `default`. */
  readonly namespace?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedKubeConfig {
  readonly kc: KubeConfig;
  readonly context: string;
  readonly namespace: string;
  readonly server: string;
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): LoadedKubeConfig {
  const kc = new KubeConfig();
  const env = opts.env ?? process.env;
  const load = (into: KubeConfig, path: string) => {
    try {
      into.loadFromFile(path);
    } catch (err) {
      throw new KubeconfigError(`cannot read kubeconfig ${path}`, messageOf(err));
    }
  };
  const mustExist = (path: string) => {
    if (!existsSync(path)) throw new KubeconfigError(`kubeconfig ${path} does not exist`, 'Pass --kubeconfig with an existing file, or set KUBECONFIG.');
  };
  if (opts.kubeconfig) {
    mustExist(opts.kubeconfig);
    load(kc, opts.kubeconfig);
  } else if (env.KUBECONFIG) {
    const [first, ...rest] = env.KUBECONFIG.split(':').filter((p) => p.length > 0);
    mustExist(first!);
    load(kc, first!);
    for (const p of rest) {
      if (!existsSync(p)) continue;
      const other = new KubeConfig();
      load(other, p);
      kc.mergeConfig(other, true);
    }
  } else {
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new KubeconfigError('cannot read the default kubeconfig (~/.kube/config)', messageOf(err));
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new KubeconfigError(`kubeconfig has no context "${opts.context}"`, `Known contexts: ${known}.`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`kubeconfig context "${context}" names no cluster`, 'Fix the context, or pick another with --context.');
  const namespace = opts.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  return { kc, context, namespace, server: cluster.server };
}

/**
 * Why no request could be built from the kubeconfig (`applyToHTTPSOptions` failed): runs its
 * credential plugin, reads its certificate files, builds the TLS agent.
 */
export function requestSetupError(err: unknown, loaded: Pick<LoadedKubeConfig, 'kc' | 'context' | 'server'>): KubeconfigError {
  const user = loaded.kc.getCurrentUser();
  const cluster = loaded.kc.getCurrentCluster();
  const where = `kubeconfig context "${loaded.context}"${user ? ` (user "${user.name}")` : ''}`;
  const fields: Record<string, unknown> = typeof err === 'object' && err !== null ? { ...err } : {};
  const exec: unknown = user?.exec;
  const plugin = typeof exec === 'object' && exec !== null && 'command' in exec && typeof exec.command === 'string' ? exec.command : undefined;
  if (fields.code === 'ENOENT' && String(fields.syscall).startsWith('spawn')) {
    return new KubeconfigError(
      `${where} gets its credentials by running "${String(fields.path)}", which is not installed`,
      `Install it or put it on PATH, or fix the user's exec command in the kubeconfig. Nothing was sent to ${loaded.server}.`,
    );
  }
  if (fields.code === 'ENOENT' || fields.code === 'EACCES') {
    return new KubeconfigError(`${where} names a file that cannot be read: ${String(fields.path)}`, `${messageOf(err)}\nFix the path in the kubeconfig.`);
  }
  // client-node refuses plain http unless the cluster says insecure-skip-tls-verify.
  if (loaded.server.startsWith('http:') && cluster?.skipTLSVerify !== true) {
    return new KubeconfigError(
      `${where} points at ${loaded.server} over plain http, which the Kubernetes client refuses without insecure-skip-tls-verify`,
      `${messageOf(err)}\nUse the cluster's https:// address, or set insecure-skip-tls-verify: true on the cluster (a local test server only).`,
    );
  }
  if (plugin !== undefined) {
    return new KubeconfigError(`${where} gets its credentials by running "${plugin}", which failed`, `${messageOf(err)}\nRun it by hand to see why (often an expired login). Nothing was sent to ${loaded.server}.`);
  }
  return new KubeconfigError(`cannot build a request from ${where}`, `${messageOf(err)}\nFix the kubeconfig (its credentials, certificates or TLS settings). Nothing was sent to ${loaded.server}.`);
}

/**
 * A connection that failed before any request because of what the kubeconfig says, not because
 * the cluster does not answer: its server's host name does not exist (the resolver said so; a
 * resolver that does not answer is another matter), or the server answered the TLS handshake and
 * the client would not go on (a certificate the kubeconfig does not trust or whose name does not
 * match, a server that does not speak TLS). Undefined for any other socket error.
 */
export function connectionSetupError(err: unknown, loaded: Pick<LoadedKubeConfig, 'context' | 'server'>): KubeconfigError | undefined {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (code === 'ENOTFOUND') {
    return new KubeconfigError(
      `kubeconfig context "${loaded.context}" points at ${loaded.server}, whose host name does not exist`,
      'Fix the server address in the kubeconfig, or pick another context with --context. No request was sent.',
    );
  }
  if (tlsFailureCode(err) === undefined) return undefined;
  return new KubeconfigError(
    `kubeconfig context "${loaded.context}" cannot talk TLS to ${loaded.server}: ${messageOf(err).replace(NODE_SYSTEM_CA_HINT, '')}`,
    "Set the cluster's certificate-authority-data to the CA that signed the server's certificate, or fix the server address (insecure-skip-tls-verify: true is for a local test server only). No request was sent.",
  );
}

/**
 * Node 24 ends a certificate error with advice for whoever runs `node` ("try running Node.js with
 * --use-system-ca"); the detail says what to do about a kubeconfig, the same on every Node.
 */
const NODE_SYSTEM_CA_HINT = /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/;

/** Socket errors may come from another realm (a test's VM context), where `instanceof Error` fails: read the field. */
function messageOf(err: unknown): string {
  const message = typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' ? err.message.trim() : '';
  return message || (err instanceof Error ? err.name : String(err));
}

// ---- sandbox kubeconfigs -------------------------------------------------------------------

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
