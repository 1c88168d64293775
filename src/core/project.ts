/**
 * `migrate.yaml`, the project file beside `jobs/`: what all jobs share. Every key is optional.
 *
 *   defaults:   { image, timezone, namespace, retries, concurrency, startingDeadline, resources }
 *   <backend>:  { ... }                     # each backend's own section, the keys it declares
 *   handoff:    { guard }                   # margin kept from slots during a move, default 30s
 *   capacity:   { startsPerMinute: { <backend>: N } }   # runs a system can start a minute (load, move)
 *
 * docs/format.md lists every backend's keys.
 */
import type { BackendName, BackendNames } from './backend-names.js';
import type { Node } from 'yaml';
import type { Diagnostic } from './errors.js';
import { parseDuration } from './duration.js';
import type { Concurrency, Resources } from './job.js';
import { asMap, error, pairsOf, parseYamlSource, positionOf, scalarValue, type ParsedYaml } from './yaml-source.js';
import { readResources } from './definition-fields.js';
import { unknownNameMessage } from './suggest.js';

export interface ProjectDefaults {
  readonly image?: string;
  readonly timezone?: string;
  readonly namespace?: string;
  readonly retries?: number;
  readonly concurrency?: Concurrency;
  readonly startingDeadlineSeconds?: number;
  readonly resources?: Resources;
}

export interface ProjectConfig {
  readonly defaults: ProjectDefaults;
  /** Each backend's section, by backend name: the keys it declares, as written. */
  readonly sections: Readonly<Record<BackendName, Readonly<Record<string, string>>>>;
  readonly handoff: { readonly guardSeconds: number };
  /** Runs each system can start in one minute, by backend name; a system not named has no limit known. */
  readonly capacity: { readonly startsPerMinute: Readonly<Record<BackendName, number>> };
  /** The backends that definitions and these sections may name. */
  readonly backends: BackendNames;
}

export function emptyProject(backends: BackendNames): ProjectConfig {
  return { defaults: {}, sections: Object.fromEntries(backends.identities.map((b) => [b.name, {}])), handoff: { guardSeconds: 30 }, capacity: { startsPerMinute: {} }, backends };
}

/** The namespace of a job that names none: a backend section's `namespace`, else the defaults'. */
export function projectNamespace(project: ProjectConfig): string | undefined {
  return Object.values(project.sections).find((s) => s.namespace !== undefined)?.namespace ?? project.defaults.namespace;
}

const COMMON_SECTIONS: Record<string, readonly string[]> = {
  defaults: ['image', 'timezone', 'namespace', 'retries', 'concurrency', 'startingDeadline', 'resources'],
  handoff: ['guard'],
  capacity: ['startsPerMinute'],
};

