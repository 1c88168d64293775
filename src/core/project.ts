/**
 * `migrate.yaml`, the project file beside `jobs/`: what all jobs share. Every key is optional.
 *
 *   defaults:   { image, timezone, namespace, retries, concurrency, startingDeadline, resources }
 *   chronos:    { url, apiPrefix }          # apiPrefix: /v1/scheduler (3.x, default) or /scheduler (2.x)
 *   kubernetes: { context, namespace }
 *   handoff:    { guard }                   # margin kept from slots during a move, default 30s
 */
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
  readonly chronos: { readonly url?: string; readonly apiPrefix?: string };
  readonly kubernetes: { readonly context?: string; readonly namespace?: string };
  readonly handoff: { readonly guardSeconds: number };
}

export const EMPTY_PROJECT: ProjectConfig = { defaults: {}, chronos: {}, kubernetes: {}, handoff: { guardSeconds: 30 } };

const SECTIONS: Record<string, readonly string[]> = {
  defaults: ['image', 'timezone', 'namespace', 'retries', 'concurrency', 'startingDeadline', 'resources'],
  chronos: ['url', 'apiPrefix'],
  kubernetes: ['context', 'namespace'],
  handoff: ['guard'],
};

export function parseProjectConfig(file: string, text: string): { config: ProjectConfig; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text);
  if (Array.isArray(parsed)) return { config: EMPTY_PROJECT, diagnostics: parsed };
  const diagnostics: Diagnostic[] = [];
  const root = asMap(parsed, parsed.doc.contents);
  if (parsed.doc.contents === null) return { config: EMPTY_PROJECT, diagnostics };
  if (!root) return { config: EMPTY_PROJECT, diagnostics: [error(file, positionOf(parsed, parsed.doc.contents), 'the project file must be a mapping of sections: defaults, chronos, kubernetes, handoff')] };

  const sections: Record<string, Record<string, unknown>> = { defaults: {}, chronos: {}, kubernetes: {}, handoff: {} };
  let resources: Resources | undefined;
  for (const { key, pair, value } of pairsOf(parsed, root)) {
    const allowed = SECTIONS[key];
    if (!allowed) {
      diagnostics.push(error(file, positionOf(parsed, pair.key as never), unknownNameMessage(key, Object.keys(SECTIONS), 'section')));
      continue;
    }
    const map = asMap(parsed, value);
    if (!map) {
      diagnostics.push(error(file, positionOf(parsed, value), `${key} must be a mapping`));
      continue;
    }
    for (const entry of pairsOf(parsed, map)) {
      if (!allowed.includes(entry.key)) {
        diagnostics.push(error(file, positionOf(parsed, entry.pair.key as never), unknownNameMessage(`${key}.${entry.key}`, allowed.map((a) => `${key}.${a}`), 'field')));
      } else if (key === 'defaults' && entry.key === 'resources') {
        resources = readResources(parsed, file, entry.value, 'defaults.resources', diagnostics);
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
    chronos: { url: optionalString(sections.chronos.url), apiPrefix: optionalString(sections.chronos.apiPrefix) },
    kubernetes: { context: optionalString(sections.kubernetes.context), namespace: optionalString(sections.kubernetes.namespace) },
    handoff: { guardSeconds: guard ?? 30 },
  };
  return { config, diagnostics };
}

function checkScalar(src: ParsedYaml, file: string, field: string, node: unknown, out: Diagnostic[]): void {
  const v = scalarValue(node as never);
  if (v === undefined || v === null || typeof v === 'object') out.push(error(file, positionOf(src, node as never), `${field} must be a single value`));
}

function optionalString(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

