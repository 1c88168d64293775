/**
 * The cluster's record of moves (backends/kubernetes/move-records.ts) against the stand-in: one
 * ConfigMap per job, records appended as JSON lines under a resourceVersion precondition, so two
 * writers never lose each other's records; bounded to the last MOVES_KEPT moves and to what a
 * ConfigMap holds.
 */
import { KubernetesClient } from '../../backends/kubernetes/client.js';
import {
  appendRecord, boundRecords, CONFIGMAP_MAX_BYTES, listRecordMaps, MOVE_RECORD_SELECTOR, MOVES_KEPT, readRecordMap, recordsOf, type ConfigMapObject,
} from '../../backends/kubernetes/move-records.js';
import { MoveRecordConflictError } from '../../src/core/backend.js';
import type { JournalRecord } from '../../src/core/journal.js';
import { apiError, startHarness, type Harness } from './harness.js';

let h: Harness;
let client: KubernetesClient;
beforeEach(async () => {
  h = await startHarness('2026-11-25T10:00:00Z');
  client = new KubernetesClient({ kubeconfig: h.kubeconfigPath, sleep: async () => undefined, timeoutMs: 2000 });
});
afterEach(() => h.close());

const step = (move: string, n: number, job = 'nightly'): JournalRecord => ({
  v: 1, id: `${job}-${move}`, job, at: `2026-11-25T10:00:${String(n).padStart(2, '0')}Z`, kind: 'step', step: 'write', detail: { n },
});

async function stored(job = 'nightly'): Promise<JournalRecord[]> {
  return recordsOf(await readRecordMap(client, job), job);
}

test('the first record creates migrate-moves-<job>, labelled as migrate\'s; the next ones are appended in order', async () => {
  const first = await appendRecord(client, step('a', 1));
  expect(first).toEqual([step('a', 1)]);
  await appendRecord(client, step('a', 2));
  const cm = (await client.request<ConfigMapObject>({ verb: 'get', resource: 'configmaps', name: 'migrate-moves-nightly' }));
  expect(cm.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'migrate', 'app.kubernetes.io/component': 'move-record' });
  expect(cm.data).toEqual({ 'records.jsonl': `${JSON.stringify(step('a', 1))}\n${JSON.stringify(step('a', 2))}\n` });
  const listed = await client.request<{ items: ConfigMapObject[] }>({ verb: 'list', resource: 'configmaps', query: { labelSelector: MOVE_RECORD_SELECTOR } });
  expect(listed.items.map((i) => i.metadata.name)).toEqual(['migrate-moves-nightly']);
  // An append repeated after its answer was lost adds nothing.
  await appendRecord(client, step('a', 2));
  expect(await stored()).toEqual([step('a', 1), step('a', 2)]);
});

test('an append writes on the copy the last read or write returned: one request, no read first; records given together are one write', async () => {
  const verbs: string[] = [];
  const counting: Pick<KubernetesClient, 'namespace' | 'request'> = {
    namespace: client.namespace,
    request: (call) => (verbs.push(call.verb), client.request(call)),
  };
  await appendRecord(counting, step('a', 1));
  expect(verbs).toEqual(['get', 'create']);
  verbs.length = 0;
  await appendRecord(counting, step('a', 2));
  await appendRecord(counting, step('a', 3), step('a', 4));
  expect(verbs).toEqual(['update', 'update']);
  expect(await stored()).toEqual([1, 2, 3, 4].map((n) => step('a', n)));
  // A copy read by the load of the journal serves the first append too.
  verbs.length = 0;
  await readRecordMap(counting, 'other');
  await appendRecord(counting, step('a', 1, 'other'));
  expect(verbs).toEqual(['get', 'create']);
  // A LIST of the namespace's records says which of the jobs asked about have none: their first append creates it at once.
  verbs.length = 0;
  await listRecordMaps(counting, ['nightly', 'fresh']);
  await appendRecord(counting, step('a', 1, 'fresh'));
  expect(verbs).toEqual(['list', 'create']);
});

