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

function post(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A GET for the sandbox to hold; settles with how its connection ended. */
function held(url: string): Promise<string> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => resolve(`answered ${res.statusCode}`))
      .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

test('SIGTERM stops the sandbox at once although faults hold requests for a minute', async () => {
  const child = spawn(process.execPath, [main, 'sandbox', '--clock', 'virtual', '--chronos-port', '0', '--k8s-port', '0'], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const out = { text: '' };
  child.stdout.on('data', (c: Buffer) => (out.text += c.toString()));
  let killedAfter: NodeJS.Timeout | undefined;
  try {
    const [, chronos] = await waitFor(child, /export MIGRATE_CHRONOS_URL=(http:\/\/127\.0\.0\.1:\d+)\n/, out);
    const [, kubernetes] = await waitFor(child, /kubernetes +(http:\/\/127\.0\.0\.1:\d+)\n/, out);
    expect(await post(`${chronos}/_sandbox/faults`, { system: 'chronos', path: '.*', delayMs: 60_000 })).toBe(201);
    expect(await post(`${chronos}/_sandbox/faults`, { system: 'kubernetes', method: 'GET', path: '.*', delayMs: 60_000 })).toBe(201);
    const requests = [held(`${chronos}/v1/scheduler/jobs`), held(`${kubernetes}/apis/batch/v1/namespaces/default/cronjobs`)];
    // Both requests are held once no armed fault is left to list.
    for (let armed = '?'; armed !== '[]'; ) armed = (await get(`${chronos}/_sandbox/faults`)).body;

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    killedAfter = setTimeout(() => child.kill('SIGKILL'), 5000);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out.text).toContain('stopped (SIGTERM)');
    // The held requests were cut off, not answered after the delay.
    expect(await Promise.all(requests)).toEqual(['ECONNRESET', 'ECONNRESET']);
  } finally {
    clearTimeout(killedAfter);
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
