/**
 * A wave's progress while it runs. On a terminal (the built binary under `script`, a real
 * pseudo-terminal): one status line rewritten in place, "N/M done, F failed, waiting for handoff
 * of x (S s)", and no line per event. Elsewhere: one line per event, a count at each job's end.
 * Both end with a table of every job's outcome, refused ones too.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

const binary = path.resolve('dist/src/cli/main.js');
const wave = (to: string) => ['move', '-l', 'tier=low', '--to', to, '--yes', '--advance-sandbox'];
const low = (name: string, backend: string, schedule: string) => jobYaml(name, backend, schedule, { lines: 'tier: low' });

let repo: SandboxRepo;
async function sandboxWith(jobs: Record<string, string>): Promise<void> {
  repo = await startSandboxRepo({ start: '2026-11-25T10:07:00Z', jobs });
  await repo.advanceTo('2026-11-25T10:09:50Z'); // 10 s before a slot: each handoff is after it, so each job waits
}
afterEach(() => repo.close());

/** The built binary in a pseudo-terminal (`script`), so that stdout and stderr are both a terminal. */
function inTerminal(argv: readonly string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, binary, ...argv].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: repo.dir, env: { PATH: process.env.PATH ?? '', HOME: repo.dir, TERM: 'xterm', ...repo.env } });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

test('on a terminal: one status line rewritten in place, then the table of outcomes', async () => {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: build first (npm run build)`);
  await sandboxWith({ alpha: low('alpha', 'chronos', '*/5 * * * *'), beta: low('beta', 'chronos', '*/5 * * * *'), gamma: low('gamma', 'chronos', '*/10 * * * *') });
  const { code, screen } = await inTerminal(wave('k8s'));
  expect(code).toBe(0);
  expect(screen).toContain('\r\x1b[K0/3 done, 0 failed');
  expect(screen).toMatch(/\r\x1b\[K\d\/3 done, 0 failed, waiting for handoff of (alpha|beta|gamma) \(\d+ s\)/);
  expect(screen).toContain('\r\x1b[K3/3 done, 0 failed');
  // No line per event: the steps only ever replace the status line.
  expect(screen).not.toMatch(/^\[(alpha|beta|gamma)\] /m);
  expect(screen).toMatch(/JOB\s+OUTCOME\s+WHAT HAPPENED\r?\nalpha\s+done\s+now on kubernetes; first run there 2026-11-25T10:15:00Z\r?\nbeta\s+done\s+now on kubernetes/);
  expect(screen).toContain('3 done, 0 failed or refused.');
});

test('in a pipe: one line per event, a count at each job’s end; the table lists a refused job too', async () => {
  // gamma is refused: no Chronos schedule fires on weekdays only.
  await sandboxWith({ alpha: low('alpha', 'kubernetes', '*/5 * * * *'), beta: low('beta', 'kubernetes', '*/5 * * * *'), gamma: low('gamma', 'kubernetes', '0 9 * * 1-5') });
  const r = await repo.cli(...wave('chronos'));
  expect(r.code).toBe(1);
  for (const job of ['alpha', 'beta']) {
    expect(r.stderr).toContain(`[${job}] locked (Lease held by `);
    expect(r.stderr).toMatch(new RegExp(`\\[${job}\\] waiting \\d+ s: handoff at `));
    expect(r.stderr).toMatch(new RegExp(`\\[${job}\\] done \\([12]/2 done, 0 failed\\)`));
  }
  expect(r.stderr).not.toContain('\x1b[K');
  expect(r.stdout).toMatch(/\nJOB {4}OUTCOME +WHAT HAPPENED\nalpha +done +now on chronos; first run there 2026-11-25T10:15:00Z\nbeta +done +now on chronos; first run there 2026-11-25T10:15:00Z\ngamma +refused +Chronos cannot run this schedule exactly/);
  expect(r.stdout).toContain('2 done, 1 failed or refused.');
});
