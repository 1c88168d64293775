/**
 * Normalisation for diffing: server-owned fields stripped and the apiserver's defaults filled in
 * on both sides, so an untouched CronJob equals its render and never shows a difference.
 */
import { defaultCronJob } from './defaults.js';
import type { CronJobManifest } from './manifest.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SERVER_OWNED_METADATA = [
  'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink',
  'deletionTimestamp', 'deletionGracePeriodSeconds',
];
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Bookkeeping of a move: a write that moved the resourceVersion on so that no write still in flight can land (see cutover.ts). */
export const FENCE_ANNOTATION = 'migrate.io/fence';

function dropEmpty(o: Obj | undefined, key: string): void {
  const v = o?.[key];
  if (o && isObj(v) && Object.keys(v).length === 0) delete o[key];
}

function templateMeta(holder: Obj | undefined): void {
  const meta = holder?.metadata;
  if (!holder || !isObj(meta)) return;
  delete meta.creationTimestamp;
  dropEmpty(meta, 'labels');
  dropEmpty(meta, 'annotations');
  dropEmpty(holder, 'metadata');
}

export function normalizeCronJob(manifest: CronJobManifest): CronJobManifest {
  const cj: Obj = JSON.parse(JSON.stringify(manifest));
  delete cj.status;
  cj.apiVersion ??= 'batch/v1';
  cj.kind ??= 'CronJob';
  cj.metadata ??= {};
  const meta = cj.metadata;
  if (isObj(meta)) {
    for (const f of SERVER_OWNED_METADATA) delete meta[f];
    if (isObj(meta.annotations)) {
      delete meta.annotations[LAST_APPLIED_ANNOTATION];
      delete meta.annotations[FENCE_ANNOTATION];
    }
    dropEmpty(meta, 'annotations');
    dropEmpty(meta, 'labels');
  }
  defaultCronJob(cj);
  const jobTemplate = isObj(cj.spec) && isObj(cj.spec.jobTemplate) ? cj.spec.jobTemplate : undefined;
  templateMeta(jobTemplate);
  const template = isObj(jobTemplate?.spec) ? jobTemplate.spec.template : undefined;
  templateMeta(isObj(template) ? template : undefined);
  // The manifest's own shape: fields were only removed or defaulted.
  return cj as unknown as CronJobManifest;
}