export function parseProjectConfig(file: string, text: string, backends: BackendNames): { config: ProjectConfig; diagnostics: Diagnostic[] } {
  const empty = emptyProject(backends);
  const parsed = parseYamlSource(file, text);
  if (Array.isArray(parsed)) return { config: empty, diagnostics: parsed };
  const diagnostics: Diagnostic[] = [];
  const root = asMap(parsed, parsed.doc.contents);
  if (parsed.doc.contents === null) return { config: empty, diagnostics };
  const SECTIONS: Record<string, readonly string[]> = {
    defaults: COMMON_SECTIONS.defaults,
    ...Object.fromEntries(backends.identities.map((b) => [b.name, b.projectKeys])),
    handoff: COMMON_SECTIONS.handoff,
    capacity: COMMON_SECTIONS.capacity,
  };
  if (!root) return { config: empty, diagnostics: [error(file, positionOf(parsed, parsed.doc.contents), `the project file must be a mapping of sections: ${Object.keys(SECTIONS).join(', ')}`)] };

  const sections: Record<string, Record<string, unknown>> = Object.fromEntries(Object.keys(SECTIONS).map((k) => [k, {}]));
  let resources: Resources | undefined;
  const startsPerMinute: Record<BackendName, number> = {};
  for (const { key, pair, value } of pairsOf(parsed, root)) {
    const allowed = SECTIONS[key];
    if (!allowed) {
      diagnostics.push(error(file, positionOf(parsed, pair.key as Node), unknownNameMessage(key, Object.keys(SECTIONS), 'section')));
      continue;
    }
    const map = asMap(parsed, value);
    if (!map) {
      diagnostics.push(error(file, positionOf(parsed, value), `${key} must be a mapping`));
      continue;
    }
    for (const entry of pairsOf(parsed, map)) {
      if (!allowed.includes(entry.key)) {
        diagnostics.push(error(file, positionOf(parsed, entry.pair.key as Node), unknownNameMessage(`${key}.${entry.key}`, allowed.map((a) => `${key}.${a}`), 'field')));
      } else if (key === 'defaults' && entry.key === 'resources') {
        resources = readResources(parsed, file, entry.value, 'defaults.resources', backends.native.title, diagnostics);
      } else if (key === 'capacity') {
        readStartsPerMinute(parsed, file, entry.value, backends, startsPerMinute, diagnostics);
      } else {
        sections[key][entry.key] = scalarValue(entry.value);
        checkScalar(parsed, file, `${key}.${entry.key}`, entry.value, diagnostics);
      }
    }
  }
  const d = sections.defaults;
  const guardText = sections.handoff.guard;
  const guard = guardText === undefined ? 30 : parseDuration(String(guardText));
  if (guard === undefined) diagnostics.push(error(file, { line: 1, col: 1 }, `handoff.guard: "${String(guardText)}" is not a duration like 30s or 2m`));
  const deadline = d.startingDeadline === undefined ? undefined : parseDuration(String(d.startingDeadline));
  const config: ProjectConfig = {
    defaults: {
      image: optionalString(d.image),
      timezone: optionalString(d.timezone),
      namespace: optionalString(d.namespace),
      retries: typeof d.retries === 'number' ? d.retries : undefined,
      concurrency: d.concurrency === 'allow' || d.concurrency === 'forbid' || d.concurrency === 'replace' ? d.concurrency : undefined,
      startingDeadlineSeconds: deadline,
      resources,
    },
    sections: Object.fromEntries(backends.identities.map((b) => [b.name, presentStrings(sections[b.name])])),
    handoff: { guardSeconds: guard ?? 30 },
    capacity: { startsPerMinute },
    backends,
  };
  return { config, diagnostics };
}

/** `capacity.startsPerMinute`: a mapping of backend (any of its names) to a whole number of runs, at least 1. */
function readStartsPerMinute(src: ParsedYaml, file: string, node: Node | null, backends: BackendNames, into: Record<BackendName, number>, out: Diagnostic[]): void {
  const map = asMap(src, node);
  if (!map) {
    out.push(error(file, positionOf(src, node), `capacity.startsPerMinute must be a mapping of backend to runs a minute, e.g. ${backends.identities[0]!.name}: 200`));
    return;
  }
  for (const { key, pair, value } of pairsOf(src, map)) {
    const name = backends.parse(key);
    const n = scalarValue(value);
    if (!name) out.push(error(file, positionOf(src, pair.key as Node), `capacity.startsPerMinute.${key}: not a backend (${backends.listed})`));
    else if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) out.push(error(file, positionOf(src, value), `capacity.startsPerMinute.${key} must be a whole number of runs a minute, at least 1`));
    else into[name] = n;
  }
}

function checkScalar(src: ParsedYaml, file: string, field: string, node: Node | null, out: Diagnostic[]): void {
  const v = scalarValue(node);
  if (v === undefined || v === null || typeof v === 'object') out.push(error(file, positionOf(src, node), `${field} must be a single value`));
}

function presentStrings(section: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(section).flatMap(([k, v]) => (v === undefined || v === null ? [] : [[k, String(v)]])));
}

function optionalString(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

