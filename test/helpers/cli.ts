/** Runs the CLI in-process with captured streams, a fixed clock and no terminal. */
import { FixedClock, type Clock } from '../../src/core/clock.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const FIXED_NOW = '2026-11-25T10:07:00Z';

export async function runCli(argv: readonly string[], options: { cwd: string; clock?: Clock; env?: Record<string, string>; isTTY?: boolean }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd,
    clock: options.clock ?? new FixedClock(FIXED_NOW),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
