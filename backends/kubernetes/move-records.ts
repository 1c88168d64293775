/**
 * The cluster's record of moves: a ConfigMap `migrate-moves-<job>` per job, in the job's
 * namespace, labelled as migrate's, holding the journal records of the job's last MOVES_KEPT
 * moves as JSON lines under `records.jsonl` (docs/journal.md, "The cluster's record"). Each
 * append adds its records to the ConfigMap as this client last read or wrote it and writes it
 * back conditioned on that resourceVersion (a create when there was none), without reading it
 * again first: a writer that got there since makes the write fail with a conflict, and the
 * records are added again to what that writer left, read then.
 */
import { MoveRecordConflictError } from '../../src/core/backend.js';
import { parseJournal, type JournalRecord } from '../../src/core/journal.js';
import type { KubernetesClient } from './client.js';
import { KubernetesApiError } from './errors.js';
import { MANAGED_BY_LABEL, type ObjectMeta } from './render.js';

export const MOVE_RECORD_PREFIX = 'migrate-moves-';
/** Moves of one job the ConfigMap keeps: the newest, each with every record. */
export const MOVES_KEPT = 10;
export const RECORDS_KEY = 'records.jsonl';
/** What tells a record ConfigMap from the others migrate might label. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const MOVE_RECORD_COMPONENT = 'move-record';
/** `core.MaxSecretSize`: the API server refuses a ConfigMap whose values exceed it. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** Conditioned writes tried before giving up on writers that keep getting there first. */
const ATTEMPTS = 5;

export interface ConfigMapObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly data?: Readonly<Record<string, string>>;
}

type ConfigMapClient = Pick<KubernetesClient, 'namespace' | 'request'>;

export function moveRecordName(job: string): string {
  return `${MOVE_RECORD_PREFIX}${job}`;
}

export const MOVE_RECORD_SELECTOR = `${MANAGED_BY_LABEL}=migrate,${COMPONENT_LABEL}=${MOVE_RECORD_COMPONENT}`;

/** The job's records in the ConfigMap, oldest first; a line that does not read as one of the job's records is left out. */
export function recordsOf(cm: ConfigMapObject | undefined, job: string): JournalRecord[] {
  const text = cm?.data?.[RECORDS_KEY];
  return text ? parseJournal(text).records.filter((r) => r.job === job) : [];
}

/**
 * Per client, each job's ConfigMap as this client last read or wrote it (null: it had none), so
 * that an append can write on it without reading it first. Its resourceVersion is the condition
 * of the write: a stale copy costs a conflict and a read, never another writer's record.
 */
const lastSeen = new WeakMap<ConfigMapClient, Map<string, ConfigMapObject | null>>();

function seenBy(client: ConfigMapClient): Map<string, ConfigMapObject | null> {
  let seen = lastSeen.get(client);
  if (!seen) lastSeen.set(client, (seen = new Map()));
  return seen;
}

/** The job's ConfigMap, or undefined when there is none yet. */
export async function readRecordMap(client: ConfigMapClient, job: string): Promise<ConfigMapObject | undefined> {
  let cm: ConfigMapObject | undefined;
  try {
    cm = await client.request<ConfigMapObject>({ verb: 'get', resource: 'configmaps', name: moveRecordName(job) });
  } catch (err) {
    if (!(err instanceof KubernetesApiError && err.code === 404)) throw err;
  }
  seenBy(client).set(job, cm ?? null);
  return cm;
}

/**
 * Every record ConfigMap of the namespace, by job (one LIST, a page at a time). Each of `jobs`
 * the LIST does not hold is remembered as having none: its first append creates it at once.
 */
