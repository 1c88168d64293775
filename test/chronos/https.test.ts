/** HTTPS with Basic auth: the stand-in behind TLS, a self-signed certificate, the client's answers. */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ChronosClient } from '../../backends/chronos/client.js';
import { ChronosStandIn } from '../../backends/chronos/stand-in.js';
import { UserError } from '../../src/core/errors.js';
import { SandboxClock } from '../../src/sandbox/clock.js';
import { FaultInjector } from '../../src/sandbox/faults.js';
import { RunLedger } from '../../src/sandbox/ledger.js';
import { createStandInServer, listenLocal, type SandboxContext } from '../../src/sandbox/stand-in.js';

const fixtures = path.resolve('test/chronos/fixtures');
let server: https.Server;
let url: string;

beforeAll(async () => {
  const ctx: SandboxContext = { clock: new SandboxClock('virtual', new Date('2026-05-01T10:00:00Z')), ledger: new RunLedger(), faults: new FaultInjector() };
  const plain = createStandInServer(new ChronosStandIn(ctx, { credentials: { user: 'ops', password: 'tls-pass' } }), ctx);
  server = https.createServer(
    { key: fs.readFileSync(path.join(fixtures, 'tls-key.pem')), cert: fs.readFileSync(path.join(fixtures, 'tls-cert.pem')) },
    (req, res) => plain.emit('request', req, res),
  );
  url = `https://127.0.0.1:${await listenLocal(server as unknown as import('node:http').Server, 0)}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

test('HTTPS with Basic auth works when the certificate is accepted', async () => {
  const client = new ChronosClient({ url, user: 'ops', password: 'tls-pass', insecureSkipTlsVerify: true });
  expect(await client.list()).toEqual([]);
  expect(client.lastServerDate()?.toISOString()).toBe('2026-05-01T10:00:00.000Z');
});

test('an untrusted certificate is named, without the password', async () => {
  const client = new ChronosClient({ url, user: 'ops', password: 'tls-pass', retries: 0 });
  const err = await client.list().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).summary).toMatch(new RegExp(`^cannot talk HTTPS to Chronos at ${url}: .*self.signed`));
  expect((err as UserError).message).not.toContain('tls-pass');
});
