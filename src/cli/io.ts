/**
 * What a command handler may touch of the outside world, injected so that CLI tests run
 * in-process with captured streams and a fixed clock.
 */
import type { Clock } from '../core/clock.js';

export interface Output {
  write(text: string): void;
}

export interface CliIO {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Whether stdout is a terminal: colour and interactive prompts only then. */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal: a wave's progress is one line rewritten in place only then. */
  readonly stderrIsTTY?: boolean;
  /** stderr's width in columns, on a terminal: the progress line is cut to fit. */
  readonly stderrColumns?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Clock;
  /** Asks a question on the terminal; undefined when there is no terminal to ask on. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Aborted at the operator's first Ctrl-C: a move that changed nothing yet stops cleanly. */
  readonly interrupted?: AbortSignal;
}

/**
 * Colour on a terminal, never under NO_COLOR or --no-color; `--color` forces it, into a pipe too
 * (a flag given on the command line wins over NO_COLOR, as no-color.org asks).
 */
export function useColor(io: CliIO, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.isTTY;
}
