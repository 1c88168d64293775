/**
 * Validation as kube-apiserver does it (`pkg/apis/batch/validation`, `apimachinery` name rules),
 * in the same order, so a 422 lists the same causes with the same texts.
 */
import { CronSyntaxError, isValidTimeZone, parseStandard, SCHEDULE_TZ_MESSAGE } from '../../../src/core/schedule/cron.js';
import { fieldsOf, isPlainObject } from './patch.js';
import { CONFIGMAPS, CRONJOBS, JOBS, NAMESPACES, type JsonObject, type ResourceType } from './resources.js';
import type { FieldError } from './status.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** The CronJob name limit: a Job name (≤ 63) is the CronJob name plus `-` and 10 characters. */
export const CRONJOB_NAME_MAX = 52;

export function validateName(r: ResourceType, name: unknown): FieldError[] {
  if (typeof name !== 'string' || name === '') {
    return [{ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' }];
  }
  if (r === NAMESPACES) {
    const errs: FieldError[] = [];
    if (!DNS1123_LABEL.test(name)) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: LABEL_MSG });
    if (name.length > 63) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: 'must be no more than 63 characters' });
    return errs;
  }
  const errs: FieldError[] = [];
  if (name.length > 253) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: 'must be no more than 253 characters' });
  if (!DNS1123_SUBDOMAIN.test(name)) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: SUBDOMAIN_MSG });
  return errs;
}

function nonNegative(spec: JsonObject, key: string, path: string, out: FieldError[]): void {
  const v = spec[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    out.push({ type: 'Invalid', field: `${path}.${key}`, value: v, detail: 'must be an integer' });
  } else if (v < 0) {
    out.push({ type: 'Invalid', field: `${path}.${key}`, value: v, detail: 'must be greater than or equal to 0' });
  }
}

function validatePodTemplate(template: unknown, path: string, out: FieldError[]): void {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const specPath = `${path}.spec`;
  // ValidateVolumes: each named once; a hostPath needs its path. Mounts must name one of them.
  const volumeNames = new Set<string>();
  const volumes: unknown[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((v: unknown, i: number) => {
    const volume = isPlainObject(v) ? v : {};
    const vp = `${specPath}.volumes[${i}]`;
    if (typeof volume.name !== 'string' || volume.name === '') out.push({ type: 'Required', field: `${vp}.name` });
    else if (!DNS1123_LABEL.test(volume.name)) out.push({ type: 'Invalid', field: `${vp}.name`, value: volume.name, detail: LABEL_MSG });
    else if (volumeNames.has(volume.name)) out.push({ type: 'Duplicate', field: `${vp}.name`, value: volume.name });
    else volumeNames.add(volume.name);
    if (isPlainObject(volume.hostPath) && (typeof volume.hostPath.path !== 'string' || volume.hostPath.path === '')) out.push({ type: 'Required', field: `${vp}.hostPath.path` });
  });
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    out.push({ type: 'Required', field: `${specPath}.containers` });
  } else {
    const seen = new Set<string>();
    containers.forEach((c: unknown, i: number) => {
      const cp = `${specPath}.containers[${i}]`;
      const container = isPlainObject(c) ? c : {};
      if (typeof container.name !== 'string' || container.name === '') out.push({ type: 'Required', field: `${cp}.name` });
      else if (!DNS1123_LABEL.test(container.name)) out.push({ type: 'Invalid', field: `${cp}.name`, value: container.name, detail: LABEL_MSG });
      else if (seen.has(container.name)) out.push({ type: 'Duplicate', field: `${cp}.name`, value: container.name });
      else seen.add(container.name);
      if (typeof container.image !== 'string' || container.image.trim() === '') out.push({ type: 'Required', field: `${cp}.image` });
      const pull = container.imagePullPolicy;
      if (pull !== undefined && pull !== 'Always' && pull !== 'IfNotPresent' && pull !== 'Never') out.push({ type: 'NotSupported', field: `${cp}.imagePullPolicy`, value: pull, supported: ['Always', 'IfNotPresent', 'Never'] });
      const mounts: unknown[] = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
      mounts.forEach((m: unknown, j: number) => {
        const mount = isPlainObject(m) ? m : {};
        const mp = `${cp}.volumeMounts[${j}]`;
        if (typeof mount.name !== 'string' || mount.name === '') out.push({ type: 'Required', field: `${mp}.name` });
        else if (!volumeNames.has(mount.name)) out.push({ type: 'NotFound', field: `${mp}.name`, value: mount.name });
        if (typeof mount.mountPath !== 'string' || mount.mountPath === '') out.push({ type: 'Required', field: `${mp}.mountPath` });
      });
    });
  }
  // Defaulting has made a missing policy Always, which the pod rules accept and the Job's refuse.
  // A value neither knows is refused twice, by ValidatePodSpec and then by validateJobSpec.
  const restart = spec.restartPolicy;
  const restartField = `${specPath}.restartPolicy`;
  if (restart === undefined || restart === null || restart === '' || restart === 'Always') {
    out.push({ type: 'Required', field: restartField, detail: 'valid values: "OnFailure", "Never"' });
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    out.push({ type: 'NotSupported', field: restartField, value: restart, supported: ['Always', 'OnFailure', 'Never'] });
    out.push({ type: 'NotSupported', field: restartField, value: restart, supported: ['OnFailure', 'Never'] });
  }
}

