/** The sandbox over HTTP: the control API of docs/sandbox.md on every port, and --state-dir restarts. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, STAND_INS, type Sandbox } from '../../src/sandbox/sandbox.js';

const T0 = new Date('2026-05-01T10:00:00Z');
const json = { 'Content-Type': 'application/json' };

async function call(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown; date: string | null }> {
  const res = await fetch(`${base}${p}`, { method, headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, date: res.headers.get('date') };
}

let sandbox: Sandbox | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

test('control endpoints: clock, advance, runs, faults', async () => {
  sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  const base = sandbox.urls.chronos!;
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(await call(base, 'GET', '/_sandbox/clock')).toMatchObject({ status: 200, body: { now: '2026-05-01T10:00:00Z' } });

  const post = await call(base, 'POST', '/v1/scheduler/iso8601', { name: 'tick', command: 'true', schedule: 'R/2026-05-01T10:05:00Z/PT5M' });
  expect(post.status).toBe(204);
  const advanced = await call(base, 'POST', '/_sandbox/clock/advance', { seconds: 600 });
  expect(advanced).toMatchObject({ status: 200, body: { now: '2026-05-01T10:10:00Z' } });
  expect(advanced.date).toBe('Fri, 01 May 2026 10:10:00 GMT');
  expect((await call(base, 'GET', '/_sandbox/runs')).body).toEqual([
    { system: 'chronos', job: 'tick', scheduledFor: '2026-05-01T10:05:00.000Z', startedAt: '2026-05-01T10:05:00.000Z' },
    { system: 'chronos', job: 'tick', scheduledFor: '2026-05-01T10:10:00.000Z', startedAt: '2026-05-01T10:10:00.000Z' },
  ]);
  expect((await call(base, 'POST', '/_sandbox/clock/advance', { seconds: -1 })).status).toBe(400);

  expect((await call(base, 'POST', '/_sandbox/faults', { system: 'chronos', method: 'GET', path: '^/v1/scheduler/jobs$', status: 503, times: 1 })).status).toBe(201);
  const failed = await call(base, 'GET', '/v1/scheduler/jobs');
  expect(failed).toMatchObject({ status: 503, body: { status: 'Service Unavailable' } });
  expect((await call(base, 'GET', '/v1/scheduler/jobs')).status).toBe(200);
  expect((await call(base, 'POST', '/_sandbox/faults', { path: 'jobs', status: 500, times: 5 })).status).toBe(201);
  expect((await call(base, 'DELETE', '/_sandbox/faults')).status).toBe(204);
  expect((await call(base, 'GET', '/v1/scheduler/jobs')).status).toBe(200);
});

test('every stand-in has its own port and serves the same control state', async () => {
  sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  const { chronos, kubernetes } = sandbox.urls;
  expect(STAND_INS.map((f) => f.system)).toEqual(['chronos', 'kubernetes']);
  expect(kubernetes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(kubernetes).not.toBe(chronos);
  await call(chronos!, 'POST', '/v1/scheduler/iso8601', { name: 'now', command: 'true', schedule: 'R1/2026-05-01T10:00:30Z/PT1H' });
  await call(chronos!, 'POST', '/_sandbox/clock/advance', { seconds: 60 });
  const viaK8s = await call(kubernetes!, 'GET', '/_sandbox/clock');
  expect(viaK8s.body).toMatchObject({ now: '2026-05-01T10:01:00Z' });
  expect(viaK8s.date).toBe('Fri, 01 May 2026 10:01:00 GMT');
  expect((await call(kubernetes!, 'GET', '/_sandbox/runs')).body).toEqual([
    { system: 'chronos', job: 'now', scheduledFor: '2026-05-01T10:00:30.000Z', startedAt: '2026-05-01T10:00:30.000Z' },
  ]);
  // A fault armed on one port applies to the other's system.
  await call(kubernetes!, 'POST', '/_sandbox/faults', { system: 'chronos', path: '/jobs$', status: 502 });
  expect((await call(chronos!, 'GET', '/v1/scheduler/jobs')).status).toBe(502);
});

test('Chronos Basic auth guards its API, never the control endpoints', async () => {
  sandbox = await startSandbox({ clock: 'virtual', start: T0, chronos: { credentials: { user: 'ops', password: 'pw' } } });
  const base = sandbox.urls.chronos!;
  expect((await fetch(`${base}/v1/scheduler/jobs`)).status).toBe(401);
  expect((await call(base, 'GET', '/_sandbox/clock')).status).toBe(200);
});

test('an unreadable state file is a clear error, not a stack trace', async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migrate-sandbox-'));
  await fs.writeFile(path.join(dir, 'sandbox-state.json'), '{"version": 1, "now": ');
  await expect(startSandbox({ stateDir: dir })).rejects.toThrow(/sandbox-state.json is not valid JSON/);
});

test('a real clock cannot be advanced', async () => {
  sandbox = await startSandbox({ clock: 'real' });
  const res = await call(sandbox.urls.chronos!, 'POST', '/_sandbox/clock/advance', { seconds: 1 });
  expect(res.status).toBe(409);
});

test('--state-dir keeps jobs, runs and the virtual time across a restart', async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migrate-sandbox-'));
  sandbox = await startSandbox({ clock: 'virtual', start: T0, stateDir: dir });
  let base = sandbox.urls.chronos!;
  await call(base, 'POST', '/v1/scheduler/iso8601', { name: 'kept', command: 'true', schedule: 'R/2026-05-01T10:05:00Z/PT5M' });
  await call(base, 'POST', '/_sandbox/clock/advance', { seconds: 400 });
  await sandbox.close();

  sandbox = await startSandbox({ clock: 'virtual', start: new Date('2030-01-01T00:00:00Z'), stateDir: dir });
  base = sandbox.urls.chronos!;
  expect((await call(base, 'GET', '/_sandbox/clock')).body).toMatchObject({ now: '2026-05-01T10:06:40Z' });
  expect((await call(base, 'GET', '/v1/scheduler/job/kept')).body).toMatchObject({ successCount: 1, schedule: 'R/2026-05-01T10:10:00.000Z/PT5M' });
  await call(base, 'POST', '/_sandbox/clock/advance', { seconds: 300 });
  expect(((await call(base, 'GET', '/_sandbox/runs')).body as unknown[]).length).toBe(2);
});
