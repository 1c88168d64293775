/**
 * The actions' configuration as the CLI builds it from the machine: the connections, the journal
 * (the file beside `migrate.yaml` and the shared record of moves, shared-journal.ts), the
 * definition files (atomic writes), this process as the lock holder, and waits in real time or,
 * in a rehearsal, on the sandbox's virtual clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { ActionConfig } from '../actions/config.js';
import type { MoveEvent } from '../actions/move.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { definitionBeforeMove } from '../core/definition-edit.js';
import type { BackendName, JobDefinition } from '../core/job.js';
import { toRfc3339 } from '../core/time.js';
import { ALL_BACKENDS, backendOf } from '../../backends/index.js';
import { openConnections, type Connections } from './connections.js';
import { definitionPatch, flipDefinitionBackend, writeFileAtomic } from './definition-file.js';
import type { GlobalArgs } from './global-args.js';
import type { CliIO } from './io.js';
import { projectJournal } from './journal-file.js';
import { holderName, isAbandonedHolder } from './lock-holder.js';
import { isVirtualSandbox, sandboxAdvancer, virtualClockNote } from './sandbox-wait.js';
import { SharedJournal, sharedRecordOf } from './shared-journal.js';
import type { Workspace } from './workspace.js';

export interface ActionOptions {
  /** Rehearsal on a virtual-clock sandbox: advance its clock instead of waiting in real time. */
  readonly advanceSandbox: boolean;
  /** Where progress goes; by default a line per event on stderr, prefixed with the job. */
  readonly report?: ActionConfig['report'];
  readonly connections?: Connections;
  /**
   * A configuration this command loaded already (rollback decides, then moves): its connections
   * and its reading of the shared record of moves are used again instead of read a second time.
   */
  readonly reuse?: ActionConfig;
}

/** Each loaded configuration's journal, for a configuration that reuses it. */
const loadedJournals = new WeakMap<ActionConfig, SharedJournal>();

/**
 * The configuration, its journal merging the shared record of moves of `jobs` (read first: an
 * action's journal reads are synchronous). Every command that acts on the journal builds it so.
 */
export async function loadActionConfig(io: CliIO, args: GlobalArgs, ws: Workspace, options: ActionOptions, jobs: readonly JobDefinition[]): Promise<ActionConfig> {
  const { config, journal, virtualSandbox } = buildActionConfig(io, args, ws, options);
  await Promise.all([journal.load(jobs, options.reuse && loadedJournals.get(options.reuse)), virtualSandbox()]);
  loadedJournals.set(config, journal);
  return config;
}

/** The configuration with no shared record read yet: appends still reach it, reads see what this process wrote there. */
export function actionConfig(io: CliIO, args: GlobalArgs, ws: Workspace, options: ActionOptions): ActionConfig {
  return buildActionConfig(io, args, ws, options).config;
}