test('a writer that got there between the read and the write is read again, never overwritten', async () => {
  await appendRecord(client, step('a', 1));
  let interleaved = false;
  // The first update of this writer lands after another writer's append: it conflicts.
  const racing: Pick<KubernetesClient, 'namespace' | 'request'> = {
    namespace: client.namespace,
    request: async (call) => {
      if (call.verb === 'update' && !interleaved) {
        interleaved = true;
        await appendRecord(client, step('b', 2));
      }
      return client.request(call);
    },
  };
  const result = await appendRecord(racing, step('a', 3));
  expect(interleaved).toBe(true);
  expect(result).toEqual([step('a', 1), step('b', 2), step('a', 3)]);
  expect(await stored()).toEqual([step('a', 1), step('b', 2), step('a', 3)]);
});

test('two writers appending at once keep every record', async () => {
  const other = new KubernetesClient({ kubeconfig: h.kubeconfigPath, sleep: async () => undefined, timeoutMs: 2000 });
  const write = async (c: KubernetesClient, move: string) => {
    for (let n = 0; n < 4; n++) await appendRecord(c, step(move, n));
  };
  await Promise.all([write(client, 'a'), write(other, 'b')]);
  const all = await stored();
  expect(all).toHaveLength(8);
  expect(all.filter((r) => r.id === 'nightly-a')).toEqual([0, 1, 2, 3].map((n) => step('a', n)));
  expect(all.filter((r) => r.id === 'nightly-b')).toEqual([0, 1, 2, 3].map((n) => step('b', n)));
});

test('when other writers keep getting there first, the append fails (the record is not stored)', async () => {
  await appendRecord(client, step('a', 1));
  h.ctx.faults.add({ system: 'kubernetes', method: 'PUT', path: 'configmaps', status: 409, times: 100 });
  const err = await appendRecord(client, step('a', 2)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MoveRecordConflictError);
  expect((err as MoveRecordConflictError).summary).toMatch(/^ConfigMap default\/migrate-moves-nightly changed under each of \d+ writes of one record$/);
  h.ctx.faults.clear();
  expect(await stored()).toEqual([step('a', 1)]);
});

test('RBAC that forbids ConfigMaps is the client\'s 403, naming the bare core resource', async () => {
  h.ctx.faults.add({ system: 'kubernetes', path: 'configmaps', status: 403, times: 10 });
  const err = await apiError(appendRecord(client, step('a', 1)));
  expect([err.code, err.summary]).toEqual([403, expect.stringMatching(/lack "get" on configmaps in namespace default$/)]);
  expect(err.detail).toContain('kubectl auth can-i get configmaps -n default');
});

test(`the last ${MOVES_KEPT} moves are kept, whole; fewer when they would not fit in a ConfigMap`, async () => {
  const records = Array.from({ length: MOVES_KEPT + 2 }, (_, m) => [step(`m${m}`, 1), step(`m${m}`, 2)]).flat();
  const kept = boundRecords(records);
  expect([...new Set(kept.map((r) => r.id))]).toEqual(Array.from({ length: MOVES_KEPT }, (_, m) => `nightly-m${m + 2}`));
  expect(kept).toHaveLength(MOVES_KEPT * 2);
  // Three moves of ~400 KB each: the oldest goes; the newest stays even when alone too large.
  const big = (move: string) => ({ ...step(move, 1), detail: { blob: 'x'.repeat(400_000) } });
  expect([...new Set(boundRecords([big('x'), big('y'), big('z')]).map((r) => r.id))]).toEqual(['nightly-y', 'nightly-z']);
  const huge = { ...step('h', 1), detail: { blob: 'x'.repeat(CONFIGMAP_MAX_BYTES) } };
  expect(boundRecords([big('x'), huge])).toEqual([huge]);
  for (const r of [big('x'), big('y'), big('z')]) await appendRecord(client, r);
  expect([...new Set((await stored()).map((r) => r.id))]).toEqual(['nightly-y', 'nightly-z']);
});
