/** How a Chronos call fails: the client's errors, each with its class (src/core/backend.ts, `FailureClass`). */
import type { FailureClass } from '../../src/core/backend.js';
import { UserError } from '../../src/core/errors.js';

/**
 * Every failure of the client, with its class (src/core/backend.ts, `FailureClass`): by default
 * `refused`, Chronos answered and said no (a 4xx, credentials, an answer this tool cannot use).
 * The subclasses below are the other two.
 */
export class ChronosError extends UserError {
  constructor(
    summary: string,
    detail: string | undefined,
    readonly failure: FailureClass = 'refused',
  ) {
    super(summary, detail);
    this.name = 'ChronosError';
  }
}

/**
 * Chronos did not answer (refused, timed out, unreachable) or failed with a server error: the
 * system is down, as opposed to one that answers and refuses (credentials, a bad request).
 */
export class ChronosUnavailableError extends ChronosError {
  constructor(summary: string, detail: string) {
    super(summary, detail, 'unreachable');
    this.name = 'ChronosUnavailableError';
  }
}

/**
 * No request reached Chronos because of the client's settings: no URL, one that is not an http(s)
 * URL, a host name that does not resolve, a certificate the client does not trust. Whether Chronos
 * is up is unknown, so it is never taken for down.
 */
export class ChronosConfigError extends ChronosError {
  constructor(summary: string, detail: string) {
    super(summary, detail, 'misconfigured');
    this.name = 'ChronosConfigError';
  }
}

/** "job X does not exist in Chronos at URL": the 400-not-404 of the real server, made plain. */
export class ChronosNotFoundError extends ChronosError {
  constructor(
    readonly job: string,
    url: string,
  ) {
    super(`job ${job} does not exist in Chronos at ${url}`, 'Check the name (case matters) with `migrate status`, or create the job first.');
    this.name = 'ChronosNotFoundError';
  }
}
