/**
 * The sandbox: every stand-in served on its own port of 127.0.0.1, all sharing one clock, one run
 * ledger, one fault injector and one request log, so the control endpoints answer the same on
 * every port. With a state directory, the stand-ins' state, the ledger and the virtual time
 * survive a restart. This file and the STAND_INS list are where the sandbox meets the backends.
 */
import fs from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ChronosStandIn, type ChronosStandInOptions } from '../../backends/chronos/stand-in.js';
import { KubernetesStandIn } from '../../backends/kubernetes/api-server/server.js';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { UserError } from '../core/errors.js';
import type { LedgerEntry, StandIn, SystemName } from '../../backends/stand-in-contract.js';
import { SandboxClock, type ClockMode } from './clock.js';
import { FaultInjector } from './faults.js';
import { ImperfectionInjector } from './imperfections.js';
import { RunLedger } from './ledger.js';
import { RequestLog } from './requests.js';
import { createStandInServer, listenLocal, type SandboxContext } from './stand-in.js';

export interface SandboxOptions {
  readonly clock?: ClockMode;
  /** Where a virtual clock starts (default: now). A restored state dir wins. */
  readonly start?: Date;
  /** 0 (default) picks a free port. */
  readonly chronosPort?: number;
  readonly k8sPort?: number;
  /** Keep state here across restarts. */
  readonly stateDir?: string;
  /** Chronos stand-in settings: API prefix, Basic credentials, run duration and outcome. */
  readonly chronos?: ChronosStandInOptions;
}

/** One stand-in of the sandbox: which system, on which port, built over the shared context. */
export interface StandInFactory {
  readonly system: SystemName;
  readonly port: (options: SandboxOptions) => number | undefined;
  readonly create: (ctx: SandboxContext, options: SandboxOptions) => StandIn;
}

/** The stand-ins the sandbox serves; a new one is one more line here. */
export const STAND_INS: readonly StandInFactory[] = [
  { system: 'chronos', port: (o) => o.chronosPort, create: (ctx, o) => new ChronosStandIn(ctx, o.chronos) },
  { system: 'kubernetes', port: (o) => o.k8sPort, create: (ctx) => new KubernetesStandIn(ctx) },
];

/** `migrate sandbox`'s port flags: one per stand-in, each setting its `SandboxOptions` port. */
export const SANDBOX_PORT_FLAGS = [
  { flag: 'chronos-port', option: 'chronosPort', describe: 'port of the Chronos API (0: any free port)' },
  { flag: 'k8s-port', option: 'k8sPort', describe: 'port of the Kubernetes API (0: any free port)' },
] as const satisfies readonly { readonly flag: string; readonly option: keyof SandboxOptions; readonly describe: string }[];

/** What a client process needs to reach the sandbox: its environment, and a line to show for each variable. */
export interface SandboxClientSetup {
  readonly env: Readonly<Record<string, string>>;
  readonly lines: readonly string[];
}

/**
 * The environment that points migrate (and kubectl) at the sandbox's stand-ins; files it needs
 * (a kubeconfig) are written into `dir`, or a folder of their own in the temporary folder.
 */
export async function sandboxClientSetup(urls: Sandbox['urls'], dir?: string): Promise<SandboxClientSetup> {
  const env: Record<string, string> = {};
  const lines: string[] = [];
  if (urls.chronos) {
    env.MIGRATE_CHRONOS_URL = urls.chronos;
    lines.push(`export MIGRATE_CHRONOS_URL=${urls.chronos}`);
  }
  if (urls.kubernetes) {
    const kubeconfig = await writeSandboxKubeconfig(dir ?? path.join(os.tmpdir(), `migrate-sandbox-${new URL(urls.kubernetes).port}`), urls.kubernetes);
    env.KUBECONFIG = kubeconfig;
    lines.push(`export KUBECONFIG=${kubeconfig}    # kubectl --kubeconfig ${kubeconfig} get cronjobs`);
  }
  return { env, lines };
}

