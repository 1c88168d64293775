/**
 * What the rest of the code knows of a backend before loading it: its name and how operators
 * write it, its section of `migrate.yaml` and the global flags its connection reads. Each backend
 * declares this in `backends/<name>/identity.ts`; `backends/names.ts` lists them, so that parsing
 * definitions, the project file and the command line never names a backend, and never loads one.
 */

/** A backend's own name, as the registry (`backends/index.ts`) keys it. */
export type BackendName = string;

/** A global option that a backend's connection reads (every command takes it). */
export interface BackendFlag {
  /** The long name, without dashes. */
  readonly name: string;
  readonly describe: string;
  /** What to give, said when the flag comes without a value. */
  readonly hint: string;
}

export interface BackendIdentity {
  readonly name: BackendName;
  /** As prose names it. */
  readonly title: string;
  /** Other ways operators may write the name (any case). */
  readonly aliases: readonly string[];
  /** The keys of its own section of `migrate.yaml`, the section named after the backend. */
  readonly projectKeys: readonly string[];
  readonly flags: readonly BackendFlag[];
  /** How long its client waits for one request by default (`--request-timeout` overrides it). */
  readonly requestTimeoutSeconds: number;
  /**
   * The definition format borrows this backend's notations (cron as its controller reads it,
   * resource quantities, label syntax): messages about them name it. Exactly one backend is.
   */
  readonly native?: boolean;
  /** Whether it can replace a running run with the next one (`concurrency: replace`). */
  readonly replacesRuns: boolean;
  /**
   * The fields of its own object a definition may set under `specific.<name>` (docs/format.md),
   * those no other backend has; its lint checks their values. None: it takes no such section.
   */
  readonly specificFields?: readonly string[];
  /** Why this backend could not hold a job of this name, if it could not: checked for every backend. */
  nameProblems?(name: string): readonly string[];
}

/** Every backend the registry holds, as definitions, the project file and the command line name them. */
export interface BackendNames {
  /** In the registry's order (the order of status columns and of reads). */
  readonly identities: readonly BackendIdentity[];
  /** A name as written (any case, or an alias) as the backend's own name. */
  parse(written: string): BackendName | undefined;
  /** Every name and alias, for a format that writes the backend as a key. */
  readonly spellings: readonly string[];
  /** For messages: `a, b (b2)`. */
  readonly listed: string;
  /** The backend whose notations the definition format borrows (`BackendIdentity.native`). */
  readonly native: BackendIdentity;
}

export function backendNames(identities: readonly BackendIdentity[]): BackendNames {
  const byWritten = new Map<string, BackendName>();
  for (const identity of identities) {
    for (const written of [identity.name, ...identity.aliases]) byWritten.set(written.toLowerCase(), identity.name);
  }
  const native = identities.find((i) => i.native);
  if (!native) throw new Error('no backend declares native: the definition format borrows one backend\'s notations');
  return {
    identities,
    native,
    parse: (written) => byWritten.get(written.trim().toLowerCase()),
    spellings: [...byWritten.keys()],
    listed: identities.map((i) => (i.aliases.length ? `${i.name} (${i.aliases.join(', ')})` : i.name)).join(', '),
  };
}