/** `ValidateJobSpec` for a Job or a CronJob's `jobTemplate.spec`, at `path`. */
function validateJobSpec(spec: unknown, path: string, inTemplate: boolean, out: FieldError[]): void {
  const s = isPlainObject(spec) ? spec : {};
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) nonNegative(s, key, path, out);
  if (inTemplate) {
    if (s.selector !== undefined && s.selector !== null) out.push({ type: 'Invalid', field: `${path}.selector`, value: s.selector, detail: '`selector` will be auto-generated' });
    if (s.manualSelector === true) out.push({ type: 'NotSupported', field: `${path}.manualSelector`, value: true, supported: ['nil', 'false'] });
  }
  validatePodTemplate(s.template, `${path}.template`, out);
}

export interface CronJobValidationOptions {
  /** The stored object, for an update: name length and unchanged time zones are not re-checked. */
  readonly old?: JsonObject;
}

/** `ValidateCronJobCreate` / `ValidateCronJobUpdate`, after defaulting. */
export function validateCronJob(cj: JsonObject, opts: CronJobValidationOptions = {}): FieldError[] {
  const name = fieldsOf(cj.metadata).name;
  const out: FieldError[] = validateName(CRONJOBS, name);
  const spec = fieldsOf(cj.spec);
  const oldSpec = opts.old && fieldsOf(opts.old.spec);
  const allowTz = typeof oldSpec?.schedule === 'string' && oldSpec.schedule.includes('TZ');
  const schedule = spec.schedule;
  if (schedule === undefined || schedule === null || schedule === '') {
    out.push({ type: 'Required', field: 'spec.schedule' });
  } else if (typeof schedule !== 'string') {
    out.push({ type: 'Invalid', field: 'spec.schedule', value: schedule, detail: 'must be a string' });
  } else {
    // validateScheduleFormat: robfig's error, then the TZ rule; a schedule can have both.
    const parseError = scheduleParseError(schedule);
    if (parseError) out.push({ type: 'Invalid', field: 'spec.schedule', value: schedule, detail: parseError });
    if (allowTz && schedule.includes('TZ') && spec.timeZone != null) {
      out.push({ type: 'Invalid', field: 'spec.schedule', value: schedule, detail: 'cannot use both timeZone field and TZ or CRON_TZ in schedule' });
    } else if (!allowTz && schedule.includes('TZ')) {
      out.push({ type: 'Invalid', field: 'spec.schedule', value: schedule, detail: SCHEDULE_TZ_MESSAGE });
    }
  }
  nonNegative(spec, 'startingDeadlineSeconds', 'spec', out);
  const policy = spec.concurrencyPolicy;
  if (policy === '') out.push({ type: 'Required', field: 'spec.concurrencyPolicy' });
  else if (policy !== 'Allow' && policy !== 'Forbid' && policy !== 'Replace') {
    out.push({ type: 'NotSupported', field: 'spec.concurrencyPolicy', value: policy, supported: ['Allow', 'Forbid', 'Replace'] });
  }
  const template = isPlainObject(spec.jobTemplate) ? spec.jobTemplate : {};
  validateJobSpec(template.spec, 'spec.jobTemplate.spec', true, out);
  nonNegative(spec, 'successfulJobsHistoryLimit', 'spec', out);
  nonNegative(spec, 'failedJobsHistoryLimit', 'spec', out);
  const tz = spec.timeZone;
  if (tz !== undefined && tz !== null && !(opts.old && oldSpec?.timeZone === tz)) {
    if (tz === '') out.push({ type: 'Invalid', field: 'spec.timeZone', value: tz, detail: 'timeZone must be nil or non-empty string' });
    else if (typeof tz !== 'string' || !isValidTimeZone(tz)) {
      out.push({
        type: 'Invalid',
        field: 'spec.timeZone',
        value: tz,
        detail: typeof tz === 'string' && tz.toLowerCase() === 'local'
          ? 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'
          : `unknown time zone ${String(tz)}`,
      });
    }
  }
  if (!opts.old && typeof name === 'string' && name.length > CRONJOB_NAME_MAX) {
    out.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: `must be no more than ${CRONJOB_NAME_MAX} characters` });
  }
  return out;
}

