/** The client against the stand-in over real sockets: every endpoint, every error path. */
import http from 'node:http';
import { ChronosClient, chronosOptionsFromEnv, ChronosNotFoundError, firstLine } from '../../backends/chronos/client.js';
import { readChronosJob, type ChronosJob } from '../../backends/chronos/model.js';
import { FixedClock } from '../../src/core/clock.js';
import { UserError } from '../../src/core/errors.js';
import { listenLocal } from '../../src/sandbox/stand-in.js';
import { RequestLog } from '../../src/sandbox/requests.js';
import { startChronos, T0, type TestChronos } from './helpers.js';

const future = '2026-05-02T08:00:00Z';

function job(name: string, extra: Record<string, unknown> = {}): ChronosJob {
  return readChronosJob({ name, command: 'echo hi', schedule: `R/${future}/PT1H`, ...extra }, { now: T0 });
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a rejection');
}

let chronos: TestChronos;
beforeEach(async () => {
  chronos = await startChronos();
});
afterEach(() => chronos.close());

describe('endpoints', () => {
  test('apply creates and replaces; read and list give the job back; remove deletes', async () => {
    const client = chronos.client();
    const created = await client.apply(job('one', { owner: 'ops@example.com' }));
    expect(created).toMatchObject({ name: 'one', owner: 'ops@example.com', cpus: 0.1 });
    await client.apply(job('one', { owner: 'other@example.com' }));
    expect((await client.read('one'))?.owner).toBe('other@example.com');
    await client.apply(readChronosJob({ name: 'child', parents: ['one'] }, { now: T0 }));
    expect((await client.list()).map((j) => j.name)).toEqual(['child', 'one']);
    expect(await client.read('missing')).toBeUndefined();
    await client.remove('child');
    expect(await client.read('child')).toBeUndefined();
  });

  test('a job listed by GET /jobs (uris mirrored into fetch) can be posted as a new job elsewhere', async () => {
    const client = chronos.client();
    await client.post(job('mirror', { fetch: [{ uri: 'http://a/x.tgz', extract: false }] }));
    const listed = (await client.list()).find((j) => j.name === 'mirror')!;
    expect(listed.uris).toEqual(['http://a/x.tgz']);
    const other = await startChronos();
    try {
      const copied = await other.client().apply(listed);
      expect(copied).toMatchObject({ uris: [], fetch: [{ uri: 'http://a/x.tgz', extract: false }] });
    } finally {
      await other.close();
    }
  });

  test('search passes name/command/any/limit/offset; summary and leader', async () => {
    const client = chronos.client();
    for (let i = 0; i < 12; i++) await client.post(job(`s${String(i).padStart(2, '0')}`));
    expect(await client.search({ name: 's' })).toHaveLength(10);
    expect((await client.search({ name: 's', limit: 100, offset: 10 })).map((j) => j.name)).toEqual(['s10', 's11']);
    const summary = await client.summary();
    expect(summary).toHaveLength(12);
    expect(summary[0]).toEqual({ name: 's00', status: 'fresh', state: 'idle', schedule: `R/${future}/PT1H`, parents: [], disabled: false });
    expect(await client.leader()).toBe(`127.0.0.1:${chronos.port}`);
  });

  test('start, activeRuns, killTasks, markSuccess', async () => {
    const client = chronos.client();
    await client.post(job('run'));
    await client.start('run', 'x;y');
    expect(await client.activeRuns('run')).toEqual([{ id: 'run#1' }]);
    await client.killTasks('run');
    expect(await client.activeRuns('run')).toEqual([]);
    expect(await client.markSuccess('run')).toBe(true);
    expect(await client.markSuccess('nope')).toBe(false);
    expect((await client.read('run'))?.successCount).toBe(1);
    expect(chronos.ctx.ledger.all()).toHaveLength(1);
  });

  test('setEnabled re-posts the live job with disabled toggled, keeping counters and the rewritten schedule', async () => {
    const client = chronos.client();
    await client.post(job('t', { schedule: 'R/2026-05-01T10:01:00Z/PT1H' }));
    chronos.ctx.clock.advance(120);
    const before = await client.read('t');
    expect(before).toMatchObject({ successCount: 1, schedule: 'R/2026-05-01T11:01:00.000Z/PT1H' });
    await client.setEnabled('t', false);
    const after = await client.read('t');
    expect(after).toEqual({ ...before, disabled: true });
    chronos.ctx.clock.advance(7200);
    expect(chronos.ctx.ledger.all()).toHaveLength(1);
    await expect(client.setEnabled('ghost', true)).rejects.toThrow('job ghost does not exist in Chronos at');
  });

  test('serverClock follows the Date header, not the local clock', async () => {
    const laptop = new FixedClock('2026-05-01T09:58:00Z'); // two minutes behind the server
    const client = chronos.client({ clock: laptop });
    await client.ping();
    expect(client.serverClock().now().toISOString()).toBe(T0.toISOString());
    chronos.ctx.clock.advance(3600);
    await client.list();
    expect(client.lastServerDate()?.toISOString()).toBe('2026-05-01T11:00:00.000Z');
    laptop.advance(5);
    expect(client.serverClock().now().toISOString()).toBe('2026-05-01T11:00:05.000Z');
  });

  test('the 2.x prefix: reads through search', async () => {
    const old = await startChronos({ prefix: '/scheduler' });
    try {
      const client = old.client({ prefix: '/scheduler' });
      await client.post(job('legacy'));
      expect((await client.read('legacy'))?.name).toBe('legacy');
      expect(await client.read('leg')).toBeUndefined();
    } finally {
      await old.close();
    }
  });

  test('options from the environment; credentials in the URL move to auth and out of messages', async () => {
    const secured = await startChronos({ credentials: { user: 'ops', password: 'hunter2' } });
    try {
      const opts = chronosOptionsFromEnv({ MIGRATE_CHRONOS_URL: secured.url, MIGRATE_CHRONOS_USER: 'ops', MIGRATE_CHRONOS_PASSWORD: 'hunter2' });
      expect(await new ChronosClient(opts).list()).toEqual([]);
      const inUrl = new ChronosClient({ url: secured.url.replace('//', '//ops:hunter2@') });
      expect(await inUrl.list()).toEqual([]);
      expect(inUrl.displayUrl).toBe(secured.url);
      expect(() => chronosOptionsFromEnv({})).toThrow('no Chronos URL is configured');
    } finally {
      await secured.close();
    }
  });
});

