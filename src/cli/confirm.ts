/**
 * The one confirmation every changing command asks for (docs/commands.md, `--yes`; after terraform): only an
 * exact `yes` proceeds, `--yes` skips the question, and without a terminal to ask on (and no
 * `--yes`) the command fails with a hint instead of hanging on a closed stdin.
 */
import { UserError } from '../core/errors.js';
import type { CliIO } from './io.js';

export interface ConfirmRequest {
  /** `--yes` was given. */
  readonly yes: boolean;
  /** What is about to happen, as a question, e.g. "Apply these changes to 2 jobs?". */
  readonly question: string;
  /** The command line to repeat with --yes, for the no-terminal hint, e.g. "migrate apply nightly". */
  readonly command: string;
}

/** true to go ahead; false when the operator answered anything but `yes`. */
export async function confirm(io: CliIO, request: ConfirmRequest): Promise<boolean> {
  if (request.yes) return true;
  if (!io.prompt) {
    throw new UserError(
      'confirmation needed, but there is no terminal to ask on',
      `Review the preview above, then re-run with --yes to proceed without asking: ${request.command} --yes`,
    );
  }
  const answer = await io.prompt(`${request.question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
  return answer.replace(/\r?\n$/, '') === 'yes';
}
