/**
 * Reads one job file into a JobDefinition, reporting every structural problem with its position.
 * Two formats load: the canonical one (`backend:` + `schedule:`), and the original migration's
 * format, where the backend is implied by a block named after it (`<backend>: {schedule: ...}`).
 * Semantic checks that need schedule math or several files live in `lint.ts`.
 */
import { isSeq, type Node } from 'yaml';
import type { BackendNames } from './backend-names.js';
import { parseDuration } from './duration.js';
import type { Diagnostic } from './errors.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_NAMESPACE,
  DEFAULT_RETRIES,
  DEFAULT_STARTING_DEADLINE_SECONDS,
  DEFAULT_TIMEZONE,
  type BackendName,
  type Concurrency,
  type HostVolume,
  type JobDefinition,
  type SpecificFields,
  type Resources,
} from './job.js';
import { projectNamespace, type ProjectConfig } from './project.js';
import { readEnv, readResources } from './definition-fields.js';
import { suggest } from './suggest.js';
import { asMap, deref, error, kindOf, pairsOf, parseYamlSource, positionOf, scalarValue, type ParsedYaml, type Position } from './yaml-source.js';

export type DefinitionFormat = 'canonical' | 'block';

export interface LoadedDefinition {
  readonly file: string;
  readonly job: JobDefinition;
  readonly format: DefinitionFormat;
  /** Where each top-level field (and `schedule`, wherever it was written) stands in the file. */
  readonly positions: Readonly<Record<string, Position>>;
}

/**
 * A file that did not load, with what did read: linted too, so that one problem does not hide
 * another. Fields are filled from the defaults as for a loaded job; required ones may be missing.
 */
export interface UnloadedDefinition {
  readonly file: string;
  readonly job: Partial<JobDefinition>;
  readonly positions: Readonly<Record<string, Position>>;
  /** Fields written in the file whose value could not be read (their problem is already reported). */
  readonly unreadable: ReadonlySet<string>;
}

