/**
 * LIVE vs DESIRED, after kubectl diff (`pkg/cmd/diff/diff.go`): both sides arrive normalised by
 * their backend (server-owned fields stripped, defaults filled, schedules rewritten at each run reduced
 * to their grid), secrets are masked here, and the result is a unified diff of the one YAML writer's
 * output. Pure: no I/O, no clock; colour only when the caller asks for it.
 */
import { MASK } from './secrets.js';
import { createTwoFilesPatch } from 'diff';
import { isSecretEnvName } from './job.js';
import { sortKeys } from './same-object.js';
import { toYaml } from './yaml-write.js';

export { sameObject, sortKeys } from './same-object.js';

export interface LiveDiffInput {
  /** e.g. `LIVE <backend>/nightly-report` (`Backend.livePath`). */
  readonly liveLabel: string;
  /** e.g. `DESIRED <backend>/<scope>/nightly-report`. */
  readonly desiredLabel: string;
  /** Normalised live object; undefined when it does not exist. */
  readonly live: unknown;
  /** Normalised desired object; undefined when it should not exist. */
  readonly desired: unknown;
}

export interface LiveDiff {
  readonly changed: boolean;
  /** The unified diff (empty when unchanged), secrets masked, coloured only if asked. */
  readonly patch: string;
}


/** Where env lists live in the two systems' objects. */
const ENV_KEYS = new Set(['env', 'environmentVariables']);

interface EnvEntry {
  name?: unknown;
  value?: unknown;
  valueFrom?: { secretKeyRef?: unknown };
}

function envEntries(value: unknown, out: EnvEntry[] = []): EnvEntry[] {
  if (Array.isArray(value)) {
    for (const v of value) envEntries(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (ENV_KEYS.has(k) && Array.isArray(v)) {
        for (const e of v) if (typeof e === 'object' && e !== null && typeof (e as EnvEntry).name === 'string') out.push(e as EnvEntry);
      } else envEntries(v, out);
    }
  }
  return out;
}

/**
 * Masks secret env values on both sides, as kubectl masks Secret data: a value named like a secret
 * (*TOKEN*, *SECRET*, *PASSWORD*, *KEY*, ...) or read from a Secret reference on either side becomes
 * `***`; when the two sides' values differ they become `*** (before)` and `*** (after)`, so the
 * change still shows and neither value does. Returns masked copies.
 */
export function maskSecrets<L, D>(live: L, desired: D): [L, D] {
  const l = structuredClone(live);
  const d = structuredClone(desired);
  const liveEnv = envEntries(l);
  const desiredEnv = envEntries(d);
  const secret = new Set<string>();
  for (const e of [...liveEnv, ...desiredEnv]) {
    const name = e.name as string;
    if (isSecretEnvName(name) || e.valueFrom?.secretKeyRef !== undefined) secret.add(name);
  }
  // Read both sides' values before either is masked.
  const values = (entries: EnvEntry[]) => new Map(entries.map((e) => [e.name as string, e.value]));
  const liveValues = values(liveEnv);
  const desiredValues = values(desiredEnv);
  const mask = (entries: EnvEntry[], others: Map<string, unknown>, changedMark: string) => {
    for (const e of entries) {
      if (!secret.has(e.name as string) || e.value === undefined) continue;
      e.value = e.value === others.get(e.name as string) ? MASK : `${MASK} ${changedMark}`;
    }
  };
  mask(liveEnv, desiredValues, '(before)');
  mask(desiredEnv, liveValues, '(after)');
  return [l, d];
}

/** The unified diff of two normalised objects, secrets masked. */
export function diffLive(input: LiveDiffInput, options: { readonly color?: boolean } = {}): LiveDiff {
  const [live, desired] = maskSecrets(input.live, input.desired);
  // Keys sorted on both sides (as kubectl shows them): a server's key order is not a difference.
  const a = live === undefined ? '' : toYaml(sortKeys(live));
  const b = desired === undefined ? '' : toYaml(sortKeys(desired));
  if (a === b) return { changed: false, patch: '' };
  const patch = createTwoFilesPatch(input.liveLabel, input.desiredLabel, a, b, undefined, undefined, { context: 3 })
    // The `Index:`/`===` preamble of the diff package says nothing kubectl's output does not.
    .replace(/^(Index:[^\n]*\n)?=+\n/, '');
  return { changed: true, patch: options.color ? colorizePatch(patch) : patch };
}

const ESC = '\u001b[';
const paint = (code: string, line: string) => `${ESC}${code}m${line}${ESC}0m`;

/** git's colours: headers bold, hunks cyan, removals red, additions green. */
export function colorizePatch(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return paint('1', line);
      if (line.startsWith('@@')) return paint('36', line);
      if (line.startsWith('-')) return paint('31', line);
      if (line.startsWith('+')) return paint('32', line);
      return line;
    })
    .join('\n');
}