describe('errors an operator can act on', () => {
  test('a 400 not-found names the job and the server', async () => {
    const err = await rejection(chronos.client().start('ghost'));
    expect(err).toBeInstanceOf(ChronosNotFoundError);
    expect(err.summary).toBe(`job ghost does not exist in Chronos at ${chronos.url}`);
  });

  test('a stack-trace message is cut to its first line', async () => {
    const err = await rejection(chronos.client().post(job('bad name')));
    expect(err.summary).toBe("Chronos rejected POST /v1/scheduler/iso8601: the job's name is invalid. Allowed names: '[\\w\\.-]+'");
    expect(err.message).not.toContain('\tat ');
    expect(firstLine('java.lang.IllegalArgumentException: requirement failed: x\n\tat a.b(C.scala:1)')).toBe('x');
  });

  test('the plain-text schedule error is passed on', async () => {
    const err = await rejection(chronos.client().post(job('s', { schedule: 'R/soon/PT1H' })));
    expect(err.summary).toBe("Chronos rejected POST /v1/scheduler/iso8601: Cannot parse schedule 'R/soon/PT1H' (wtf bro)");
  });

  test('an HTML 500 is recognised as a malformed request', async () => {
    const bad = { ...job('env'), environmentVariables: [{ name: 'A' }] } as unknown as ChronosJob;
    const err = await rejection(chronos.client().post(bad));
    expect(err.summary).toMatch(/HTTP 500 with an HTML error page\): the job JSON is malformed/);
    expect(err.detail).toContain('every environment variable has a name and a value');
  });

  test('401 names the credentials settings and never prints the password', async () => {
    const secured = await startChronos({ credentials: { user: 'ops', password: 'hunter2' } });
    try {
      const err = await rejection(secured.client({ user: 'ops', password: 'wrong-pass' }).list());
      expect(err.summary).toBe(`Chronos at ${secured.url} refused the credentials (HTTP 401)`);
      expect(err.detail).toContain('MIGRATE_CHRONOS_USER and MIGRATE_CHRONOS_PASSWORD');
      expect(err.message).not.toContain('wrong-pass');
      const inUrl = await rejection(new ChronosClient({ url: secured.url.replace('//', '//ops:wrong-pass@'), retries: 0 }).list());
      expect(inUrl.message).not.toContain('wrong-pass');
    } finally {
      await secured.close();
    }
  });

  test('a wrong prefix is a 404 that names the prefix setting', async () => {
    const err = await rejection(chronos.client({ prefix: '/scheduler' }).list());
    expect(err.summary).toBe(`no Chronos API at ${chronos.url}/scheduler/jobs (HTTP 404)`);
    expect(err.detail).toContain('/v1/scheduler for Chronos 3.x, /scheduler for 2.x');
  });

  test('connection refused: retried with backoff for reads, then a clear message', async () => {
    const port = chronos.port;
    await chronos.close();
    const sleeps: number[] = [];
    const client = new ChronosClient({ url: `http://127.0.0.1:${port}`, sleep: async (ms) => void sleeps.push(ms), followLeader: false });
    const err = await rejection(client.list());
    expect(err.summary).toBe(`cannot reach Chronos at http://127.0.0.1:${port}: connection refused`);
    expect(sleeps).toEqual([250, 500, 1000]);
    chronos = await startChronos(); // for afterEach
  });

  test('leader resolution does not add its own retries to a refused connection', async () => {
    const port = chronos.port;
    await chronos.close();
    const sleeps: number[] = [];
    const client = new ChronosClient({ url: `http://127.0.0.1:${port}`, sleep: async (ms) => void sleeps.push(ms) });
    await expect(client.list()).rejects.toThrow('connection refused');
    expect(sleeps).toEqual([250, 500, 1000]);
    chronos = await startChronos(); // for afterEach
  });

  test('a bad URL is refused before any request', () => {
    expect(() => new ChronosClient({ url: 'chronos:8080' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => new ChronosClient({ url: 'not a url' })).toThrow('the Chronos URL is not a URL');
  });
});

describe('faults injected by the sandbox, seen as the real failure', () => {
  async function fault(body: Record<string, unknown>): Promise<void> {
    const res = await chronos.fetch('/_sandbox/faults', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(201);
  }

  test('a 503 on a read is retried and then succeeds', async () => {
    await fault({ system: 'chronos', method: 'GET', path: '/jobs$', status: 503, times: 2 });
    expect(await chronos.client().list()).toEqual([]);
    expect(chronos.sleeps).toEqual([250, 500]);
  });

  test('a 500 that persists on a read ends in the envelope message, first line only', async () => {
    await fault({ method: 'GET', path: '/jobs$', status: 500, times: 10 });
    const err = await rejection(chronos.client({ retries: 1 }).list());
    expect(err.summary).toBe(`Chronos at ${chronos.url} failed on GET /v1/scheduler/jobs: HTTP 500: injected fault`);
  });

  test('a write is never retried: one 503 fails the POST and nothing was created', async () => {
    await fault({ method: 'POST', path: '/iso8601$', status: 503, times: 1 });
    const client = chronos.client();
    await expect(client.post(job('w'))).rejects.toThrow('HTTP 503');
    expect(chronos.sleeps).toEqual([]);
    expect(await client.read('w')).toBeUndefined();
    await client.post(job('w'));
    expect(await client.read('w')).toBeDefined();
  });

  test('a held read times out and is retried; a held write times out once and is not retried', async () => {
    const client = chronos.client({ timeoutMs: 200 });
    await fault({ method: 'GET', path: '/jobs$', delayMs: 600, times: 1 });
    expect(await client.list()).toEqual([]);
    expect(chronos.sleeps).toEqual([250]);
    await fault({ method: 'POST', path: '/iso8601$', delayMs: 600, times: 1 });
    const err = await rejection(client.post(job('slow')));
    expect(err.summary).toBe(`Chronos at ${chronos.url} did not answer within 200 ms (POST ${chronos.url}/v1/scheduler/iso8601)`);
    expect(chronos.sleeps).toEqual([250]);
  });
});

describe('leader', () => {
  const logged = (c: TestChronos) => (c.ctx.requests?.all() ?? []).map((r) => `${r.method} ${r.path}`);

  test('through a non-leader a success comes whole; the first error without its body finds the leader, and the client talks to it from then on', async () => {
    const leader = await startChronos({ requests: new RequestLog() });
    const follower = await startChronos({ leader: `127.0.0.1:${leader.port}`, requests: new RequestLog() });
    try {
      const client = follower.client();
      // Proxied: the write lands on the leader, and no call asks for the leader first.
      await client.post(job('via-proxy'));
      expect((await leader.client().read('via-proxy'))?.name).toBe('via-proxy');
      expect(logged(follower)).toEqual(['POST /v1/scheduler/iso8601']);
      // A missing job is a 400 whose body says "not found"; through the proxy the body is lost, so
      // the read is asked of the leader, which says it.
      const raw = await follower.fetch('/v1/scheduler/job/missing');
      expect([raw.status, await raw.text()]).toEqual([400, '']);
      expect(await client.read('missing')).toBeUndefined();
      expect(logged(follower).slice(1)).toEqual(['GET /v1/scheduler/job/missing', 'GET /v1/scheduler/job/missing', 'GET /v1/scheduler/leader']);
      await client.post(job('direct'));
      expect(logged(follower)).toHaveLength(4);
      expect(logged(leader).filter((r) => r.startsWith('POST'))).toEqual(['POST /v1/scheduler/iso8601', 'POST /v1/scheduler/iso8601']);
    } finally {
      await leader.close();
      await follower.close();
    }
  });

  test('an unreachable advertised leader leaves the client on the configured server, through its proxy', async () => {
    const leader = await startChronos();
    const dead = http.createServer();
    const port = await listenLocal(dead, 0);
    await new Promise((r) => dead.close(r));
    const follower = await startChronos({ leader: `127.0.0.1:${leader.port}` });
    const advertisesDead = await startChronos({ leader: `127.0.0.1:${port}` });
    try {
      // The follower proxies to the live leader but names a dead one: the client stays on the follower.
      const client = new ChronosClient({ url: follower.url, sleep: async () => {} });
      const viaDead = new ChronosClient({ url: advertisesDead.url, sleep: async () => {}, retries: 0 });
      await client.post(job('stays'));
      expect(await client.read('missing')).toBeUndefined();
      expect((await client.read('stays'))?.name).toBe('stays');
      // A server whose leader does not answer: its proxy fails (502), and the error is reported as such.
      await expect(viaDead.read('x')).rejects.toThrow('HTTP 502');
    } finally {
      await leader.close();
      await follower.close();
      await advertisesDead.close();
    }
  });
});