export const JOB_FIELDS = [
  'name', 'backend', 'schedule', 'timezone', 'command', 'image', 'env', 'resources', 'retries',
  'concurrency', 'startingDeadline', 'owner', 'tier', 'description', 'labels', 'namespace', 'paused',
  'pullPolicy', 'network', 'volumes', 'specific',
] as const;
const BLOCK_FIELDS = ['schedule', 'timezone'] as const;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function readDefinition(file: string, text: string, project: ProjectConfig): { definition?: LoadedDefinition; unloaded?: UnloadedDefinition; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text);
  if (Array.isArray(parsed)) return { diagnostics: parsed };
  const root = asMap(parsed, parsed.doc.contents);
  if (!root) {
    return { diagnostics: [error(file, positionOf(parsed, parsed.doc.contents), `a job definition must be a mapping of fields (name, schedule, command, ...), found ${kindOf(parsed.doc.contents)}`)] };
  }
  const out: Diagnostic[] = [];
  const positions: Record<string, Position> = {};
  const fields: Record<string, Node | null> = {};
  let block: { backend: BackendName; key: string; node: Node | null } | undefined;
  /** Fields a typo probably meant: a typo already reported is not reported again as "missing". */
  const meant = new Set<string>();
  const backends = project.backends;
  const backendNames = backends.identities.map((b) => b.name);

  for (const { key, pair, value } of pairsOf(parsed, root)) {
    const at = positionOf(parsed, pair.key as Node);
    if (backends.spellings.includes(key)) {
      if (block) {
        out.push(error(file, at, `both "${block.key}:" and "${key}:" blocks are present; a job runs in exactly one place, so keep one`));
        continue;
      }
      block = { backend: backends.parse(key)!, key, node: value };
      positions[key] = at;
      continue;
    }
    if (!(JOB_FIELDS as readonly string[]).includes(key)) {
      const guess = suggest(key, [...JOB_FIELDS, ...backendNames]);
      if (guess) meant.add(guess);
      out.push(error(file, at, `unknown field "${key}"${guess ? `; did you mean "${guess}"?` : `; known fields: ${JOB_FIELDS.join(', ')}`}`));
      continue;
    }
    fields[key] = value;
    positions[key] = positionOf(parsed, value ?? (pair.key as Node));
  }

  if (block) readBlock(parsed, file, block, fields, positions, out);
  const rootAt = positionOf(parsed, root);
  const at = (field: string) => positions[field] ?? rootAt;
  const str = (field: string, node: Node | null | undefined) => readString(parsed, file, field, node, out);

  /** Fields written but unreadable: lint leaves them alone, and checks every other field. */
  const unreadable = new Set<string>();
  const read = <T>(field: string, value: () => T): T => {
    const before = out.length;
    const v = value();
    if (out.length > before) unreadable.add(field);
    return v;
  };

  const name = read('name', () => str('name', fields.name));
  if (fields.name === undefined && !meant.has('name')) out.push(error(file, rootAt, 'missing required field "name" (the job\'s name, a DNS-1123 label of at most 52 characters)'));

  const backend = read('backend', (): BackendName | undefined => {
    if (fields.backend === undefined) return block?.backend;
    const text = str('backend', fields.backend);
    const parsedBackend = text === undefined ? undefined : backends.parse(text);
    if (text !== undefined && !parsedBackend) out.push(error(file, at('backend'), `backend "${text}" is not one of ${backends.listed}`));
    if (block && parsedBackend && parsedBackend !== block.backend) {
      out.push(error(file, at('backend'), `backend: ${text} contradicts the "${block.key}:" block; keep one of them`));
    }
    return parsedBackend ?? block?.backend;
  });
  if (fields.backend === undefined && !block && !meant.has('backend') && !backendNames.some((b) => meant.has(b))) {
    out.push(error(file, rootAt, `missing "backend" (${backendNames.join(' or ')}): say where the job runs now`));
  }

  const schedule = read('schedule', () => str('schedule', fields.schedule));
  if (fields.schedule === undefined && !meant.has('schedule')) out.push(error(file, block ? positions[block.key] : rootAt, `missing required field "schedule" (5-field cron, e.g. "15 */2 * * *")${block ? ` in the "${block.key}:" block` : ''}`));

  const command = read('command', () => readCommand(parsed, file, fields.command, out));
  if (fields.command === undefined && !meant.has('command')) out.push(error(file, rootAt, 'missing required field "command" (a list of arguments, or a string run by /bin/sh -c)'));

  const retries = fields.retries === undefined ? undefined : read('retries', () => readInteger(parsed, file, 'retries', fields.retries ?? null, out));
  const concurrency = fields.concurrency === undefined ? undefined : read('concurrency', () => readConcurrency(parsed, file, fields.concurrency ?? null, backends, out));
  let startingDeadlineSeconds: number | undefined;
  if (fields.startingDeadline !== undefined) {
    const raw = scalarValue(fields.startingDeadline);
    startingDeadlineSeconds = typeof raw === 'string' || typeof raw === 'number' ? parseDuration(raw) : undefined;
    if (startingDeadlineSeconds === undefined) {
      unreadable.add('startingDeadline');
      out.push(error(file, at('startingDeadline'), `startingDeadline: "${String(raw)}" is not a duration; write e.g. 20m, 90s or 1h`));
    }
  }
  const resources: Resources | undefined = fields.resources === undefined ? undefined : read('resources', () => readResources(parsed, file, fields.resources ?? null, 'resources', backends.native.title, out));
  const env = fields.env === undefined ? {} : read('env', () => readEnv(parsed, file, fields.env ?? null, out));
  const labels = fields.labels === undefined ? {} : read('labels', () => readLabels(parsed, file, fields.labels ?? null, backends, out));
  const optional = (field: string) => read(field, () => str(field, fields[field]));
  const timezone = optional('timezone');
  // `image: null` says "no image", even where migrate.yaml has a default one.
  const noImage = fields.image === null || (fields.image !== undefined && scalarValue(fields.image) === null);
  const image = noImage ? undefined : optional('image');
  const pullPolicy = fields.pullPolicy === undefined ? undefined : read('pullPolicy', () => readChoice(parsed, file, 'pullPolicy', fields.pullPolicy ?? null, PULL_POLICIES, out));
  const network = fields.network === undefined ? undefined : read('network', () => readChoice(parsed, file, 'network', fields.network ?? null, NETWORKS, out));
  const volumes = fields.volumes === undefined ? undefined : read('volumes', () => readVolumes(parsed, file, fields.volumes ?? null, out));
  // Not `read`: a key out of place leaves the rest of the section to the backends' checks.
  const specific = fields.specific === undefined ? undefined : readSpecific(parsed, file, fields.specific ?? null, backends, out);
  if (fields.specific) Object.assign(positions, nestedPositions(parsed, 'specific', fields.specific));
  if (fields.env) Object.assign(positions, nestedPositions(parsed, 'env', fields.env));
  if (fields.volumes) Object.assign(positions, nestedPositions(parsed, 'volumes', fields.volumes));
  if (fields.resources) Object.assign(positions, nestedPositions(parsed, 'resources', fields.resources));
  const owner = optional('owner');
  const description = optional('description');
  const tier = optional('tier');
  const namespace = optional('namespace');
  const paused = fields.paused === undefined ? undefined : read('paused', () => readBoolean(parsed, file, 'paused', fields.paused ?? null, out));

  const d = project.defaults;
  const job = {
    name,
    backend,
    schedule,
    timezone: timezone ?? d.timezone ?? DEFAULT_TIMEZONE,
    command,
    image: noImage ? undefined : image ?? d.image,
    ...(pullPolicy ? { pullPolicy } : {}),
    ...(network ? { network } : {}),
    ...(volumes?.length ? { volumes } : {}),
    ...(specific && Object.keys(specific).length ? { specific } : {}),
    env,
    resources: resources ?? d.resources ?? {},
    retries: retries ?? d.retries ?? DEFAULT_RETRIES,
    concurrency: concurrency ?? d.concurrency ?? DEFAULT_CONCURRENCY,
    startingDeadlineSeconds: startingDeadlineSeconds ?? d.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS,
    owner,
    description,
    tier,
    labels,
    namespace: namespace ?? projectNamespace(project) ?? DEFAULT_NAMESPACE,
    ...(paused ? { paused } : {}),
  };
  if (out.length > 0 || name === undefined || backend === undefined || schedule === undefined || command === undefined) {
    return { unloaded: { file, job, positions, unreadable }, diagnostics: out };
  }
  return { definition: { file, job: { ...job, name, backend, schedule, command }, format: block ? 'block' : 'canonical', positions }, diagnostics: out };
}

