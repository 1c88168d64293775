/**
 * Deterministic fault injection over real HTTP, with the real clients: a write applied whose
 * answer is lost, a write held until a virtual instant or an explicit release (landing after its
 * client gave up), a held write that fails instead. Nothing waits on real time but the clients'
 * own short timeouts; each test reads back from the sandbox that its scenario really happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChronosClient } from '../../backends/chronos/client.js';
import { readChronosJob, type ChronosJob } from '../../backends/chronos/model.js';
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import type { FaultReport, HeldRequest } from '../../src/sandbox/faults.js';
import type { LoggedRequest } from '../../src/sandbox/requests.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';

const T0 = new Date('2026-11-25T10:00:00Z');
const ISO8601 = '^/v1/scheduler/iso8601$';
const CRONJOBS = '^/apis/batch/v1/namespaces/default/cronjobs$';

const cronJob = {
  apiVersion: 'batch/v1' as const,
  kind: 'CronJob' as const,
  metadata: { name: 'nightly' },
  spec: {
    schedule: '*/10 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'main', image: 'busybox' }] } } } },
  },
};

let sandbox: Sandbox;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  dir = mkdtempSync(join(tmpdir(), 'sandbox-faults-'));
  kubeconfig = await writeSandboxKubeconfig(dir, sandbox.urls.kubernetes!);
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A control request on the Chronos port; the answer's JSON. */
async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandbox.urls.chronos}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const arm = (rule: Record<string, unknown>) => control<{ id: string }>('POST', '/_sandbox/faults', rule);
const report = () => control<FaultReport>('GET', '/_sandbox/faults/report');
const advance = (seconds: number) => control<{ now: string }>('POST', '/_sandbox/clock/advance', { seconds });
const requests = () => control<{ total: number; requests: LoggedRequest[] }>('GET', '/_sandbox/requests');

/**
 * The held request once `ready` holds for it. The server learns of a client's timeout from its
 * socket closing, an event that follows the client's rejection by a moment: ask until it shows.
 */
async function heldWhen(ready: (h: HeldRequest) => boolean): Promise<HeldRequest> {
  for (let i = 0; i < 1000; i++) {
    const h = (await report()).held.at(-1);
    if (h && ready(h)) return h;
  }
  throw new Error(`no held request became ready: ${JSON.stringify((await report()).held)}`);
}

const chronos = (timeoutMs = 10_000) => new ChronosClient({ url: sandbox.urls.chronos!, timeoutMs, followLeader: false, sleep: async () => {}, clock: sandbox.ctx.clock });
const kubernetes = (timeoutMs = 15_000) => new KubernetesClient({ kubeconfig, timeoutMs, sleep: async () => {}, clock: sandbox.ctx.clock });
const chronosJob = (name: string, extra: Record<string, unknown> = {}): ChronosJob =>
  readChronosJob({ name, command: 'true', schedule: 'R/2026-11-25T10:05:00Z/PT5M', ...extra }, { now: T0 });

describe('drop-answer: the write is applied, its answer lost', () => {
  test('Chronos: the POST creates the job, the client sees its connection cut', async () => {
    const { id } = await arm({ system: 'chronos', method: 'POST', path: ISO8601, mode: 'drop-answer' });
    await expect(chronos().post(chronosJob('tick'))).rejects.toThrow();
    expect(await chronos().read('tick')).toMatchObject({ name: 'tick', disabled: false });
    expect((await report()).faults).toEqual([expect.objectContaining({ id, mode: 'drop-answer', fired: 1, remaining: 0 })]);
    expect((await requests()).requests.filter((r) => r.method === 'POST')).toEqual([
      { system: 'chronos', method: 'POST', path: '/v1/scheduler/iso8601', at: '2026-11-25T10:00:00Z', status: null, fault: { id, mode: 'drop-answer' } },
    ]);
  });

  test('Kubernetes: the create lands, the client gets the 504 it was given instead', async () => {
    await arm({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'drop-answer', status: 504 });
    await expect(kubernetes().create(cronJob)).rejects.toMatchObject({ code: 504 });
    expect((await kubernetes().read('nightly'))?.metadata).toMatchObject({ name: 'nightly' });
    expect((await requests()).requests.find((r) => r.method === 'POST')).toMatchObject({ status: 504, fault: { mode: 'drop-answer' } });
  });
});

