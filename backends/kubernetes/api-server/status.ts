/**
 * Status bodies exactly as kube-apiserver builds them (apimachinery `api/errors/errors.go`), and
 * the error type handlers throw to send one.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from './resources.js';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  readonly code: number;
}

export class ApiError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message ?? body.reason ?? `HTTP ${body.code}`);
    this.name = 'ApiError';
  }
}

function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function details(r: ResourceType, name: string): Record<string, unknown> {
  return r.group ? { name, group: r.group, kind: r.plural } : { name, kind: r.plural };
}

export function notFound(r: ResourceType, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, details(r, name));
}

export function alreadyExists(r: ResourceType, name: string, beingDeleted = false): ApiError {
  const prefix = beingDeleted ? 'object is being deleted: ' : '';
  return failure(409, 'AlreadyExists', `${prefix}${qualifiedResource(r)} "${name}" already exists`, details(r, name));
}

export function conflict(r: ResourceType, name: string): ApiError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(r, name),
  );
}

export function applyConflict(r: ResourceType, name: string, conflicts: readonly { manager: string; apiVersion: string; field: string }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  const list = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
  const message = conflicts.length === 1
    ? `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}`
    : `Apply failed with ${conflicts.length} conflicts: ${list.replace(/^- /, '')}`;
  return failure(409, 'Conflict', message, { ...details(r, name), causes });
}

/** One field error, as `field.Error` renders it. */
export interface FieldError {
  readonly type: 'Invalid' | 'Required' | 'NotSupported' | 'Forbidden' | 'TooLong' | 'Duplicate' | 'NotFound';
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
  readonly supported?: readonly string[];
}

const CAUSE_REASON: Record<FieldError['type'], string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  Duplicate: 'FieldValueDuplicate',
  NotFound: 'FieldValueNotFound',
};

/** Go's `%#v`-ish rendering the apiserver uses for a bad value: strings quoted, numbers bare. */
function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** `field.Error.ErrorBody()`: the message without the field path. */
export function errorBody(e: FieldError): string {
  switch (e.type) {
    case 'Invalid':
      return `Invalid value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'Required':
      return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'NotSupported':
      return `Unsupported value: ${goValue(e.value)}${e.supported ? `: supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}` : ''}`;
    case 'Forbidden':
      return `Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'TooLong':
      return `Too long: ${e.detail ?? 'value is too long'}`;
    case 'Duplicate':
      return `Duplicate value: ${goValue(e.value)}`;
    case 'NotFound':
      return `Not found: ${goValue(e.value)}`;
  }
}

export function invalid(r: ResourceType, name: string, errors: readonly FieldError[]): ApiError {
  const rendered = errors.map((e) => `${e.field}: ${errorBody(e)}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return failure(422, 'Invalid', `${qualifiedKind(r)} "${name}" is invalid: ${summary}`, {
    name,
    group: r.group || undefined,
    kind: r.kind,
    causes: errors.map((e) => ({ reason: CAUSE_REASON[e.type], message: errorBody(e), field: e.field })),
  });
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(message: string): ApiError {
  return failure(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${JSON.stringify(contentType)})`);
}

export function unprocessable(message: string): ApiError {
  return failure(422, 'Invalid', message);
}

export function notFoundPath(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function expired(message: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}

/** A status for any HTTP code, for injected faults. */
export function statusForCode(code: number): StatusBody {
  const reasons: Record<number, [string, string]> = {
    400: ['BadRequest', 'the server rejected our request for an unknown reason'],
    401: ['Unauthorized', 'Unauthorized'],
    403: ['Forbidden', 'forbidden: injected fault'],
    404: ['NotFound', 'the server could not find the requested resource'],
    409: ['Conflict', 'the server reported a conflict'],
    410: ['Expired', 'the resource version is too old'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    500: ['InternalError', 'an error on the server ("injected fault") has prevented the request from succeeding'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  const [reason, message] = reasons[code] ?? ['InternalError', `injected fault (HTTP ${code})`];
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: {}, code };
}