function readBlock(
  src: ParsedYaml,
  file: string,
  block: { key: string; node: Node | null },
  fields: Record<string, Node | null>,
  positions: Record<string, Position>,
  out: Diagnostic[],
): void {
  const map = asMap(src, block.node);
  if (!map) {
    out.push(error(file, positions[block.key], `"${block.key}:" must be a mapping holding the schedule, e.g. ${block.key}: {schedule: '15 */2 * * *'}`));
    return;
  }
  for (const { key, pair, value } of pairsOf(src, map)) {
    const at = positionOf(src, pair.key as Node);
    if (!(BLOCK_FIELDS as readonly string[]).includes(key)) {
      const guess = suggest(key, [...BLOCK_FIELDS]);
      out.push(error(file, at, `unknown field "${block.key}.${key}"${guess ? `; did you mean "${block.key}.${guess}"?` : `; a "${block.key}:" block holds ${BLOCK_FIELDS.join(' and ')}`}`));
      continue;
    }
    if (fields[key] !== undefined) {
      out.push(error(file, at, `${key} is set both at the top level and in the "${block.key}:" block; keep one`));
      continue;
    }
    fields[key] = value;
    positions[key] = positionOf(src, value ?? (pair.key as Node));
  }
}

function readString(src: ParsedYaml, file: string, field: string, node: Node | null | undefined, out: Diagnostic[]): string | undefined {
  if (node === undefined) return undefined;
  const v = scalarValue(node);
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && field !== 'name') return String(v);
  out.push(error(file, positionOf(src, node), `${field} must be a non-empty string, found ${kindOf(node)}`));
  return undefined;
}

