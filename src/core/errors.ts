/**
 * Errors an operator can act on: a one-line summary and a detail that says what to do next.
 * The CLI's single top-level catch prints these without a stack trace (unless --debug) and
 * maps them to the documented exit codes.
 */
export class UserError extends Error {
  constructor(
    readonly summary: string,
    readonly detail?: string,
    readonly exitCode: number = ExitCode.Error,
  ) {
    super(detail ? `${summary}\n${detail}` : summary);
    this.name = 'UserError';
  }
}

export const ExitCode = {
  Ok: 0,
  /** Any error; for `validate`, problems were found. */
  Error: 1,
  /** `diff`: differences found (kubectl's contract). */
  DiffFound: 1,
  /** `diff`: an error (kubectl's contract: errors are 2 and above). */
  DiffError: 2,
} as const;

/** A position in a source file, 1-based like every editor. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One problem found in a definition, printed as `path:line:col: error: message`. */
export interface Diagnostic extends SourcePosition {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** What a failure says in one phrase: a UserError's summary, an Error's message, anything else as text. */
export function errorSummary(err: unknown): string {
  return err instanceof UserError ? err.summary : err instanceof Error ? err.message : String(err);
}