function scheduleParseError(schedule: string): string | undefined {
  try {
    parseStandard(schedule);
    return undefined;
  } catch (err) {
    if (err instanceof CronSyntaxError) return err.message;
    throw err;
  }
}

export function validateJob(job: JsonObject): FieldError[] {
  const out = validateName(JOBS, fieldsOf(job.metadata).name);
  validateJobSpec(job.spec, 'spec', false, out);
  return out;
}

/** `core.MaxSecretSize`, which ConfigMaps share: the bytes of every value, data and binaryData together. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** apimachinery's `IsConfigMapKey`. */
function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) errs.push(CONFIG_KEY_MSG);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/**
 * `ValidateConfigMap` (pkg/apis/core/validation): the name a DNS-1123 subdomain, every key a
 * config key, no key in both maps, and at most 1 MiB of values in all. The store has decoded the
 * maps (strings; binaryData base64), as the apiserver's decoder would have.
 */
export function validateConfigMap(cm: JsonObject): FieldError[] {
  const out = validateName(CONFIGMAPS, fieldsOf(cm.metadata).name);
  const data = fieldsOf(cm.data);
  const binary = fieldsOf(cm.binaryData);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const detail of configKeyErrors(key)) out.push({ type: 'Invalid', field: `data[${key}]`, value: key, detail });
    if (key in binary) out.push({ type: 'Invalid', field: `data[${key}]`, value: key, detail: 'duplicate of key present in binaryData' });
    total += Buffer.byteLength(String(value), 'utf8');
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const detail of configKeyErrors(key)) out.push({ type: 'Invalid', field: `binaryData[${key}]`, value: key, detail });
    total += Buffer.from(String(value), 'base64').length;
  }
  // field.TooLong(field.NewPath(""), ...): an empty path prints as "[]".
  if (total > CONFIGMAP_MAX_BYTES) out.push({ type: 'TooLong', field: '[]', detail: `must have at most ${CONFIGMAP_MAX_BYTES} bytes` });
  return out;
}

/** Metadata-only validation for the other kinds. */
export function validateObject(r: ResourceType, obj: JsonObject, old?: JsonObject): FieldError[] {
  if (r === CRONJOBS) return validateCronJob(obj, { old });
  if (r === JOBS) return old ? [] : validateJob(obj);
  if (r === CONFIGMAPS) return validateConfigMap(obj);
  return validateName(r, fieldsOf(obj.metadata).name);
}
