/**
 * The built binary ends its process once a command has finished and its output is written, even
 * when something is left behind that would keep Node alive (here: an interval a preloaded module
 * starts, standing in for the socket of a client that gave up). Needs `dist/` (`npm run build`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const main = path.join(root, 'dist/src/cli/main.js');
const strayHandle = 'data:text/javascript,setInterval(() => {}, 60000)';

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the binary with a stray handle; kills it (and the test fails on the signal) after `limitMs`. */
function runWithStrayHandle(args: readonly string[], limitMs = 8000): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', strayHandle, main, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: root },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

beforeAll(() => expect(fs.existsSync(main)).toBe(true));

test('a command that succeeds exits 0 with all its output', async () => {
  const ended = await runWithStrayHandle(['render', 'nightly-report', '--to', 'k8s']);
  const inProcess = await runCli(['render', 'nightly-report', '--to', 'k8s'], { cwd: root });
  expect({ code: ended.code, signal: ended.signal, stderr: ended.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  expect(ended.stdout).toBe(inProcess.stdout);
});

test('a command that fails exits with its error code and message', async () => {
  const ended = await runWithStrayHandle(['render', 'weekday-digest', '--to', 'chronos']);
  expect({ code: ended.code, signal: ended.signal, stdout: ended.stdout }).toEqual({ code: 1, signal: null, stdout: '' });
  expect(ended.stderr).toMatch(/^error: job weekday-digest cannot be rendered for Chronos: /);
});
