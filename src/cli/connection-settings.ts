/**
 * What a backend's connection is built from: the global flags, the environment, `migrate.yaml` and
 * the command's tuning. Apart from connections.ts so that a command that only asks a backend for a
 * job's scope (`render`) does not load the client libraries.
 */
import type { ConnectionSettings, ConnectionTuning } from '../core/backend.js';
import type { ProjectConfig } from '../core/project.js';
import { requestTimeoutMs, type GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';

/** The parsed global flags the connections are built from: each backend reads the ones it declares. */
export type ConnectionArgs = Partial<GlobalArgs>;

export function connectionSettings(io: CliIO, args: ConnectionArgs, project: ProjectConfig, tuning: ConnectionTuning = {}): ConnectionSettings {
  const timeoutMs = tuning.timeoutMs ?? requestTimeoutMs(args);
  return { flags: { ...args }, env: io.env, project, clock: io.clock, tuning: timeoutMs === undefined ? tuning : { ...tuning, timeoutMs } };
}