describe('hold: the request waits on the virtual clock or a release, and lands even after its client gave up', () => {
  test('a Chronos disable held until 10:12:30 lands then, mid-advance: the 10:05 and 10:10 slots run, none after', async () => {
    await chronos().post(chronosJob('tick'));
    const { id } = await arm({ system: 'chronos', method: 'POST', path: ISO8601, mode: 'hold', until: '2026-11-25T10:12:30Z' });

    // The client gives up after 100 real milliseconds; the server still holds its request.
    await expect(chronos(100).post(chronosJob('tick', { disabled: true }))).rejects.toThrow(/did not answer within 100 ms/);
    const gaveUp = await heldWhen((h) => h.clientGaveUpAt !== undefined);
    expect(gaveUp).toMatchObject({ fault: id, state: 'held', heldAt: '2026-11-25T10:00:00Z', until: '2026-11-25T10:12:30Z', clientGaveUpAt: '2026-11-25T10:00:00Z' });
    expect(await chronos().read('tick')).toMatchObject({ disabled: false });

    await advance(30 * 60);
    expect(sandbox.ctx.ledger.all().map((r) => r.scheduledFor)).toEqual(['2026-11-25T10:05:00.000Z', '2026-11-25T10:10:00.000Z']);
    expect(await chronos().read('tick')).toMatchObject({ disabled: true });
    expect((await report()).held).toEqual([{ ...gaveUp, state: 'landed', releasedAt: '2026-11-25T10:12:30Z', status: 204 }]);
  });

  test('a CronJob create held for a manual release: not applied however far the clock moves, then lands on release', async () => {
    await arm({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'hold', release: 'manual' });
    await expect(kubernetes(100).create(cronJob)).rejects.toThrow(/no answer from .* in 100 ms/);
    const held = await heldWhen((h) => h.clientGaveUpAt !== undefined);
    await advance(3600);
    expect(await kubernetes().read('nightly')).toBeUndefined();
    expect(sandbox.ctx.ledger.all()).toEqual([]);

    expect(await control('POST', '/_sandbox/faults/release', { id: held.id })).toEqual({ released: [held.id] });
    expect((await kubernetes().read('nightly'))?.metadata.creationTimestamp).toBe('2026-11-25T11:00:00Z');
    expect((await report()).held).toEqual([expect.objectContaining({ id: held.id, state: 'landed', releasedAt: '2026-11-25T11:00:00Z', status: 201 })]);
    // The client got nothing: the log says so, and names the hold.
    expect((await requests()).requests.find((r) => r.method === 'POST')).toEqual({
      system: 'kubernetes', method: 'POST', path: '/apis/batch/v1/namespaces/default/cronjobs', at: '2026-11-25T10:00:00Z', status: null, fault: { id: held.fault, mode: 'hold', held: held.id },
    });
  });

  test('a client still waiting gets the real answer when the clock reaches the instant', async () => {
    await chronos().post(chronosJob('tick'));
    await arm({ system: 'chronos', method: 'GET', path: '/job/tick$', mode: 'hold', until: '2026-11-25T10:01:00Z' });
    const reading = chronos().read('tick');
    await heldWhen((h) => h.state === 'held');
    await advance(59);
    expect((await report()).held[0]!.state).toBe('held');
    await advance(1);
    expect(await reading).toMatchObject({ name: 'tick' });
    expect((await requests()).requests.at(-1)).toMatchObject({ method: 'GET', status: 200, fault: { mode: 'hold' } });
  });

  test('with a status, the held write fails instead of applying, when released with an empty body', async () => {
    await arm({ system: 'chronos', method: 'POST', path: ISO8601, mode: 'hold', release: 'manual', status: 503 });
    const posting = chronos().post(chronosJob('tick'));
    const held = await heldWhen((h) => h.state === 'held');
    expect(await control('POST', '/_sandbox/faults/release')).toEqual({ released: [held.id] });
    await expect(posting).rejects.toThrow('HTTP 503');
    expect(await chronos().read('tick')).toBeUndefined();
    expect((await report()).held).toEqual([expect.objectContaining({ state: 'failed', status: 503 })]);
  });

  test('an instant already passed lets the request through at once; a release of an unknown id is a 404', async () => {
    await arm({ system: 'chronos', method: 'POST', path: ISO8601, mode: 'hold', until: '2026-11-25T09:00:00Z' });
    await chronos().post(chronosJob('tick'));
    expect((await report()).held).toEqual([expect.objectContaining({ state: 'landed', releasedAt: '2026-11-25T10:00:00Z' })]);
    const res = await fetch(`${sandbox.urls.kubernetes}/_sandbox/faults/release`, { method: 'POST', body: '{"id": "h99"}' });
    expect(res.status).toBe(404);
  });

  test('closing the sandbox cuts a held request off: it never lands, and close does not wait for it', async () => {
    await arm({ system: 'kubernetes', method: 'POST', path: CRONJOBS, mode: 'hold', release: 'manual' });
    const creating = kubernetes().create(cronJob).catch((err: unknown) => err);
    await heldWhen((h) => h.state === 'held');
    const faults = sandbox.ctx.faults;
    await sandbox.close();
    expect(await creating).toBeInstanceOf(Error);
    expect(faults.report().held).toEqual([expect.objectContaining({ state: 'cut-off' })]);
    sandbox = await startSandbox({ clock: 'virtual', start: T0 });
  });
});

