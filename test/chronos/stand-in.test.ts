/** The stand-in's HTTP surface, byte for byte where the real server's answers matter. */
import { CHRONOS_KEY_ORDER } from '../../backends/chronos/model.js';
import { postJson, startChronos, T0, type TestChronos } from './helpers.js';

const P = '/v1/scheduler';
const future = '2026-05-02T08:00:00Z';

let chronos: TestChronos;
beforeEach(async () => {
  chronos = await startChronos();
});
afterEach(() => chronos.close());

async function create(body: Record<string, unknown>): Promise<void> {
  const res = await postJson(chronos, `${P}/iso8601`, { schedule: `R/${future}/P1D`, command: 'true', ...body });
  expect(res.status).toBe(204);
}

async function getJob(name: string): Promise<Record<string, unknown>> {
  const res = await chronos.fetch(`${P}/job/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('create, read, replace', () => {
  test('POST /iso8601 answers 204 with no body and fills in every default', async () => {
    const res = await postJson(chronos, `${P}/iso8601`, { name: 'sparse', schedule: `R/${future}/PT2H`, epsilon: 'PT30S', async: true, unknownKey: 1 });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const job = await getJob('sparse');
    expect(Object.keys(job)).toEqual(CHRONOS_KEY_ORDER.filter((k) => k !== 'container' && k !== 'parents'));
    expect(job).toMatchObject({
      command: '', shell: true, retries: 2, cpus: 0.1, mem: 128, disk: 256, runAsUser: 'root', disabled: false, concurrent: false,
      successCount: 0, errorCount: 0, lastSuccess: '', lastError: '', fetch: [], uris: [], arguments: [], scheduleTimeZone: '', maxCompletionTime: 0,
    });
    expect(job).not.toHaveProperty('epsilon');
    expect(job).not.toHaveProperty('async');
    expect(job).not.toHaveProperty('unknownKey');
  });

  test('zero or string resources are read like the server does; a container without image is dropped', async () => {
    await create({ name: 'res', cpus: '0.5', mem: 0, disk: '512', container: { network: 'BRIDGE' } });
    const job = await getJob('res');
    expect(job).toMatchObject({ cpus: 0.5, mem: 128, disk: 512 });
    expect(job).not.toHaveProperty('container');
    await create({ name: 'ctr', container: { image: 'busybox', type: 'mesos', forcePullImage: 'true' }, constraints: [['rack', 'EQUALS', 'a'], ['x', 'GROUP_BY', 'y']] });
    expect(await getJob('ctr')).toMatchObject({
      container: { type: 'MESOS', image: 'busybox', network: 'HOST', forcePullImage: true, volumes: [], parameters: [], networkInfos: [] },
      constraints: [['rack', 'EQUALS', 'a']],
    });
  });

  test('a POST with an existing name replaces the whole job, counters included', async () => {
    await create({ name: 'job1', owner: 'a@example.com', successCount: 7, lastSuccess: '2026-04-30T10:00:00.000Z' });
    expect(await getJob('job1')).toMatchObject({ successCount: 7, owner: 'a@example.com' });
    await create({ name: 'job1', command: 'echo new' });
    expect(await getJob('job1')).toMatchObject({ successCount: 0, lastSuccess: '', owner: '', command: 'echo new' });
  });

  test('a body with neither schedule nor parents is a run-once-now job (and loses concurrent)', async () => {
    const res = await postJson(chronos, `${P}/iso8601`, { name: 'once', concurrent: true });
    expect(res.status).toBe(204);
    // It ran at once: its one count used, the start moved a period on, re-printed with millis.
    expect(await getJob('once')).toMatchObject({ schedule: 'R0/2026-05-02T10:00:00.000Z/PT24H', concurrent: false });
    expect(chronos.ctx.ledger.all()).toEqual([{ system: 'chronos', job: 'once', scheduledFor: '2026-05-01T10:00:00.000Z', startedAt: '2026-05-01T10:00:00.000Z' }]);
  });
});

describe('errors, with the real status codes and bodies', () => {
  test.each([
    ['GET', `${P}/job/nope`],
    ['DELETE', `${P}/job/nope`],
    ['PUT', `${P}/job/nope`],
    ['DELETE', `${P}/task/kill/nope`],
    ['GET', `${P}/job/stat/nope`],
  ])('%s %s on a missing job: 400 (not 404) with the envelope and a stack trace', async (method, path) => {
    const res = await chronos.fetch(path, { method });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { status: string; message: string };
    expect(body.status).toBe('Bad Request');
    expect(body.message.split('\n')[0]).toBe("java.lang.IllegalArgumentException: requirement failed: Job 'nope' not found");
    expect(body.message).toContain('\tat ');
  });

  test.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=x'],
    [undefined, '{"name":"x","schedule":"R/2026-05-02T08:00:00Z/P1D"}'],
  ])('Content-Type %s gets 415', async (contentType, body) => {
    const res = await chronos.fetch(`${P}/iso8601`, { method: 'POST', body, headers: contentType ? { 'Content-Type': contentType } : {} });
    expect(res.status).toBe(415);
  });

  test.each(['R/2026-13-01T00:00:00Z/P1D', 'R/tomorrow/P1D', 'X/2026-05-02T08:00:00Z/P1D', 'R/2026-05-02T08:00:00Z/1D'])(
    'schedule %s: 400 plain text "Cannot parse schedule ... (wtf bro)"',
    async (schedule) => {
      const res = await postJson(chronos, `${P}/iso8601`, { name: 'bad', schedule });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      expect(await res.text()).toBe(`Cannot parse schedule '${schedule}' (wtf bro)`);
    },
  );

  test.each([
    ['a name with a space', { name: 'has space' }, "the job's name is invalid"],
    ['a name with a slash-free unicode letter', { name: 'jöb' }, "the job's name is invalid"],
    ['a start before 1970', { name: 'old', schedule: 'R/1969-12-31T00:00:00Z/P1D' }, 'is before 1970!'],
    ['both uris and fetch', { name: 'both', uris: ['http://a/x'], fetch: [{ uri: 'http://a/y' }] }, 'both uris'],
  ])('create with %s: 400 envelope', async (_what, body, text) => {
    const res = await postJson(chronos, `${P}/iso8601`, { schedule: `R/${future}/P1D`, ...body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { message: string };
    expect(json.message.split('\n')[0]).toContain(text);
  });

  test('the update path skips the create-only checks (uris and fetch both set is accepted)', async () => {
    await create({ name: 'upd', uris: ['http://a/x'] });
    const res = await postJson(chronos, `${P}/iso8601`, { name: 'upd', schedule: `R/${future}/P1D`, uris: ['http://a/x'], fetch: [{ uri: 'http://a/y' }] });
    expect(res.status).toBe(204);
  });

  test.each([
    ['bad JSON', '{"name": '],
    ['no name', { schedule: `R/${future}/P1D` }],
    ['an env var without a value', { name: 'e', schedule: `R/${future}/P1D`, environmentVariables: [{ name: 'A' }] }],
    ['a lowercase network', { name: 'n', schedule: `R/${future}/P1D`, container: { image: 'x', network: 'bridge' } }],
  ])('a body the reader cannot take (%s): Jetty HTML 500', async (_what, body) => {
    const res = await postJson(chronos, `${P}/iso8601`, body);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<h2>HTTP ERROR 500</h2>');
  });

  test('unknown paths and the 2.x prefix are 404 on a 3.x server', async () => {
    expect((await chronos.fetch('/scheduler/jobs')).status).toBe(404);
    expect((await chronos.fetch('/leader')).status).toBe(404);
    expect((await chronos.fetch(`${P}/nothing`)).status).toBe(404);
  });
});

describe('listing and search', () => {
  test('GET /jobs mirrors uris and fetch; GET /job/{name} and search do not', async () => {
    await create({ name: 'f', fetch: [{ uri: 'http://a/f.tgz' }] });
    await create({ name: 'u', uris: ['http://a/u.tgz'] });
    const list = (await (await chronos.fetch(`${P}/jobs`)).json()) as Record<string, unknown>[];
    const byName = Object.fromEntries(list.map((j) => [j.name, j]));
    expect(byName.f).toMatchObject({ uris: ['http://a/f.tgz'], fetch: [{ uri: 'http://a/f.tgz', executable: false, cache: false, extract: true }] });
    expect(byName.u).toMatchObject({ uris: ['http://a/u.tgz'], fetch: [{ uri: 'http://a/u.tgz', executable: false, cache: false, extract: true }] });
    expect(await getJob('f')).toMatchObject({ uris: [] });
    const found = (await (await chronos.fetch(`${P}/jobs/search?name=u`)).json()) as Record<string, unknown>[];
    expect(found.find((j) => j.name === 'u')).toMatchObject({ fetch: [] });
  });

  test('search: default limit 10, offset, name AND command, `any` only re-admits', async () => {
    for (let i = 0; i < 12; i++) await create({ name: `batch-${String(i).padStart(2, '0')}`, command: i % 2 ? 'ruby odd.rb' : 'ruby even.rb' });
    await create({ name: 'other', command: 'python x.py' });
    const names = async (q: string) => ((await (await chronos.fetch(`${P}/jobs/search?${q}`)).json()) as { name: string }[]).map((j) => j.name);
    expect(await names('name=batch')).toHaveLength(10);
    expect(await names('name=BATCH&limit=100')).toHaveLength(12);
    expect(await names('name=batch&limit=5&offset=10')).toEqual(['batch-10', 'batch-11']);
    expect(await names('name=batch&command=odd&limit=100')).toHaveLength(6);
    expect(await names('any=python&limit=100')).toHaveLength(13);
    expect(await names('name=other&any=odd.rb&limit=100')).toHaveLength(7);
  });

  test('summary, leader, ping, graph', async () => {
    await create({ name: 'parent' });
    expect((await postJson(chronos, `${P}/dependency`, { name: 'child', parents: ['parent'] })).status).toBe(204);
    const summary = (await (await chronos.fetch(`${P}/jobs/summary`)).json()) as { jobs: unknown[] };
    expect(summary.jobs).toEqual([
      { name: 'child', status: 'fresh', state: 'idle', schedule: '', parents: ['parent'], disabled: false },
      { name: 'parent', status: 'fresh', state: 'idle', schedule: `R/${future}/P1D`, parents: [], disabled: false },
    ]);
    expect(await (await chronos.fetch(`${P}/leader`)).json()).toEqual({ leader: `127.0.0.1:${chronos.port}` });
    const ping = await chronos.fetch('/ping');
    expect(await ping.text()).toBe('pong\n');
    expect(await (await chronos.fetch(`${P}/graph/csv`)).text()).toBe('node,child,fresh,idle\nnode,parent,fresh,idle\nlink,parent,child\n');
  });

  test('every answer carries the sandbox clock in Date and CORS', async () => {
    chronos.ctx.clock.advance(3600);
    const res = await chronos.fetch(`${P}/jobs`);
    expect(res.headers.get('date')).toBe(new Date(T0.getTime() + 3_600_000).toUTCString());
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('dependent jobs, delete, success marking', () => {
  test('/dependency: empty parents on create is 500; missing parents hide the job until they exist', async () => {
    const empty = await postJson(chronos, `${P}/dependency`, { name: 'c0', parents: [] });
    expect(empty.status).toBe(500);
    expect(((await empty.json()) as { message: string }).message).toContain('parent does not exist');
    expect((await postJson(chronos, `${P}/dependency`, { name: 'orphan', parents: ['later'] })).status).toBe(204);
    expect((await chronos.fetch(`${P}/job/orphan`)).status).toBe(400);
    expect((await chronos.fetch(`${P}/job/orphan`, { method: 'DELETE' })).status).toBe(400);
    await create({ name: 'later' });
    expect(await getJob('orphan')).toMatchObject({ parents: ['later'] });
    // On update, every parent must exist.
    const upd = await postJson(chronos, `${P}/dependency`, { name: 'orphan', parents: ['later', 'ghost'] });
    expect(upd.status).toBe(400);
    expect(((await upd.json()) as { message: string }).message).toContain('does not have all parents defined');
  });

  test('deleting a scheduled parent turns its child into a scheduled job with its schedule', async () => {
    await create({ name: 'p', scheduleTimeZone: 'Europe/Paris' });
    await postJson(chronos, `${P}/dependency`, { name: 'c', parents: ['p'], description: 'd', runAsUser: 'app', shell: false });
    expect((await chronos.fetch(`${P}/job/p`, { method: 'DELETE' })).status).toBe(204);
    const c = await getJob('c');
    expect(c).toMatchObject({ schedule: `R/${future}/P1D`, scheduleTimeZone: 'Europe/Paris', description: '', runAsUser: 'root', shell: true });
    expect(c).not.toHaveProperty('parents');
  });

  test('deleting a dependent job hands its children to its parents', async () => {
    await create({ name: 'a' });
    await postJson(chronos, `${P}/dependency`, { name: 'b', parents: ['a'] });
    await postJson(chronos, `${P}/dependency`, { name: 'c', parents: ['b'] });
    await chronos.fetch(`${P}/job/b`, { method: 'DELETE' });
    expect(await getJob('c')).toMatchObject({ parents: ['a'] });
  });

  test('PUT /job/success: 200, a sentence labelled JSON; false for an unknown job', async () => {
    await create({ name: 'ok' });
    const res = await chronos.fetch(`${P}/job/success/ok`, { method: 'PUT' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.text()).toBe('marked job ok as successful: true');
    expect(await getJob('ok')).toMatchObject({ successCount: 1, lastSuccess: T0.toISOString() });
    expect(await (await chronos.fetch(`${P}/job/success/nope`, { method: 'PUT' })).text()).toBe('marked job nope as successful: false');
  });
});

describe('task progress', () => {
  test.each([
    ['a missing job', 'nope', 'ct:1:0:nope:1', { numAdditionalElementsProcessed: 1 }, 400],
    ['a malformed task id', 'data', 'task-1', { numAdditionalElementsProcessed: 1 }, 400],
    ['a negative count', 'data', 'ct:1:0:data:1', { numAdditionalElementsProcessed: -1 }, 400],
    ['a job that is not a data job', 'plain', 'ct:1:0:plain:1', { numAdditionalElementsProcessed: 1 }, 400],
    ['a valid update', 'data', 'ct:1:0:data:1', { numAdditionalElementsProcessed: 5 }, 204],
  ])('%s: %s', async (_what, name, task, body, status) => {
    await create({ name: 'data', dataProcessingJobType: true });
    await create({ name: 'plain' });
    const res = await postJson(chronos, `${P}/job/${name}/task/${task}/progress`, body);
    expect(res.status).toBe(status);
  });
});

describe('configuration', () => {
  test('Basic auth on every path, realm Mesosphere', async () => {
    const secured = await startChronos({ credentials: { user: 'ops', password: 's3cret' } });
    try {
      const denied = await secured.fetch(`${P}/jobs`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Basic realm="Mesosphere"');
      expect((await secured.fetch('/ping')).status).toBe(401);
      const wrong = await secured.fetch(`${P}/jobs`, { headers: { Authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
      expect(wrong.status).toBe(401);
      const ok = await secured.fetch(`${P}/jobs`, { headers: { Authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` } });
      expect(ok.status).toBe(200);
    } finally {
      await secured.close();
    }
  });

  test('the 2.x prefix /scheduler: PUT creates too; no GET of one job, no summary', async () => {
    const old = await startChronos({ prefix: '/scheduler' });
    try {
      const put = await old.fetch('/scheduler/iso8601', { method: 'PUT', body: JSON.stringify({ name: 'j', schedule: `R/${future}/P1D` }), headers: { 'Content-Type': 'application/json' } });
      expect(put.status).toBe(204);
      expect((await old.fetch('/scheduler/jobs')).status).toBe(200);
      expect((await old.fetch('/scheduler/job/j')).status).toBe(404);
      expect((await old.fetch('/scheduler/jobs/summary')).status).toBe(404);
      expect((await old.fetch(`${P}/jobs`)).status).toBe(404);
    } finally {
      await old.close();
    }
  });
});
