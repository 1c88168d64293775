/** `kubectl get` asks for a meta.k8s.io/v1 Table; these are the columns the real server prints. */
import { fieldsOf, objectsOf } from './patch.js';
import { CONFIGMAPS, CRONJOBS, JOBS, LEASES, NAMESPACES, PODS, type JsonObject, type KObject, type ResourceType } from './resources.js';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.includes('as=Table') && part.includes('g=meta.k8s.io'));
}

/** apimachinery's `duration.HumanDuration`, as in the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly cell: (o: KObject, now: Date) => unknown;
}

const age = (o: KObject, now: Date) => (o.metadata.creationTimestamp ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>');
const since = (t: unknown, now: Date) => (typeof t === 'string' ? humanDuration(now.getTime() - Date.parse(t)) : '<none>');
const spec = (o: KObject) => fieldsOf(o.spec);
const status = (o: KObject) => fieldsOf(o.status);
const containers = (podSpec: unknown) => objectsOf(fieldsOf(podSpec).containers);
/** `spec.jobTemplate.spec.template.spec` of a CronJob. */
const podSpecOf = (cj: KObject) => fieldsOf(fieldsOf(fieldsOf(fieldsOf(spec(cj).jobTemplate).spec).template).spec);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', cell: (o) => o.metadata.name };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: age };

const COLUMNS = new Map<ResourceType, readonly Column[]>([
  [CRONJOBS, [
    NAME,
    { name: 'Schedule', type: 'string', cell: (o) => spec(o).schedule },
    { name: 'Timezone', type: 'string', cell: (o) => spec(o).timeZone ?? '<none>' },
    { name: 'Suspend', type: 'boolean', cell: (o) => spec(o).suspend === true ? 'True' : 'False' },
    { name: 'Active', type: 'integer', cell: (o) => objectsOf(status(o).active).length },
    { name: 'Last Schedule', type: 'string', cell: (o, now) => since(status(o).lastScheduleTime, now) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containers(podSpecOf(o)).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containers(podSpecOf(o)).map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', priority: 1, cell: () => '<none>' },
  ]],
  [JOBS, [
    NAME,
    { name: 'Status', type: 'string', cell: (o) => jobState(o) },
    { name: 'Completions', type: 'string', cell: (o) => `${String(status(o).succeeded ?? 0)}/${String(spec(o).completions ?? 1)}` },
    { name: 'Duration', type: 'string', cell: (o, now) => {
      const { startTime, completionTime } = status(o);
      return typeof startTime === 'string' ? humanDuration((typeof completionTime === 'string' ? Date.parse(completionTime) : now.getTime()) - Date.parse(startTime)) : '';
    } },
    AGE,
  ]],
  [PODS, [
    NAME,
    { name: 'Ready', type: 'string', cell: (o) => `${status(o).phase === 'Running' ? containers(o.spec).length : 0}/${containers(o.spec).length}` },
    { name: 'Status', type: 'string', cell: (o) => status(o).phase === 'Succeeded' ? 'Completed' : status(o).phase === 'Failed' ? 'Error' : status(o).phase ?? 'Pending' },
    { name: 'Restarts', type: 'string', cell: () => '0' },
    AGE,
  ]],
  [NAMESPACES, [NAME, { name: 'Status', type: 'string', cell: (o) => status(o).phase ?? 'Active' }, AGE]],
  [LEASES, [NAME, { name: 'Holder', type: 'string', cell: (o) => spec(o).holderIdentity ?? '' }, AGE]],
  // printConfigMap: the number of keys, data and binaryData together.
  [CONFIGMAPS, [NAME, { name: 'Data', type: 'string', cell: (o) => Object.keys(fieldsOf(o.data)).length + Object.keys(fieldsOf(o.binaryData)).length }, AGE]],
]);

function jobState(o: KObject): string {
  const conds = objectsOf(status(o).conditions);
  if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  if (spec(o).suspend) return 'Suspended';
  return 'Running';
}

export function toTable(r: ResourceType, items: readonly KObject[], resourceVersion: string, now: Date, listMeta: JsonObject = {}): JsonObject {
  const cols = COLUMNS.get(r) ?? [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...listMeta, resourceVersion },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o, now)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