describe('rules', () => {
  test('skip lets the first matches through; each rule has an id, a fire count, and stays in the report when spent', async () => {
    await chronos().post(chronosJob('tick'));
    const { id } = await arm({ system: 'chronos', method: 'GET', path: '/job/tick$', status: 500, skip: 1, times: 1 });
    const reader = new ChronosClient({ url: sandbox.urls.chronos!, followLeader: false, retries: 0, sleep: async () => {} });
    expect(await control('GET', '/_sandbox/faults')).toEqual([{ id, system: 'chronos', method: 'GET', path: '/job/tick$', status: 500, skip: 1, times: 1, fired: 0 }]);
    expect(await reader.read('tick')).toMatchObject({ name: 'tick' });
    expect(await control('GET', '/_sandbox/faults')).toEqual([expect.objectContaining({ skip: 0, times: 1, fired: 0 })]);
    await expect(reader.read('tick')).rejects.toThrow('HTTP 500');
    expect(await reader.read('tick')).toMatchObject({ name: 'tick' });
    // Spent: gone from the armed list (scripts wait for that), still reported with its count.
    expect(await control('GET', '/_sandbox/faults')).toEqual([]);
    expect((await report()).faults).toEqual([expect.objectContaining({ id, skip: 1, times: 1, remaining: 0, fired: 1 })]);
    await control('DELETE', '/_sandbox/faults');
    expect(await report()).toEqual({ faults: [], held: [] });
  });

  test.each([
    [{ mode: 'hold' }, /either "until"/],
    [{ mode: 'hold', until: '2026-11-25T10:00:00Z', release: 'manual' }, /either "until"/],
    [{ mode: 'hold', until: 'tomorrow' }, /RFC 3339/],
    [{ mode: 'hold', release: 'later' }, /release must be "manual"/],
    [{ mode: 'drop-answer', delayMs: 10 }, /delayMs belongs to the classic rule/],
    [{ status: 500, until: '2026-11-25T10:00:00Z' }, /belong to "mode": "hold"/],
    [{ mode: 'explode' }, /mode must be/],
  ])('refuses %j with a 400 naming the problem', async (rule, message) => {
    const res = await fetch(`${sandbox.urls.chronos}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(rule) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });
});

describe('the request log', () => {
  test('every API request of both stand-ins, in order, with the virtual instant and the answer; no control request; DELETE resets it', async () => {
    await chronos().post(chronosJob('tick'));
    await advance(90);
    await kubernetes().create(cronJob);
    await arm({ system: 'chronos', method: 'GET', path: '/jobs$', status: 503 });
    await fetch(`${sandbox.urls.chronos}/v1/scheduler/jobs`);
    expect(await requests()).toEqual({
      total: 3,
      requests: [
        { system: 'chronos', method: 'POST', path: '/v1/scheduler/iso8601', at: '2026-11-25T10:00:00Z', status: 204 },
        { system: 'kubernetes', method: 'POST', path: '/apis/batch/v1/namespaces/default/cronjobs', at: '2026-11-25T10:01:30Z', status: 201 },
        { system: 'chronos', method: 'GET', path: '/v1/scheduler/jobs', at: '2026-11-25T10:01:30Z', status: 503, fault: { id: expect.stringMatching(/^f\d+$/), mode: 'fail' } },
      ],
    });
    expect(sandbox.ctx.requests.all()).toHaveLength(3);
    expect((await fetch(`${sandbox.urls.kubernetes}/_sandbox/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(await requests()).toEqual({ total: 0, requests: [] });
  });
});

test('in-process: a clock advance with a hold pending returns, and close does not wait for the hold', async () => {
  const s = await startSandbox({ clock: 'virtual', start: T0 });
  s.ctx.faults.add({ system: 'chronos', method: 'GET', mode: 'hold', release: 'manual' });
  const reading = fetch(`${s.urls.chronos}/v1/scheduler/jobs`).then((res) => res.status, (err: unknown) => String(err));
  while (s.ctx.faults.report().held.length === 0) await new Promise((r) => setImmediate(r));
  expect(s.ctx.clock.advance(7 * 24 * 3600)).toEqual(new Date('2026-12-02T10:00:00Z'));
  await s.close();
  expect(await reading).toMatch(/fetch failed/);
});

test('in-process: onHeld tells of each request a hold takes, as it arrives and before it can land (a test kills its client there)', async () => {
  const seen: HeldRequest[] = [];
  const stop = sandbox.ctx.faults.onHeld((h) => seen.push(h));
  const { id } = await arm({ system: 'chronos', method: 'POST', path: ISO8601, mode: 'hold', until: '2026-11-25T10:00:00Z', skip: 1 });
  await chronos().post(chronosJob('first'));
  expect(seen).toEqual([]);
  // An instant already reached lands the request at once: the listener has it while it is still held.
  await chronos().post(chronosJob('second'));
  expect(seen).toEqual([expect.objectContaining({ id: 'h1', fault: id, method: 'POST', state: 'held', heldAt: '2026-11-25T10:00:00Z' })]);
  expect((await report()).held).toEqual([expect.objectContaining({ id: 'h1', state: 'landed' })]);
  stop();
  await arm({ system: 'chronos', method: 'POST', mode: 'hold', until: '2026-11-25T10:00:00Z' });
  await chronos().post(chronosJob('third'));
  expect(seen).toHaveLength(1);
});