export async function listRecordMaps(client: ConfigMapClient, jobs: readonly string[] = []): Promise<Map<string, ConfigMapObject>> {
  const out = new Map<string, ConfigMapObject>();
  let token: string | undefined;
  do {
    const page = await client.request<{ items?: ConfigMapObject[]; metadata?: { continue?: string } }>({
      verb: 'list', resource: 'configmaps', query: { labelSelector: MOVE_RECORD_SELECTOR, limit: '500', continue: token },
    });
    for (const cm of page.items ?? []) {
      if (cm.metadata.name.startsWith(MOVE_RECORD_PREFIX)) out.set(cm.metadata.name.slice(MOVE_RECORD_PREFIX.length), cm);
    }
    token = page.metadata?.continue || undefined;
  } while (token);
  // List items carry no kind; the copy kept for a later append is written back whole.
  for (const [job, cm] of out) seenBy(client).set(job, { apiVersion: 'v1', kind: 'ConfigMap', ...cm });
  for (const job of jobs) if (!out.has(job)) seenBy(client).set(job, null);
  return out;
}

/**
 * Adds `records` (all of one job) to its ConfigMap in one write; resolves with the job's records
 * as stored. A record already there (an append repeated after its answer was lost) is not added
 * twice. The write is conditioned on the copy this client last read or wrote (read now if it has
 * none); when another writer got there since, the ConfigMap is read again and the write retried.
 */
export async function appendRecord(client: ConfigMapClient, ...records: readonly [JournalRecord, ...JournalRecord[]]): Promise<JournalRecord[]> {
  const job = records[0].job;
  const name = moveRecordName(job);
  const seen = seenBy(client);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const known = seen.get(job);
    const current = known === undefined ? await readRecordMap(client, job) : known ?? undefined;
    const kept = recordsOf(current, job);
    const storedLines = new Set(kept.map((r) => JSON.stringify(r)));
    const added = records.filter((r) => !storedLines.has(JSON.stringify(r)));
    if (added.length === 0) return kept;
    const all = boundRecords([...kept, ...added]);
    const data = { [RECORDS_KEY]: all.map((r) => `${JSON.stringify(r)}\n`).join('') };
    try {
      let written: ConfigMapObject;
      if (!current) {
        const body: ConfigMapObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: recordLabels() }, data };
        written = await client.request<ConfigMapObject>({ verb: 'create', resource: 'configmaps', name, body });
      } else {
        // Conditioned on the copy last seen: another writer's record is never overwritten.
        const body: ConfigMapObject = { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...recordLabels() } }, data: { ...current.data, ...data } };
        written = await client.request<ConfigMapObject>({ verb: 'update', resource: 'configmaps', name, body });
      }
      seen.set(job, written);
      return all;
    } catch (err) {
      // Whatever happened (another writer, or a write whose answer was lost), the copy is read again before the next write.
      seen.delete(job);
      if (err instanceof KubernetesApiError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists')) continue;
      throw err;
    }
  }
  throw new MoveRecordConflictError(`ConfigMap ${client.namespace}/${name}`, ATTEMPTS);
}

function recordLabels(): Record<string, string> {
  return { [MANAGED_BY_LABEL]: 'migrate', [COMPONENT_LABEL]: MOVE_RECORD_COMPONENT };
}

/**
 * The records of the newest `keep` moves (a move's place is its first record's), fewer when their
 * lines would not fit in a ConfigMap: the newest move always stays, and the server refuses it
 * if it alone is too large.
 */
export function boundRecords(records: readonly JournalRecord[], keep = MOVES_KEPT, maxBytes = CONFIGMAP_MAX_BYTES): JournalRecord[] {
  const order = [...new Set(records.map((r) => r.id))];
  const bytes = new Map<string, number>();
  for (const r of records) bytes.set(r.id, (bytes.get(r.id) ?? 0) + Buffer.byteLength(`${JSON.stringify(r)}\n`, 'utf8'));
  let kept = order.slice(-keep);
  let total = kept.reduce((sum, id) => sum + bytes.get(id)!, 0);
  while (kept.length > 1 && total > maxBytes) {
    total -= bytes.get(kept[0]!)!;
    kept = kept.slice(1);
  }
  const ids = new Set(kept);
  return records.filter((r) => ids.has(r.id));
}
