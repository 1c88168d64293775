/** Readers for the structured fields of a definition, shared by job files and `migrate.yaml`. */
import type { Node } from 'yaml';
import type { Diagnostic } from './errors.js';
import type { EnvValue, ResourceAmounts, Resources } from './job.js';
import { isValidQuantity } from './quantity.js';
import { unknownNameMessage } from './suggest.js';
import { asMap, error, kindOf, pairsOf, positionOf, scalarValue, type ParsedYaml } from './yaml-source.js';

const RESOURCE_KINDS = ['requests', 'limits'] as const;
const RESOURCE_NAMES = ['cpu', 'memory', 'disk'] as const;

/** `notation`: whose quantity grammar the values follow, as messages name it. */
export function readResources(src: ParsedYaml, file: string, node: Node | null, field: string, notation: string, out: Diagnostic[]): Resources | undefined {
  const map = asMap(src, node);
  if (!map) {
    out.push(error(file, positionOf(src, node), `${field} must be a mapping with requests and/or limits, found ${kindOf(node)}`));
    return undefined;
  }
  const result: Record<string, ResourceAmounts> = {};
  for (const { key, pair, value } of pairsOf(src, map)) {
    if (!(RESOURCE_KINDS as readonly string[]).includes(key)) {
      out.push(error(file, positionOf(src, pair.key as Node), unknownNameMessage(`${field}.${key}`, RESOURCE_KINDS.map((k) => `${field}.${k}`))));
      continue;
    }
    const amounts = asMap(src, value);
    if (!amounts) {
      out.push(error(file, positionOf(src, value), `${field}.${key} must be a mapping of cpu, memory, disk`));
      continue;
    }
    const entry: Record<string, string> = {};
    for (const item of pairsOf(src, amounts)) {
      const path = `${field}.${key}.${item.key}`;
      if (!(RESOURCE_NAMES as readonly string[]).includes(item.key)) {
        out.push(error(file, positionOf(src, item.pair.key as Node), unknownNameMessage(path, RESOURCE_NAMES.map((n) => `${field}.${key}.${n}`))));
        continue;
      }
      const raw = scalarValue(item.value);
      const text = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : undefined;
      if (text === undefined || !isValidQuantity(text) || text.startsWith('-')) {
        out.push(error(file, positionOf(src, item.value), `${path}: "${String(raw)}" is not a ${notation} quantity; write e.g. ${item.key === 'cpu' ? '0.5 or 500m' : '128Mi, 128M or 1Gi'}`));
        continue;
      }
      entry[item.key] = text;
    }
    result[key] = entry;
  }
  return result;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function readEnv(src: ParsedYaml, file: string, node: Node | null, out: Diagnostic[]): Record<string, EnvValue> {
  const map = asMap(src, node);
  if (!map) {
    out.push(error(file, positionOf(src, node), `env must be a mapping of NAME: value, found ${kindOf(node)}`));
    return {};
  }
  const env: Record<string, EnvValue> = {};
  for (const { key, pair, value } of pairsOf(src, map)) {
    if (!ENV_NAME.test(key)) {
      out.push(error(file, positionOf(src, pair.key as Node), `env name "${key}" is not a valid variable name (letters, digits, _ . -; not starting with a digit)`));
      continue;
    }
    const ref = asMap(src, value);
    if (ref) {
      const secret = readSecretRef(src, file, ref, key, out);
      if (secret) env[key] = secret;
      continue;
    }
    const raw = scalarValue(value);
    if (raw === undefined || raw === null || typeof raw === 'object') {
      out.push(error(file, positionOf(src, value), `env.${key} must be a string, or {secretKeyRef: {name, key}}`));
      continue;
    }
    env[key] = String(raw);
  }
  return env;
}

function readSecretRef(src: ParsedYaml, file: string, map: import('yaml').YAMLMap, envName: string, out: Diagnostic[]): EnvValue | undefined {
  const items = pairsOf(src, map);
  const ref = items.find((i) => i.key === 'secretKeyRef');
  const inner = ref ? asMap(src, ref.value) : undefined;
  if (items.length !== 1 || !inner) {
    out.push(error(file, positionOf(src, map), `env.${envName}: a structured value must be {secretKeyRef: {name: <secret>, key: <key>}}`));
    return undefined;
  }
  const fields = Object.fromEntries(pairsOf(src, inner).map((i) => [i.key, scalarValue(i.value)]));
  if (typeof fields.name !== 'string' || typeof fields.key !== 'string') {
    out.push(error(file, positionOf(src, inner), `env.${envName}.secretKeyRef needs both name and key`));
    return undefined;
  }
  return { secretKeyRef: { name: fields.name, key: fields.key } };
}

