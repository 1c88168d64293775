/**
 * The built binary: `migrate sandbox` starts in the foreground, prints its URL and environment,
 * serves on 127.0.0.1, and stops cleanly on SIGTERM. Needs `dist/` (npm ci builds it through
 * `prepare`; locally, `npm run build` first).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const main = path.resolve('dist/src/cli/main.js');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function waitFor(child: ChildProcessWithoutNullStreams, pattern: RegExp, output: { text: string }): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(output.text);
      if (m) {
        child.stdout.off('data', check);
        resolve(m);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${output.text}`)));
    check();
  });
}

test('migrate sandbox --clock virtual: URL printed, API served, SIGTERM stops it', async () => {
  expect(fs.existsSync(main)).toBe(true);
  const child = spawn(process.execPath, [main, 'sandbox', '--clock', 'virtual', '--chronos-port', '0', '--k8s-port', '0'], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const out = { text: '' };
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (out.text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const [, url] = await waitFor(child, /export MIGRATE_CHRONOS_URL=(http:\/\/127\.0\.0\.1:\d+)\n/, out);
    expect(await get(`${url}/v1/scheduler/jobs`)).toEqual({ status: 200, body: '[]' });
    const clock = JSON.parse((await get(`${url}/_sandbox/clock`)).body) as { now: string; mode: string };
    expect(clock.mode).toBe('virtual');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.text).toContain('stopped (SIGTERM)');
    expect(stderr).toBe('');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a bad --clock is a one-line error, not a stack trace', async () => {
  const child = spawn(process.execPath, [main, 'sandbox', '--clock', 'sundial'], { env: { ...process.env, NODE_OPTIONS: '' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toBe('error: --clock must be real or virtual, not "sundial"\n');
});
