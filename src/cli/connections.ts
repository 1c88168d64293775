/**
 * The edge where the live systems are reached: one connection per backend in the registry, built
 * from the global flags, the environment and `migrate.yaml` (flags and environment variables
 * override the project file; each backend's file says which settings it reads, in which order).
 *
 * Connections are built lazily, on first use, so a command that needs one system does not fail
 * because another is not configured, and `status` can report one system as unreachable while
 * showing the others.
 */
import { ALL_BACKENDS, BACKEND_REGISTRY, loadClients } from '../../backends/index.js';
import type { BackendConnection, ConnectionTuning } from '../core/backend.js';
import type { LockProvider } from '../core/cutover.js';
import type { BackendName } from '../core/job.js';
import type { ProjectConfig } from '../core/project.js';
import { connectionSettings, type ConnectionArgs } from './connection-settings.js';
import type { CliIO } from './io.js';

export type { ConnectionTuning } from '../core/backend.js';
export { connectionSettings, type ConnectionArgs } from './connection-settings.js';

// The client libraries (each backend's `ClientModule`) are most of a command's start-up time and
// memory. They load here, as the commands that reach a server import this module; `validate`,
// `render` and `next` do not import it, and never load them.
await loadClients();

export interface Connections {
  /** The connection to one backend (built on first use). */
  to(name: BackendName): BackendConnection;
  /**
   * Where move locks live: the first backend in the registry that can hold them. Its server's
   * clock is the reference clock of a move.
   */
  locks(): LockProvider | undefined;
}

export function openConnections(io: CliIO, args: ConnectionArgs, project: ProjectConfig, tuning: ConnectionTuning = {}): Connections {
  const settings = connectionSettings(io, args, project, tuning);
  const open = new Map<BackendName, BackendConnection>();
  const to = (name: BackendName): BackendConnection => {
    let c = open.get(name);
    if (!c) {
      c = BACKEND_REGISTRY[name].connect(settings);
      open.set(name, c);
    }
    return c;
  };
  return {
    to,
    locks: () => ALL_BACKENDS.map((b) => to(b.name).locks).find((l) => l !== undefined),
  };
}
