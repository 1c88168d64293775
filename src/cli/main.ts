#!/usr/bin/env node
/** The `migrate` binary: the real process's streams, clock and terminal, handed to `run`; then the exit. */
import readline from 'node:readline/promises';
import { systemClock } from '../core/clock.js';
import type { CliIO } from './io.js';
import { runCommand } from './run.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

const io: CliIO = {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  isTTY: Boolean(process.stdout.isTTY),
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

const { code, endsOnItsOwn } = await runCommand(process.argv.slice(2), io);
process.exitCode = code;
// A finished command ends its process once its output is written, so nothing it left behind (a
// socket or timer of a client that gave up) can keep it alive. The sandbox closes what it opened.
if (!endsOnItsOwn) {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
