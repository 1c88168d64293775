#!/usr/bin/env node
/** The `migrate` binary: the real process's streams, clock and terminal, handed to `run`. */
import readline from 'node:readline/promises';
import { systemClock } from '../core/clock.js';
import type { CliIO } from './io.js';
import { run } from './run.js';

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

process.exitCode = await run(process.argv.slice(2), io);
