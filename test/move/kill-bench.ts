/**
 * A move "killed" after any step: the real protocol (executeMove with the CLI's own wiring, its
 * journal the file and the cluster's record of moves) runs in-process until the journal record
 * chosen as the kill point, and then never goes on, as if the process had died there. Its lock is
 * held by a process of this machine that has exited, as a killed migrate's would be, so `resume`
 * and `rollback` may take it over at once.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { executeMove, type MoveDeps } from '../../src/actions/move.js';
import { planMove, sidesFor } from '../../src/actions/move-setup.js';
import { openConnections } from '../../src/cli/connections.js';
import type { GlobalArgs } from '../../src/cli/global-args.js';
import type { CliIO } from '../../src/cli/io.js';
import { moveDeps } from '../../src/actions/moves.js';
import { actionConfig, loadActionConfig } from '../../src/cli/action-config.js';
import { loadWorkspace } from '../../src/cli/workspace.js';
import type { JournalRecord } from '../../src/core/journal.js';
import type { SystemName } from '../../src/sandbox/ledger.js';
import type { SandboxRepo } from '../helpers/sandbox-repo.js';

/** Where the process dies: after a record was written, or just before it (the call done, not recorded). */
export interface KillPoint {
  readonly name: string;
  readonly record: string;
  readonly when: 'after' | 'before';
  /** Whether the source was already disabled at that point. */
  readonly sourceDisabled: boolean;
}

export const KILL_POINTS: readonly KillPoint[] = [
  { name: 'after begin', record: 'begin', when: 'after', sourceDisabled: false },
  { name: 'after locked', record: 'locked', when: 'after', sourceDisabled: false },
  { name: 'after the source was disabled, before recording it', record: 'source-disabled', when: 'before', sourceDisabled: true },
  { name: 'after source-disabled', record: 'source-disabled', when: 'after', sourceDisabled: true },
  { name: 'after the target was enabled, before recording it', record: 'target-enabled', when: 'before', sourceDisabled: true },
  { name: 'after target-enabled', record: 'target-enabled', when: 'after', sourceDisabled: true },
  { name: 'after verified', record: 'verified', when: 'after', sourceDisabled: true },
  { name: 'after definition-written', record: 'definition-written', when: 'after', sourceDisabled: true },
];

const recordName = (r: JournalRecord) => (r.kind === 'step' ? r.step : r.kind);

/**
 * Runs `move job --to <to>` (or, with `undoes`, `rollback job`) until the kill point; resolves
 * 'killed' there (or 'finished' if never reached). With `journalThrows`, writing the journal fails there instead (a full disk): the move
 * goes on to handle the error, and its own outcome is returned.
 */
export async function killedMove(
  repo: SandboxRepo,
  from: SystemName,
  to: SystemName,
  kill: KillPoint,
  journalThrows = false,
  /** Runs after the plan, just before the lock is taken (e.g. another operator's whole move). */
  beforeLock: () => Promise<void> = async () => undefined,
  /** Set: the move is `rollback job`, undoing the move with this id (`from` is where that move put the job). */
  undoes?: string,
  /** As `--yes` runs it: the shared record read before the plan, and the plan's reads offered to the move. */
  unconfirmed = false,
): Promise<'killed' | 'finished' | Error> {
  const io: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, isTTY: false, env: repo.env, cwd: repo.dir, clock: repo.sandbox.ctx.clock };
  const args = { 'jobs-dir': 'jobs', config: 'migrate.yaml', color: false, yes: true, debug: false } as GlobalArgs;
  const ws = loadWorkspace(io, args);
  const definition = ws.definitions.find((d) => d.job.name === 'job')!;
  const connections = openConnections(io, args, ws.project);
  const sides = sidesFor(connections, definition.job);
  const guardSeconds = ws.project.handoff.guardSeconds;
  const operation = undoes ? ('rollback' as const) : ('move' as const);
  const options = { advanceSandbox: true, connections, report: () => undefined };
  const loaded = unconfirmed ? await loadActionConfig(io, args, ws, options, [definition.job]) : undefined;
  const readFrom = io.clock.now();
  const { plan, desiredTarget, reads } = await planMove(connections, { definition, from, to, operation, guardSeconds, sides });
  if (plan.refusal) throw new Error(`the move was refused: ${plan.refusal}`);

  const config = loaded ?? actionConfig(io, args, ws, options);
  const wiring = moveDeps(config, sides, { definition, from, to, operation, undoes });
  const locks = connections.locks()!;
  const deadHolder = `${os.userInfo().username}@${os.hostname()} pid ${spawnSync('true').pid}`;
  let die!: () => void;
  const died = new Promise<'killed'>((resolve) => (die = () => resolve('killed')));
  const never = new Promise<void>(() => undefined);
  const deps: MoveDeps = {
    ...wiring,
    holder: deadHolder,
    async journal(record, options) {
      const here = recordName(record) === kill.record;
      if (here && journalThrows) throw new Error(`ENOSPC: no space left on device, write ${repo.journalFile}`);
      if (here && kill.when === 'before') return die(), never;
      await wiring.journal(record, options);
      if (here) return die(), never;
    },
    async acquireLock(ttlSeconds) {
      await beforeLock();
      return locks.acquire(definition.job, deadHolder, ttlSeconds, () => false);
    },
  };
  const request = {
    job: definition.job, operation, from, to, guardSeconds, desiredTarget, definition: { file: definition.file, text: repo.readJob('job') }, undoes,
    ...(unconfirmed ? { planReads: { ...reads, from: readFrom } } : {}),
  };
  return Promise.race([died, executeMove(request, deps).then(() => 'finished' as const, (err: Error) => err)]);
}
