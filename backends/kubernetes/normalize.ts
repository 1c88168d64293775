/**
 * Normalisation for diffing: server-owned fields stripped and the apiserver's defaults filled in
 * on both sides, so an untouched CronJob equals its render and never shows a difference.
 */
import { defaultCronJob } from './defaults.js';
import type { CronJobManifest } from './render.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SERVER_OWNED_METADATA = [
  'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink',
  'deletionTimestamp', 'deletionGracePeriodSeconds',
];
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function dropEmpty(o: Obj | undefined, key: string): void {
  const v = o?.[key];
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete o![key];
}

function templateMeta(holder: Obj | undefined): void {
  const meta = holder?.metadata as Obj | undefined;
  if (!meta) return;
  delete meta.creationTimestamp;
  dropEmpty(meta, 'labels');
  dropEmpty(meta, 'annotations');
  dropEmpty(holder, 'metadata');
}

export function normalizeCronJob(manifest: CronJobManifest): CronJobManifest {
  const cj = JSON.parse(JSON.stringify(manifest)) as Obj;
  delete cj.status;
  cj.apiVersion ??= 'batch/v1';
  cj.kind ??= 'CronJob';
  const meta = (cj.metadata ??= {}) as Obj;
  for (const f of SERVER_OWNED_METADATA) delete meta[f];
  if (meta.annotations) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  dropEmpty(meta, 'annotations');
  dropEmpty(meta, 'labels');
  defaultCronJob(cj);
  const jobTemplate = cj.spec?.jobTemplate as Obj | undefined;
  templateMeta(jobTemplate);
  templateMeta(jobTemplate?.spec?.template);
  return cj as CronJobManifest;
}
