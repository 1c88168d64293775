/** A lock holder on this machine whose process is gone, or a zombie not yet reaped, is abandoned; a live one is not. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { isAbandonedHolder } from '../../src/cli/lock-holder.js';

const holder = (pid: number) => `ops@${os.hostname()} pid ${pid} move job-20261125T101500-abcdef`;
const state = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
};

const linux = fs.existsSync('/proc/self/stat');
(linux ? test : test.skip)('a killed process its parent has not reaped yet (a zombie) is abandoned; its live parent is not', async () => {
  // `sleep` never waits for children: the background one stays a zombie until the parent exits.
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    // An OS process's state, not a schedule: polled until it shows, for at most 5 s.
    const until = Date.now() + 5000;
    while (state(zombie) !== 'Z' && Date.now() < until) await new Promise((r) => setImmediate(r));
    expect(state(zombie)).toBe('Z');
    expect(isAbandonedHolder(holder(zombie))).toBe(true);
    expect(isAbandonedHolder(holder(parent.pid!))).toBe(false);
  } finally {
    parent.kill('SIGKILL');
  }
});

test('a holder on another machine is never abandoned; this very process is not', () => {
  expect(isAbandonedHolder(`ops@another-host pid 1 move x`)).toBe(false);
  expect(isAbandonedHolder(holder(process.pid))).toBe(false);
});