function readCommand(src: ParsedYaml, file: string, node: Node | null | undefined, out: Diagnostic[]): readonly string[] | string | undefined {
  if (node === undefined) return undefined;
  const v = scalarValue(node);
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (isSeq(node)) {
    const argv: string[] = [];
    for (const item of node.items) {
      const value = scalarValue(item as Node);
      if (typeof value !== 'string' && typeof value !== 'number') {
        out.push(error(file, positionOf(src, item as Node), 'every element of command must be a string'));
        return undefined;
      }
      argv.push(String(value));
    }
    if (argv.length > 0 && argv[0] !== '') return argv;
  }
  out.push(error(file, positionOf(src, node), 'command must be a non-empty list of arguments (run without a shell), or a string (run by /bin/sh -c)'));
  return undefined;
}

function readInteger(src: ParsedYaml, file: string, field: string, node: Node | null, out: Diagnostic[]): number | undefined {
  const v = scalarValue(node);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  out.push(error(file, positionOf(src, node), `${field} must be a whole number of at least 0, found ${JSON.stringify(v ?? null)}`));
  return undefined;
}

function readBoolean(src: ParsedYaml, file: string, field: string, node: Node | null, out: Diagnostic[]): boolean | undefined {
  const v = scalarValue(node);
  if (typeof v === 'boolean') return v;
  out.push(error(file, positionOf(src, node), `${field} must be true or false, found ${JSON.stringify(v ?? null)}`));
  return undefined;
}

const PULL_POLICIES = ['always', 'if-not-present', 'never'] as const;
const NETWORKS = ['host', 'bridge'] as const;

function readChoice<T extends string>(src: ParsedYaml, file: string, field: string, node: Node | null, choices: readonly T[], out: Diagnostic[]): T | undefined {
  const v = scalarValue(node);
  const found = choices.find((c) => typeof v === 'string' && c === v.toLowerCase());
  if (found) return found;
  out.push(error(file, positionOf(src, node), `${field} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, found ${JSON.stringify(v ?? null)}`));
  return undefined;
}

function readVolumes(src: ParsedYaml, file: string, node: Node | null, out: Diagnostic[]): HostVolume[] | undefined {
  const shape = 'volumes must be a list of {hostPath, mountPath, readOnly}';
  if (!isSeq(node)) {
    out.push(error(file, positionOf(src, node), `${shape}, found ${kindOf(node)}`));
    return undefined;
  }
  const volumes: HostVolume[] = [];
  const mounted = new Set<string>();
  for (const [i, item] of node.items.entries()) {
    const map = asMap(src, item);
    if (!map) {
      out.push(error(file, positionOf(src, item as Node), `${shape}; volumes[${i}] is ${kindOf(item as Node)}`));
      continue;
    }
    const v: Record<string, unknown> = {};
    for (const { key, pair, value } of pairsOf(src, map)) {
      if (!['hostPath', 'mountPath', 'readOnly'].includes(key)) {
        out.push(error(file, positionOf(src, pair.key as Node), unknownKeyMessage(`volumes[${i}]`, key, ['hostPath', 'mountPath', 'readOnly'])));
        continue;
      }
      const raw = scalarValue(value);
      if (key === 'readOnly' ? typeof raw !== 'boolean' : typeof raw !== 'string' || !raw.startsWith('/')) {
        out.push(error(file, positionOf(src, value), key === 'readOnly' ? `volumes[${i}].readOnly must be true or false` : `volumes[${i}].${key} must be an absolute path`));
        continue;
      }
      v[key] = raw;
    }
    if (typeof v.hostPath !== 'string' || typeof v.mountPath !== 'string') {
      if (Object.keys(v).length === pairsOf(src, map).length) out.push(error(file, positionOf(src, map), `volumes[${i}] needs both hostPath and mountPath`));
      continue;
    }
    if (mounted.has(v.mountPath)) out.push(error(file, positionOf(src, map), `volumes[${i}]: ${v.mountPath} is mounted twice`));
    mounted.add(v.mountPath);
    volumes.push({ hostPath: v.hostPath, mountPath: v.mountPath, ...(v.readOnly === true ? { readOnly: true } : {}) });
  }
  return volumes;
}

