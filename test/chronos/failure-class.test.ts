/**
 * `chronosBackend.failureClass`: each failure of the real client, from the stand-in or before any
 * request, in its class by type, never by its text. Only `unreachable` lets `rollback --force` go on.
 */
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { chronosBackend } from '../../backends/chronos/backend.js';
import { ChronosClient, chronosOptionsFromEnv } from '../../backends/chronos/client.js';
import { UserError } from '../../src/core/errors.js';
import { listenLocal } from '../../src/sandbox/stand-in.js';
import { startChronos, type TestChronos } from './helpers.js';

const classOf = (err: unknown) => chronosBackend.failureClass(err);
const caught = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

let chronos: TestChronos;
beforeEach(async () => {
  chronos = await startChronos({ credentials: { user: 'ops', password: 'right' } });
});
afterEach(() => chronos.close());

test('no URL, a URL that is not http(s): misconfigured (nothing was sent)', async () => {
  expect(classOf(await caught(() => chronosOptionsFromEnv({})))).toBe('misconfigured');
  expect(classOf(await caught(() => new ChronosClient({ url: 'not a url' })))).toBe('misconfigured');
  expect(classOf(await caught(() => new ChronosClient({ url: 'chronos:8080' })))).toBe('misconfigured');
});

test('a certificate the client does not trust: misconfigured', async () => {
  const fixtures = path.resolve('test/chronos/fixtures');
  const server = https.createServer({ key: fs.readFileSync(path.join(fixtures, 'tls-key.pem')), cert: fs.readFileSync(path.join(fixtures, 'tls-cert.pem')) });
  const port = await listenLocal(server as unknown as http.Server, 0);
  try {
    const err = await caught(() => new ChronosClient({ url: `https://127.0.0.1:${port}`, retries: 0 }).ping());
    expect([classOf(err), (err as UserError).summary]).toEqual(['misconfigured', expect.stringMatching(/^cannot talk HTTPS to Chronos at /)]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('401, a wrong prefix, a missing job: refused (Chronos answered)', async () => {
  const ops = { user: 'ops', password: 'right' };
  expect(classOf(await caught(() => chronos.client({ user: 'ops', password: 'wrong' }).list()))).toBe('refused');
  expect(classOf(await caught(() => chronos.client({ ...ops, prefix: '/scheduler' }).list()))).toBe('refused');
  expect(classOf(await caught(() => chronos.client(ops).remove('ghost')))).toBe('refused');
});

test('a 5xx that persists, a refused connection: unreachable', async () => {
  chronos.ctx.faults.add({ system: 'chronos', method: 'GET', status: 503, times: 10 });
  expect(classOf(await caught(() => chronos.client({ user: 'ops', password: 'right', retries: 1 }).list()))).toBe('unreachable');
  const port = chronos.port;
  await chronos.close();
  expect(classOf(await caught(() => new ChronosClient({ url: `http://127.0.0.1:${port}`, retries: 0, followLeader: false }).ping()))).toBe('unreachable');
  chronos = await startChronos(); // for afterEach
});

test('errors from elsewhere are not the Chronos client errors, whatever their text', () => {
  expect(classOf(new UserError('no Chronos URL is configured', 'Set MIGRATE_CHRONOS_URL'))).toBeUndefined();
  expect(classOf(new UserError('Chronos at http://x refused the credentials (HTTP 401)'))).toBeUndefined();
  expect(classOf(new Error('cannot reach Chronos'))).toBeUndefined();
});
