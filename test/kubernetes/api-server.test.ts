/** The stand-in's HTTP surface, over a real socket: shapes, metadata, concurrency, patches, watch. */
import { strategicMergePatch } from '../../backends/kubernetes/api-server/patch.js';
import { startHarness, type Harness } from './harness.js';

const CJ = '/apis/batch/v1/namespaces/default/cronjobs';
const JOBS = '/apis/batch/v1/namespaces/default/jobs';

function cronJob(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } } }, ...spec },
  };
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness('2026-11-01T09:00:00Z');
});
afterEach(() => h.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; contentType: string }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, contentType: res.headers.get('content-type') ?? '' };
}

describe('discovery and version', () => {
  test('/version is minor 32; aggregated discovery when asked, legacy otherwise', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
    const agg = await call('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.body.items.map((g: any) => g.metadata.name)).toEqual(['batch', 'coordination.k8s.io']);
    const legacy = await call('GET', '/apis/batch/v1');
    expect(legacy.body.resources.map((r: any) => r.name)).toEqual(['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']);
    expect((await call('GET', '/api/v1')).body.resources.find((r: any) => r.name === 'namespaces').namespaced).toBe(false);
    const index = (await call('GET', '/openapi/v3')).body;
    const doc = (await call('GET', index.paths['apis/batch/v1'].serverRelativeURL)).body;
    expect(doc.paths['/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'batch', version: 'v1', kind: 'CronJob' });
    expect((await call('GET', '/openapi/v2')).status).toBe(404);
  });
});

describe('CRUD, metadata and Status bodies', () => {
  test('create sets server metadata and defaults, clears status; 404 and 409 bodies are exact', async () => {
    h.clock.advance(0.6);
    const created = await call('POST', CJ, { ...cronJob('nightly'), status: { lastScheduleTime: '2020-01-01T00:00:00Z' } });
    expect(created.status).toBe(201);
    const meta = created.body.metadata;
    expect(meta).toMatchObject({ name: 'nightly', namespace: 'default', generation: 1, creationTimestamp: '2026-11-01T09:00:00Z' });
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.status).toEqual({});
    expect(created.body.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect((await call('GET', `${CJ}/ghost`)).body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'cronjobs.batch "ghost" not found', reason: 'NotFound',
      details: { name: 'ghost', group: 'batch', kind: 'cronjobs' }, code: 404,
    });
    const dup = await call('POST', CJ, cronJob('nightly'));
    expect([dup.status, dup.body.reason, dup.body.message]).toEqual([409, 'AlreadyExists', 'cronjobs.batch "nightly" already exists']);
    const noNs = await call('POST', '/apis/batch/v1/namespaces/nowhere/cronjobs', cronJob('x'));
    expect([noNs.status, noNs.body.message, noNs.body.details]).toEqual([404, 'namespaces "nowhere" not found', { name: 'nowhere', kind: 'namespaces' }]);
  });

  test('PUT: a stale resourceVersion conflicts, none is unconditional, a missing object is 404', async () => {
    const v1 = (await call('POST', CJ, cronJob('nightly'))).body;
    const v2 = (await call('PUT', `${CJ}/nightly`, { ...v1, spec: { ...v1.spec, schedule: '5 * * * *' } })).body;
    expect([v2.metadata.generation, v2.spec.schedule]).toEqual([2, '5 * * * *']);
    const stale = await call('PUT', `${CJ}/nightly`, { ...v1, spec: { ...v1.spec, schedule: '10 * * * *' } });
    expect([stale.status, stale.body.reason, stale.body.message]).toEqual([409, 'Conflict',
      'Operation cannot be fulfilled on cronjobs.batch "nightly": the object has been modified; please apply your changes to the latest version and try again']);
    const blind = { ...v1, metadata: { ...v1.metadata, resourceVersion: undefined }, spec: { ...v1.spec, schedule: '10 * * * *' } };
    expect((await call('PUT', `${CJ}/nightly`, blind)).status).toBe(200);
    expect((await call('PUT', `${CJ}/ghost`, cronJob('ghost'))).status).toBe(404);
  });

  test('status only through /status; a metadata-only change keeps generation; a no-op keeps resourceVersion', async () => {
    const v1 = (await call('POST', CJ, cronJob('nightly'))).body;
    const viaMain = await call('PATCH', `${CJ}/nightly`, { status: { lastScheduleTime: '2026-11-01T08:00:00Z' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(viaMain.body.status).toEqual({});
    expect(viaMain.body.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    const viaStatus = await call('PATCH', `${CJ}/nightly/status`, { status: { lastScheduleTime: '2026-11-01T08:00:00Z' }, spec: { suspend: true } }, { 'Content-Type': 'application/merge-patch+json' });
    expect([viaStatus.body.status.lastScheduleTime, viaStatus.body.spec.suspend, viaStatus.body.metadata.generation]).toEqual(['2026-11-01T08:00:00Z', false, 1]);
    const labelled = await call('PATCH', `${CJ}/nightly`, { metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(labelled.body.metadata.generation).toBe(1);
    expect(labelled.body.metadata.resourceVersion).not.toBe(viaStatus.body.metadata.resourceVersion);
  });

  test('dryRun=All never persists: create, patch, delete', async () => {
    expect((await call('POST', `${CJ}?dryRun=All`, cronJob('dry'))).status).toBe(201);
    expect((await call('GET', `${CJ}/dry`)).status).toBe(404);
    await call('POST', CJ, cronJob('real'));
    const patched = await call('PATCH', `${CJ}/real?dryRun=All`, { spec: { schedule: '7 * * * *' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(patched.body.spec.schedule).toBe('7 * * * *');
    expect((await call('GET', `${CJ}/real`)).body.spec.schedule).toBe('0 * * * *');
    expect((await call('DELETE', `${CJ}/real?dryRun=All`)).status).toBe(200);
    expect((await call('GET', `${CJ}/real`)).status).toBe(200);
    expect(h.ledger.all()).toEqual([]);
  });

  test('JSON patch applies ops and reports a failed test op as 422', async () => {
    await call('POST', CJ, cronJob('nightly'));
    const ok = await call('PATCH', `${CJ}/nightly`, [{ op: 'replace', path: '/spec/suspend', value: true }], { 'Content-Type': 'application/json-patch+json' });
    expect(ok.body.spec.suspend).toBe(true);
    const bad = await call('PATCH', `${CJ}/nightly`, [{ op: 'test', path: '/spec/suspend', value: false }], { 'Content-Type': 'application/json-patch+json' });
    expect(bad.status).toBe(422);
    const notArray = await call('PATCH', `${CJ}/nightly`, { spec: {} }, { 'Content-Type': 'application/json-patch+json' });
    expect(notArray.status).toBe(422);
    expect((await call('PATCH', `${CJ}/nightly`, {}, { 'Content-Type': 'text/plain' })).status).toBe(415);
    const garbled = await call('POST', JOBS, 'k8s\u0000binary', { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect([garbled.status, garbled.body.reason]).toEqual([400, 'BadRequest']);
    const protoPut = await call('PUT', `${CJ}/nightly`, 'k8s\u0000binary', { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect([protoPut.status, protoPut.body.reason]).toEqual([415, 'UnsupportedMediaType']);
    expect(protoPut.body.message).toMatch(/JSON and YAML here.*kubectl create -f/);
  });

  test('server-side apply creates on a missing object (201), then owns and removes its fields', async () => {
    const apply = (body: unknown) => call('PATCH', `${CJ}/nightly?fieldManager=migrate`, body, { 'Content-Type': 'application/apply-patch+yaml' });
    const first = await apply(cronJob('nightly', { startingDeadlineSeconds: 100 }));
    expect([first.status, first.body.spec.startingDeadlineSeconds]).toEqual([201, 100]);
    const second = await apply(cronJob('nightly'));
    expect([second.status, second.body.spec.startingDeadlineSeconds]).toEqual([200, undefined]);
    expect((await call('PATCH', `${CJ}/nightly`, cronJob('nightly'), { 'Content-Type': 'application/apply-patch+yaml' })).status).toBe(400);
  });

  test.each([
    ['Background', 0, 0],
    ['Foreground', 0, 0],
    ['Orphan', 1, 1],
  ])('DELETE with %s leaves %d Jobs and %d Pods', async (policy, jobs, pods) => {
    await call('POST', CJ, cronJob('nightly', { schedule: '*/5 * * * *' }));
    h.clock.advance(301);
    const del = await call('DELETE', `${CJ}/nightly`, { propagationPolicy: policy });
    expect(del.status).toBe(200);
    if (policy === 'Background') expect(del.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'nightly', group: 'batch', kind: 'cronjobs' } });
    else expect(del.body.metadata.deletionTimestamp).toBe('2026-11-01T09:05:01Z');
    const left = (await call('GET', JOBS)).body.items;
    expect(left).toHaveLength(jobs);
    if (jobs) expect(left[0].metadata.ownerReferences).toBeUndefined();
    expect((await call('GET', '/api/v1/namespaces/default/pods')).body.items).toHaveLength(pods);
  });
});

describe('LIST', () => {
  test('labelSelector with URLSearchParams encoding, fieldSelector metadata.name, limit and continue', async () => {
    for (const [name, tier] of [['a', 'gold'], ['b', 'silver'], ['c', 'gold'], ['d', 'bronze']] as const) {
      await call('POST', CJ, { ...cronJob(name), metadata: { name, labels: { tier } } });
    }
    const q = new URLSearchParams({ labelSelector: 'tier in (gold, bronze)' }).toString();
    expect(q).toContain('+');
    expect((await call('GET', `${CJ}?${q}`)).body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'c', 'd']);
    expect((await call('GET', `${CJ}?labelSelector=tier%3Dgold`)).body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'c']);
    expect((await call('GET', `${CJ}?fieldSelector=metadata.name%3Db`)).body.items.map((i: any) => i.metadata.name)).toEqual(['b']);
    const page1 = (await call('GET', `${CJ}?limit=3`)).body;
    expect(page1.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(page1.metadata.remainingItemCount).toBe(1);
    expect(page1.items[0].kind).toBeUndefined();
    const page2 = (await call('GET', `${CJ}?limit=3&continue=${page1.metadata.continue}`)).body;
    expect([page2.items.map((i: any) => i.metadata.name), page2.metadata.continue]).toEqual([['d'], undefined]);
    expect((await call('GET', `${CJ}?labelSelector=${encodeURIComponent('tier in (gold')}`)).status).toBe(400);
    expect((await call('GET', `${CJ}?fieldSelector=spec.schedule%3Dx`)).status).toBe(400);
  });

  test('a Table for kubectl get, with the real CronJob columns', async () => {
    await call('POST', CJ, cronJob('nightly', { timeZone: 'Europe/Berlin' }));
    h.clock.advance(400);
    const t = await call('GET', CJ, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(t.contentType).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(t.body.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
    expect(t.body.rows[0].cells.slice(0, 7)).toEqual(['nightly', '0 * * * *', 'Europe/Berlin', 'False', 0, '<none>', '6m40s']);
  });
});

describe('WATCH', () => {
  test('streams ADDED, MODIFIED and DELETED as newline-delimited JSON, from a resourceVersion', async () => {
    const start = (await call('GET', CJ)).body.metadata.resourceVersion;
    const watch = async (rv: string, whileDoing: () => Promise<void>) => {
      const controller = new AbortController();
      const res = await fetch(`${h.url}${CJ}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dnightly`, { signal: controller.signal });
      const reader = res.body!.getReader();
      const events: { type: string; object: any }[] = [];
      let buffer = '';
      await whileDoing();
      while (!events.some((e) => e.type === 'DELETED')) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += Buffer.from(value).toString('utf8');
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, i)));
          buffer = buffer.slice(i + 1);
        }
      }
      controller.abort();
      return events;
    };
    const events = await watch(start, async () => {
      await call('POST', CJ, cronJob('other'));
      await call('POST', CJ, cronJob('nightly'));
      await call('PATCH', `${CJ}/nightly`, { spec: { suspend: true } }, { 'Content-Type': 'application/merge-patch+json' });
      await call('DELETE', `${CJ}/nightly`);
    });
    expect(events.every((e) => e.object.metadata.name === 'nightly' && e.object.kind === 'CronJob')).toBe(true);
    expect(events[0]!.type).toBe('ADDED');
    expect(events.some((e) => e.type === 'MODIFIED' && e.object.spec.suspend === true)).toBe(true);
    expect(events.at(-1)!.type).toBe('DELETED');
    // Resuming from the first event's resourceVersion replays what came after it.
    const replay = await watch(events[0]!.object.metadata.resourceVersion, async () => {});
    expect(replay.map((e) => e.type)).toEqual(events.slice(1).map((e) => e.type));
  });
});

describe('WATCH as Tables (kubectl get -w)', () => {
  test('each event carries a one-row Table when the Accept asks for one', async () => {
    await call('POST', CJ, cronJob('nightly'));
    const controller = new AbortController();
    const res = await fetch(`${h.url}${CJ}?watch=true`, { signal: controller.signal, headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n')) text += Buffer.from((await reader.read()).value!).toString('utf8');
    controller.abort();
    const event = JSON.parse(text.slice(0, text.indexOf('\n')));
    expect(event.type).toBe('ADDED');
    expect(event.object.kind).toBe('Table');
    expect(event.object.rows[0].cells.slice(0, 4)).toEqual(['nightly', '0 * * * *', '<none>', 'False']);
  });
});

describe('strategic merge patch (the merge keys kubectl relies on)', () => {
  const live = {
    spec: {
      containers: [
        { name: 'main', image: 'a:1', args: ['--x'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ mountPath: '/data', name: 'd' }] },
        { name: 'side', image: 's:1' },
      ],
      volumes: [{ name: 'd', emptyDir: {} }],
      finalizers: ['x'],
    },
  };
  test.each<[string, Record<string, unknown>, (r: any) => unknown, unknown]>([
    ['containers merge by name, keeping fields not in the patch', { spec: { containers: [{ name: 'main', image: 'a:2' }] } }, (r) => [r.spec.containers[0].args, r.spec.containers[0].image, r.spec.containers.length], [['--x'], 'a:2', 2]],
    ['env merges by name', { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '3' }] }] } }, (r) => r.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }]],
    ['ports merge by containerPort', { spec: { containers: [{ name: 'main', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } }, (r) => r.spec.containers[0].ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }]],
    ['volumeMounts merge by mountPath', { spec: { containers: [{ name: 'main', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } }, (r) => r.spec.containers[0].volumeMounts, [{ mountPath: '/data', name: 'd', readOnly: true }]],
    ['$patch: delete removes a list element', { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }, (r) => r.spec.containers.map((c: any) => c.name), ['main']],
    ['$setElementOrder reorders', { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }] } }, (r) => r.spec.containers.map((c: any) => c.name), ['side', 'main']],
    ['$deleteFromPrimitiveList removes values', { spec: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, (r) => r.spec.finalizers, []],
    ['$retainKeys drops other keys', { spec: { volumes: [{ name: 'd', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/h' } }] } }, (r) => r.spec.volumes, [{ name: 'd', hostPath: { path: '/h' } }]],
    ['null deletes a field', { spec: { containers: [{ name: 'main', args: null }] } }, (r) => 'args' in r.spec.containers[0], false],
    ['a list without a merge key is replaced', { spec: { containers: [{ name: 'main', args: ['--y'] }] } }, (r) => r.spec.containers[0].args, ['--y']],
  ])('%s', (_name, patch, pick, expected) => {
    expect(pick(strategicMergePatch(live, patch))).toEqual(expected);
  });
});

describe('CronJob validation', () => {
  test.each([
    ['61 * * * *', 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    ['0 0 * * 7', 'spec.schedule: Invalid value: "0 0 * * 7": end of range (7) above maximum (6): 7'],
    ['* * * *', 'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
    ['CRON_TZ=UTC 0 * * * *', 'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ])('schedule %s', async (schedule, message) => {
    const res = await call('POST', CJ, cronJob('v', { schedule }));
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(`CronJob.batch "v" is invalid: ${message}`);
    expect(res.body.details).toMatchObject({ name: 'v', group: 'batch', kind: 'CronJob', causes: [{ reason: 'FieldValueInvalid', field: 'spec.schedule' }] });
  });

  test.each([
    // A TZ= prefix does not hide what robfig finds in the rest, or in the prefix's zone.
    ['TZ=America/New_York 15/0 * * * *', 'step of range should be a positive number: 15/0'],
    ['TZ=Mars/Base 0 * * * *', 'provided bad location Mars/Base: unknown time zone Mars/Base'],
  ])('schedule %s: robfig\'s error, then the TZ rule', async (schedule, parseError) => {
    const res = await call('POST', CJ, cronJob('v', { schedule }));
    const invalid = `spec.schedule: Invalid value: ${JSON.stringify(schedule)}`;
    expect([res.status, res.body.message]).toEqual([
      422,
      `CronJob.batch "v" is invalid: [${invalid}: ${parseError}, ${invalid}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead]`,
    ]);
  });

  test('timeZone Factory is a zone Go loads (offset 0), so it is accepted', async () => {
    const res = await call('POST', CJ, cronJob('v', { timeZone: 'Factory' }));
    expect([res.status, res.body.spec?.timeZone]).toEqual([201, 'Factory']);
  });

  test('an unknown restartPolicy is refused by the pod rules and again by the Job rules', async () => {
    const res = await call('POST', CJ, cronJob('v', { jobTemplate: { spec: { template: { spec: { restartPolicy: 'Invalid', containers: [{ name: 'main', image: 'busybox:1.36' }] } } } } }));
    const field = 'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Invalid"';
    expect([res.status, res.body.message]).toEqual([
      422,
      `CronJob.batch "v" is invalid: [${field}: supported values: "Always", "OnFailure", "Never", ${field}: supported values: "OnFailure", "Never"]`,
    ]);
    expect(res.body.details.causes.map((c: { reason: string }) => c.reason)).toEqual(['FieldValueNotSupported', 'FieldValueNotSupported']);
  });

  test.each([
    [{ timeZone: '' }, 'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
    [{ timeZone: 'Mars/Olympus' }, 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    [{ concurrencyPolicy: 'Sometimes' }, 'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'],
    [{ failedJobsHistoryLimit: -1 }, 'spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
  ])('%j', async (spec, message) => {
    const res = await call('POST', CJ, cronJob('v', spec));
    expect([res.status, res.body.message]).toEqual([422, `CronJob.batch "v" is invalid: ${message}`]);
  });

  test('the 52-character limit applies on create only; a bad name is a subdomain error', async () => {
    const res = await call('POST', CJ, cronJob('Bad_Name'));
    expect(res.body.details.causes[0].message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    expect((await call('POST', CJ, cronJob('x'.repeat(52)))).status).toBe(201);
    const tooLong = await call('POST', CJ, cronJob('y'.repeat(53)));
    expect([tooLong.status, tooLong.body.details.causes[0]]).toEqual([422, expect.objectContaining({ field: 'metadata.name', message: expect.stringContaining('must be no more than 52 characters') })]);
    // A CronJob whose name is already over the limit (made when there was none) can still be updated.
    const state = h.standIn.snapshot() as { objects: { resource: string; object: { metadata: { name: string } } }[] };
    const stored = state.objects.find((o) => o.object.metadata.name === 'x'.repeat(52))!;
    stored.object.metadata.name = 'z'.repeat(53);
    h.standIn.restore(state);
    expect((await call('PATCH', `${CJ}/${'z'.repeat(53)}`, { spec: { suspend: true } }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(200);
  });
});