/** `specific:` holds a mapping per backend, of the keys that backend declares (`specificFields`); each backend's lint checks the values. */
function readSpecific(src: ParsedYaml, file: string, node: Node | null, backends: BackendNames, out: Diagnostic[]): Record<BackendName, SpecificFields> | undefined {
  const map = asMap(src, node);
  if (!map) {
    out.push(error(file, positionOf(src, node), `specific must be a mapping of backend: {field: value}, found ${kindOf(node)}`));
    return undefined;
  }
  const specific: Record<BackendName, SpecificFields> = {};
  for (const { key, pair, value } of pairsOf(src, map)) {
    const backend = backends.parse(key);
    const identity = backends.identities.find((b) => b.name === backend);
    if (!identity) {
      out.push(error(file, positionOf(src, pair.key as Node), `specific.${key}: "${key}" is not one of ${backends.listed}`));
      continue;
    }
    const fields = asMap(src, value);
    if (!fields) {
      out.push(error(file, positionOf(src, value), `specific.${key} must be a mapping of ${identity.title} fields, found ${kindOf(value)}`));
      continue;
    }
    const known = identity.specificFields ?? [];
    const section: Record<string, unknown> = {};
    for (const item of pairsOf(src, fields)) {
      if (!known.includes(item.key)) {
        const where = positionOf(src, item.pair.key as Node);
        out.push(error(file, where, known.length ? unknownKeyMessage(`specific.${key}`, item.key, known) : `specific.${key}: ${identity.title} has no fields of its own to set here`));
        continue;
      }
      section[item.key] = item.value === null ? null : (item.value.toJSON() as unknown);
    }
    specific[identity.name] = section;
  }
  return specific;
}

/** `unknown field "<parent>.<key>"`, with the key of `known` probably meant (compared key to key, not whole paths). */
function unknownKeyMessage(parent: string, key: string, known: readonly string[]): string {
  const guess = suggest(key, known);
  return `unknown field "${parent}.${key}"${guess ? `; did you mean "${parent}.${guess}"?` : ` (known: ${known.join(', ')})`}`;
}

/** Where each entry of a nested field stands (`env.API_TOKEN`, `volumes[0].hostPath`, `specific.<backend>.constraints`), for findings about one entry. */
function nestedPositions(src: ParsedYaml, path: string, node: Node | null, depth = 3): Record<string, Position> {
  const out: Record<string, Position> = {};
  if (depth === 0) return out;
  const map = asMap(src, node);
  if (map) {
    for (const { key, pair, value } of pairsOf(src, map)) {
      out[`${path}.${key}`] = positionOf(src, value ?? (pair.key as Node));
      Object.assign(out, nestedPositions(src, `${path}.${key}`, value, depth - 1));
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      out[`${path}[${i}]`] = positionOf(src, item as Node);
      Object.assign(out, nestedPositions(src, `${path}[${i}]`, deref(src, item), depth - 1));
    }
  }
  return out;
}

function readConcurrency(src: ParsedYaml, file: string, node: Node | null, backends: BackendNames, out: Diagnostic[]): Concurrency | undefined {
  const v = scalarValue(node);
  const text = typeof v === 'string' ? v.toLowerCase() : undefined;
  if (text === 'allow' || text === 'forbid' || text === 'replace') return text;
  const replacing = backends.identities.filter((b) => b.replacesRuns);
  const only = replacing.length < backends.identities.length ? ` (${replacing.map((b) => b.title).join(', ')} only)` : '';
  out.push(error(file, positionOf(src, node), `concurrency must be allow, forbid or replace${only}, found ${JSON.stringify(v ?? null)}`));
  return undefined;
}

function readLabels(src: ParsedYaml, file: string, node: Node | null, backends: BackendNames, out: Diagnostic[]): Record<string, string> {
  const map = asMap(src, node);
  if (!map) {
    out.push(error(file, positionOf(src, node), `labels must be a mapping of key: value, found ${kindOf(node)}`));
    return {};
  }
  const labels: Record<string, string> = {};
  for (const { key, pair, value } of pairsOf(src, map)) {
    const v = scalarValue(value);
    const text = v === null || v === undefined ? '' : String(v);
    if (!LABEL_KEY.test(key)) out.push(error(file, positionOf(src, pair.key as Node), `label key "${key}" is not a valid ${backends.native.title} label key`));
    else if (typeof v === 'object' && v !== null) out.push(error(file, positionOf(src, value), `label ${key} must be a single value`));
    else if (!LABEL_VALUE.test(text) || text.length > 63) out.push(error(file, positionOf(src, value), `label ${key}: "${text}" is not a valid label value (at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`));
    else labels[key] = text;
  }
  return labels;
}