function buildActionConfig(io: CliIO, args: GlobalArgs, ws: Workspace, options: ActionOptions): { config: ActionConfig; journal: SharedJournal; virtualSandbox: () => Promise<void> } {
  const systems = options.connections ?? options.reuse?.systems ?? openConnections(io, args, ws.project);
  const resolve = (file: string) => path.resolve(io.cwd, file);
  const progress = options.report ?? ((job: string, event: MoveEvent) => report(io, job, event));
  const journal = new SharedJournal(
    projectJournal(io, args),
    sharedRecordOf(systems),
    (name) => ws.definitions.find((d) => d.job.name === name)?.job,
    (job, message) => progress(job, { kind: 'warning', message }),
  );
  // Found once, on first use (building the config opens no connection): the system whose clock a
  // move follows (the lock server's), and in a rehearsal the sandbox's clock advancer on its port
  // (the sandbox serves its control API on every stand-in's port).
  let followed: BackendName | undefined;
  const followedSystem = () => (followed ??= systems.locks()?.system ?? ALL_BACKENDS[0]!.name);
  let advance: ((ms: number) => Promise<void>) | undefined;
  const advanceSandbox = (ms: number) => (advance ??= sandboxAdvancer(systems.to(followedSystem()).location()))(ms);
  // Without --advance-sandbox, a sandbox on a virtual clock: its time is the only time there is
  // (this machine's clock is not "off" it), and a wait sleeps until someone advances it.
  let virtualServer: string | undefined;
  let noted = false;
  const virtualSandbox = async () => {
    if (options.advanceSandbox) return;
    const server = (() => {
      try {
        return systems.to(followedSystem()).location();
      } catch {
        return undefined; // not configured: the command says so itself, where it needs the system
      }
    })();
    if (server && (await isVirtualSandbox(server))) virtualServer = server;
  };
  const sleepOrNote = (ms: number) => {
    if (virtualServer && !noted) {
      noted = true;
      io.stderr.write(`${virtualClockNote(virtualServer)}\n`);
    }
    return sleep(ms, io.interrupted);
  };
  const config: ActionConfig = {
    systems,
    journal,
    definitions: {
      text: (file) => fs.readFileSync(resolve(file), 'utf8'),
      flip: async (file, to) => flipDefinitionBackend(resolve(file), file, to),
      restoreBefore(file, before) {
        const current = fs.readFileSync(resolve(file), 'utf8');
        const restored = definitionBeforeMove(before.text, current, before.to, BACKEND_NAMES);
        if (restored === undefined || restored === current) return undefined;
        writeFileAtomic(resolve(file), restored);
        return definitionPatch(file, current, restored);
      },
    },
    // A rehearsal's waits move the sandbox's clock, not this machine's: the actions then read
    // time (a write's settling deadline) from the sandbox, whose clock those waits move. Without
    // --advance-sandbox a write still settles on this machine's clock, even on a virtual sandbox:
    // a write in flight lands in real time, however fast someone else moves the sandbox's clock.
    clock: options.advanceSandbox ? { now: () => systems.to(followedSystem()).serverClock().now() } : io.clock,
    wait: options.advanceSandbox ? advanceSandbox : sleepOrNote,
    ...(io.interrupted ? { interrupted: io.interrupted } : {}),
    // This machine's clock is not "off" a virtual sandbox's: that is the only time there is.
    report: (job, event) => (virtualServer && event.kind === 'clock-skew' && event.system === 'local' ? undefined : progress(job, event)),
    holder: holderName(),
    isAbandonedHolder,
    // In the time of the server the journal's `at` follows (read by the plan), not this machine's.
    newMoveId: (job) => `${job}-${DateTime.fromJSDate(systems.to(followedSystem()).serverClock().now(), { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss")}-${randomBytes(3).toString('hex')}`,
    guardSeconds: ws.project.handoff.guardSeconds,
  };
  return { config, journal, virtualSandbox };
}

/** Waits `ms`, or less when the operator interrupts (the caller then stops at its safe point). */
function sleep(ms: number, interrupted: AbortSignal | undefined): Promise<void> {
  if (interrupted?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    interrupted?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      interrupted?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Progress of the protocol on stderr, a line an event, prefixed with the job (moves run concurrently). */
export function report(io: CliIO, job: string, e: MoveEvent): void {
  const line = (() => {
    switch (e.kind) {
      case 'locked':
        return `locked (Lease held by ${e.holder})`;
      case 'clock-skew':
        return `warning: the ${e.system} clock is ${e.skewSeconds} s off the ${backendOf(e.reference).serverTitle}'s; following the server`;
      case 'waiting':
        return `waiting ${e.seconds} s: ${e.why}`;
      case 'replanned':
        return `re-planned (${e.why}): handoff now at ${toRfc3339(e.handoff.at)}`;
      case 'step':
      case 'note':
        return e.message;
      case 'warning':
        return `warning: ${e.message}`;
    }
  })();
  io.stderr.write(`[${job}] ${line}\n`);
}
