/**
 * The one interface every scheduler implements. The pure half (render, read back, lint) lives in
 * `backends/<name>/render.ts`; the effectful half (a client for the live API) in
 * `backends/<name>/client.ts`. Adding a third scheduler is adding a folder and a registry entry.
 */
import type { Clock } from './clock.js';
import type { BackendName, JobDefinition } from './job.js';

/** A field of the definition that the target cannot carry, reported, never silently lost. */
export interface TranslationWarning {
  readonly field: string;
  readonly message: string;
}

export interface Rendered<T> {
  readonly manifest: T;
  readonly warnings: readonly TranslationWarning[];
}

export interface Imported {
  readonly definition: JobDefinition;
  readonly warnings: readonly TranslationWarning[];
}

/** Pure: no I/O, no clock of its own (the instant a render depends on is passed in). */
export interface BackendModel<Manifest> {
  readonly name: BackendName;
  /** `now` is needed by Chronos, whose schedule start is the next fire time after now. */
  render(job: JobDefinition, now: Date): Rendered<Manifest>;
  toDefinition(live: Manifest): Imported;
  /** Problems that make the job impossible on this backend (e.g. a schedule Chronos cannot express). */
  lint(job: JobDefinition): readonly LintFinding[];
  /** Strip server-owned fields and fill defaults so an untouched live object equals its render. */
  normalize(manifest: Manifest): Manifest;
}

/** A lint finding before it is placed at a file position: which field, and what is wrong. */
export interface LintFinding {
  readonly field: string;
  readonly message: string;
}

/** A run the backend reports as started and not yet finished. */
export interface ActiveRun {
  readonly id: string;
  readonly startedAt?: Date;
  readonly scheduledFor?: Date;
}

/** Effectful: one live scheduler API. */
export interface BackendClient<Manifest> {
  readonly name: BackendName;
  list(): Promise<readonly Manifest[]>;
  read(name: string): Promise<Manifest | undefined>;
  apply(manifest: Manifest): Promise<Manifest>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  remove(name: string): Promise<void>;
  activeRuns(name: string): Promise<readonly ActiveRun[]>;
  /** The server's clock, from the last answer's HTTP `Date` header. */
  serverClock(): Clock;
}
