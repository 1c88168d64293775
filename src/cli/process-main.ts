/**
 * The process's side of the `migrate` binary: the real process's streams, clock and terminal,
 * handed to `run`; then the exit. main.ts starts it from the bundle (dist/bundle/migrate.js, scripts/bundle.mjs).
 */
import readline from 'node:readline/promises';
import { systemClock } from '../core/clock.js';
import type { CliIO } from './io.js';
import { runCommand } from './run.js';

/** Runs this process's command line, then ends the process (see below). */
export async function main(): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

  // The first Ctrl-C asks the command to stop at a safe point (a move that changed nothing yet ends
  // cleanly: journal closed, lock released); the second one quits at once.
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
    process.stderr.write(
      '\nCtrl-C: a move that has changed nothing yet stops now and says so; one past its first change goes on to its end (seconds). ' +
        'Ctrl-C again quits at once (then `migrate status` shows the move in flight, and `migrate resume` or `migrate rollback` finishes it).\n',
    );
  });

  const io: CliIO = {
    interrupted: interrupt.signal,
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ...(process.stderr.columns ? { stderrColumns: process.stderr.columns } : {}),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    prompt: interactive
      ? async (question) => {
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        }
      : undefined,
  };

  const { code: done, endsOnItsOwn } = await runCommand(process.argv.slice(2), io);
  const code = interrupt.signal.aborted && done !== 0 ? 130 : done;
  process.exitCode = code;
  // A finished command ends its process once its output is written, so nothing it left behind (a
  // socket or timer of a client that gave up) can keep it alive. The sandbox closes what it opened.
  if (!endsOnItsOwn) {
    await Promise.all([written(process.stdout), written(process.stderr)]);
    process.exit(code);
  }
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
