/**
 * What `readDefinition` made of each job file, kept between runs so that a folder of hundreds of
 * definitions is not parsed again while its files do not change (`status` and `validate` of a
 * whole folder spend most of their own time in the YAML parser otherwise).
 *
 * Stored outside the project, in `$XDG_CACHE_HOME/migrate` (else `$HOME/.cache/migrate`; no cache
 * when neither is set), one file per jobs folder, project file and build of this CLI. An entry is
 * used only when the file has the same device, inode, size, mtime and ctime (nanoseconds) as when
 * it was read, the same name as shown, and was last changed well before the cache was written (so
 * that a write in the same clock tick as the read cannot hide: git's "racily clean" rule). A missing,
 * unreadable or damaged cache is no cache; a cache that cannot be written is not written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { readDefinition } from '../core/definition.js';
import type { CliIO } from './io.js';

export type ReadResult = ReturnType<typeof readDefinition>;

export interface DefinitionCache {
  /** What the file read as last time, when it has not changed since; undefined otherwise. */
  lookup(file: string, display: string, stat: fs.BigIntStats): ReadResult | undefined;
  remember(file: string, display: string, stat: fs.BigIntStats, result: ReadResult): void;
  /** Writes the cache when it learnt something; `seen` only: entries of files not read this time are dropped. */
  save(options: { readonly seenOnly: boolean }): void;
}

interface Entry {
  readonly display: string;
  /** dev, ino, size, mtimeNs, ctimeNs as decimal strings. */
  readonly stamp: string;
  readonly result: ReadResult;
}

interface CacheFile {
  readonly entries: Record<string, Entry>;
}

/** A file changed less than this before the cache was written may have changed again unseen. */
const RACY_NS = 2_000_000_000n;
const FORMAT = 'migrate-definitions-1';

const NO_CACHE: DefinitionCache = { lookup: () => undefined, remember: () => undefined, save: () => undefined };

/** The cache of one jobs folder read with one project file (its text, or none). */
export function openDefinitionCache(io: CliIO, jobsDir: string, projectText: string | undefined): DefinitionCache {
  const base = io.env.XDG_CACHE_HOME || (io.env.HOME ? path.join(io.env.HOME, '.cache') : undefined);
  if (!base || !path.isAbsolute(base)) return NO_CACHE;
  let build: string;
  try {
    build = buildStamp();
  } catch {
    return NO_CACHE;
  }
  const key = createHash('sha256').update(`${FORMAT}\0${build}\0${jobsDir}\0${io.cwd}\0${projectText ?? '\0none'}`).digest('hex').slice(0, 32);
  const dir = path.join(base, 'migrate');
  const file = path.join(dir, `definitions-${key}.json`);
  const { entries: old, writtenNs } = readCacheFile(file);
  const fresh = new Map<string, Entry>();
  let learnt = false;
  return {
    lookup(job, display, stat) {
      const entry = old.get(job);
      if (!entry || entry.display !== display || entry.stamp !== stampOf(stat) || stat.mtimeNs + RACY_NS >= writtenNs || stat.ctimeNs + RACY_NS >= writtenNs) return undefined;
      const result = revived(entry.result) as ReadResult;
      fresh.set(job, { ...entry, result });
      return result;
    },
    remember(job, display, stat, result) {
      // Only what reads back exactly as it was (plain data: no Set, no -0).
      if (!isDeepStrictEqual(revived(JSON.parse(encode(result))), result)) return;
      fresh.set(job, { display, stamp: stampOf(stat), result });
      learnt = true;
    },
    save({ seenOnly }) {
      if (!learnt && (!seenOnly || fresh.size === old.size)) return;
      const entries: Record<string, Entry> = seenOnly ? {} : Object.fromEntries(old);
      for (const [job, entry] of fresh) entries[job] = entry;
      const body: CacheFile = { entries };
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(tmp, `${FORMAT}\n${encode(body)}`, { mode: 0o600 });
        fs.renameSync(tmp, file);
        pruneOldest(dir, file);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // nowhere to write: nothing was written
        }
      }
    },
  };
}

/** JSON has no undefined: a field present with no value (a job's unset `tier`) is written as this. */
const UNDEFINED = { '\u0000undefined': true } as const;

function isUndefinedMark(x: unknown): boolean {
  return isRecord(x) && x['\u0000undefined'] === true && Object.keys(x).length === 1;
}

function encode(x: unknown): string {
  return JSON.stringify(x, (_key, value: unknown) => (value === undefined ? UNDEFINED : value));
}

/** The stored form back as `readDefinition` returned it (in place). */
function revived(x: unknown): unknown {
  if (isUndefinedMark(x)) return undefined;
  if (Array.isArray(x)) for (let i = 0; i < x.length; i++) x[i] = revived(x[i]);
  else if (isRecord(x)) for (const k of Object.keys(x)) x[k] = revived(x[k]);
  return x;
}

/** Folders come and go (a checkout per branch, temporary ones): the cache keeps the most recently written files. */
const KEPT_FILES = 8;

function pruneOldest(dir: string, keep: string): void {
  const caches = fs
    .readdirSync(dir)
    .filter((f) => /^definitions-[0-9a-f]+\.json$/.test(f))
    .map((f) => path.join(dir, f))
    .filter((f) => f !== keep);
  if (caches.length < KEPT_FILES) return;
  const written = new Map(caches.map((f) => [f, fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0]));
  caches.sort((a, b) => written.get(b)! - written.get(a)!);
  for (const f of caches.slice(KEPT_FILES - 1)) fs.rmSync(f, { force: true });
}

function stampOf(stat: fs.BigIntStats): string {
  return `${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}`;
}

/** This build of the CLI (the module's own file, rewritten by every build) and of the YAML parser. */
function buildStamp(): string {
  const own = fs.statSync(fileURLToPath(import.meta.url), { bigint: true });
  const yaml = fs.statSync(createRequire(import.meta.url).resolve('yaml'), { bigint: true });
  return `${process.version} ${own.size} ${own.mtimeNs} ${yaml.size} ${yaml.mtimeNs}`;
}

function readCacheFile(file: string): { entries: Map<string, Entry>; writtenNs: bigint } {
  const none = { entries: new Map<string, Entry>(), writtenNs: 0n };
  try {
    const writtenNs = fs.statSync(file, { bigint: true }).mtimeNs;
    const text = fs.readFileSync(file, 'utf8');
    if (!text.startsWith(`${FORMAT}\n`)) return none;
    const body: unknown = JSON.parse(text.slice(FORMAT.length + 1));
    const entries = new Map<string, Entry>();
    if (!isRecord(body) || !isRecord(body.entries)) return none;
    for (const [job, entry] of Object.entries(body.entries)) if (isEntry(entry)) entries.set(job, entry);
    return { entries, writtenNs };
  } catch {
    return none;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isEntry(x: unknown): x is Entry {
  if (!isRecord(x) || typeof x.display !== 'string' || typeof x.stamp !== 'string' || !isRecord(x.result)) return false;
  const { definition, unloaded, diagnostics } = x.result;
  return Array.isArray(diagnostics) && unloaded === undefined && (definition === undefined || (isRecord(definition) && isRecord(definition.job) && isRecord(definition.positions) && typeof definition.file === 'string'));
}