export interface Sandbox {
  /** The shared state, for tests in the same process: advance `ctx.clock`, read `ctx.ledger` and `ctx.requests`, arm `ctx.faults` and `ctx.imperfections`. */
  readonly ctx: SandboxContext & { readonly requests: RequestLog; readonly imperfections: ImperfectionInjector };
  /** Base URL of each stand-in, e.g. `{ chronos: 'http://127.0.0.1:4400' }`. */
  readonly urls: Readonly<Partial<Record<SystemName, string>>>;
  readonly standIns: Readonly<Partial<Record<SystemName, StandIn>>>;
  /** Writes the state dir now (also done on close and shortly after each request). */
  save(): Promise<void>;
  close(): Promise<void>;
}

interface SavedState {
  readonly version: 1;
  readonly now: string;
  readonly ledger: readonly LedgerEntry[];
  readonly standIns: Readonly<Partial<Record<SystemName, unknown>>>;
}

const STATE_FILE = 'sandbox-state.json';

export async function startSandbox(options: SandboxOptions = {}, factories: readonly StandInFactory[] = STAND_INS): Promise<Sandbox> {
  const mode = options.clock ?? 'virtual';
  const saved = options.stateDir ? await readState(options.stateDir) : undefined;
  const clock = new SandboxClock(mode, saved && mode === 'virtual' ? new Date(saved.now) : options.start);
  const ctx = { clock, ledger: new RunLedger(), faults: new FaultInjector(), requests: new RequestLog(), imperfections: new ImperfectionInjector(clock) };
  if (saved) ctx.ledger.load(saved.ledger);

  const standIns: Partial<Record<SystemName, StandIn>> = {};
  const urls: Partial<Record<SystemName, string>> = {};
  const servers: http.Server[] = [];
  let saveTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const save = async (): Promise<void> => {
    if (!options.stateDir) return;
    const state: SavedState = {
      version: 1,
      now: clock.now().toISOString(),
      ledger: ctx.ledger.all(),
      standIns: Object.fromEntries(Object.entries(standIns).map(([system, s]) => [system, s!.snapshot()])),
    };
    await fs.mkdir(options.stateDir, { recursive: true });
    const file = path.join(options.stateDir, STATE_FILE);
    // Write-then-rename: a crash mid-write never leaves a torn state file.
    await fs.writeFile(`${file}.tmp`, `${JSON.stringify(state)}\n`);
    await fs.rename(`${file}.tmp`, file);
  };
  const scheduleSave = () => {
    if (!options.stateDir || saveTimer || closed) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      save().catch(() => undefined);
    }, 200);
    saveTimer.unref();
  };

  try {
    for (const factory of factories) {
      const standIn = factory.create(ctx, options);
      const restored = saved?.standIns[factory.system];
      if (restored !== undefined) standIn.restore(restored);
      const server = createStandInServer(standIn, ctx, { onChange: scheduleSave });
      servers.push(server);
      const port = await listenLocal(server, factory.port(options) ?? 0);
      standIns[factory.system] = standIn;
      urls[factory.system] = `http://127.0.0.1:${port}`;
    }
  } catch (err) {
    await Promise.all(servers.map((s) => closeServer(s)));
    throw err;
  }
  clock.start();
  // A restored (or real) clock may have passed due slots while we were down: catch up now.
  clock.fireAll();

  return {
    ctx,
    urls,
    standIns,
    save,
    async close() {
      if (closed) return;
      closed = true;
      if (saveTimer) clearTimeout(saveTimer);
      clock.stop();
      await Promise.all(servers.map((s) => closeServer(s)));
      await save();
    },
  };
}

async function readState(dir: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const file = path.join(dir, STATE_FILE);
  let state: SavedState;
  try {
    state = JSON.parse(text) as SavedState;
  } catch (err) {
    throw new UserError(`the sandbox state ${file} is not valid JSON (${(err as Error).message})`, 'Move it away (or pick another --state-dir) to start afresh.');
  }
  if (state?.version !== 1) throw new UserError(`the sandbox state ${file} has an unknown format`, 'Move it away (or pick another --state-dir) to start afresh.');
  return state;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
