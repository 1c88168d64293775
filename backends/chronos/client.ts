/**
 * A client for a live Chronos (3.x by default, 2.x through the `/scheduler` prefix): every
 * endpoint `migrate` needs, Basic auth and HTTPS, timeouts, retries for idempotent calls, the
 * leader, the server's clock, and errors an operator can act on.
 */
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { ActiveRun } from '../../src/core/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { tlsFailureCode } from '../../src/core/tls.js';
import { isDependentJob, readChronosJob, serializeChronosJob, type ChronosJob } from './model.js';
import { ChronosConfigError, ChronosError, ChronosNotFoundError, ChronosUnavailableError } from './errors.js';
import { chronosIdentity } from './identity.js';

export { ChronosConfigError, ChronosError, ChronosNotFoundError, ChronosUnavailableError } from './errors.js';

export const DEFAULT_CHRONOS_PREFIX = '/v1/scheduler';

export interface ChronosClientOptions {
  /** Base URL, e.g. `http://chronos.example.com:8080`. Credentials in the URL are accepted and moved to auth. */
  readonly url: string;
  /** `/v1/scheduler` (3.x, default) or `/scheduler` (2.x). */
  readonly prefix?: string;
  readonly user?: string;
  readonly password?: string;
  /** Per-request timeout in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Extra attempts for idempotent calls after a connection error or a 5xx. Default 3. */
  readonly retries?: number;
  /** First backoff delay in milliseconds, doubled on each retry. Default 250. */
  readonly backoffMs?: number;
  /** Injected so tests never wait for real. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The local clock, against which the server's `Date` header is measured. */
  readonly clock?: Clock;
  /** Ask `<prefix>/leader` and talk to the leader directly (non-leaders proxy and lose error bodies). Default true. */
  readonly followLeader?: boolean;
  /** Accept a self-signed certificate (HTTPS only). Default false. */
  readonly insecureSkipTlsVerify?: boolean;
}

/** Options from the environment (`MIGRATE_CHRONOS_URL`, `_USER`, `_PASSWORD`, `_PREFIX`), overridden by `overrides`. */
export function chronosOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<ChronosClientOptions> = {},
): ChronosClientOptions {
  const url = overrides.url ?? env.MIGRATE_CHRONOS_URL;
  if (!url) {
    throw new ChronosConfigError('no Chronos URL is configured', 'Set MIGRATE_CHRONOS_URL, pass --chronos-url, or set chronos.url in migrate.yaml.');
  }
  return {
    ...overrides,
    url,
    prefix: overrides.prefix ?? env.MIGRATE_CHRONOS_PREFIX,
    user: overrides.user ?? env.MIGRATE_CHRONOS_USER,
    password: overrides.password ?? env.MIGRATE_CHRONOS_PASSWORD,
  };
}

export interface SearchQuery {
  readonly name?: string;
  readonly command?: string;
  readonly any?: string;
  /** The server's default is 10: callers that want every match must say so. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface ChronosJobSummary {
  readonly name: string;
  readonly status: 'success' | 'failure' | 'fresh';
  /** `idle`, `queued` or `<n> running`. */
  readonly state: string;
  readonly schedule: string;
  readonly parents: readonly string[];
  readonly disabled: boolean;
}

/** One task of `GET /job/stat/{name}`'s `taskStatHistory`, as the server writes it (times in its JVM's zone, no zone printed). */
export interface ChronosTaskStat {
  readonly taskId: string;
  readonly jobName: string;
  readonly slaveId: string;
  /** `MM/dd/yy HH:mm:ss`, or `N/A`. */
  readonly startTime: string;
  /** `MM/dd/yy HH:mm:ss`, or `N/A` while the task runs. */
  readonly endTime: string;
  /** A Joda period (`1m30s`), once the task ended. */
  readonly duration?: string;
  /** `Running`, `Success`, `Fail` (a kill too) or `Idle`. */
  readonly status: string;
}

export interface ChronosJobStat {
  /** The successful tasks' run times in ms, since the leader started. */
  readonly histogram: Readonly<Record<string, number>>;
  /** The newest tasks first, at most the server's --job_history_limit; empty without Cassandra. */
  readonly taskStatHistory: readonly ChronosTaskStat[];
}

interface CallOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  /** Safe to send twice: retried on a connection error or a 5xx. */
  readonly idempotent: boolean;
  /** The job the call is about, for the not-found message. */
  readonly job?: string;
  /** Answer the raw response instead of throwing on these statuses. */
  readonly accept?: readonly number[];
  readonly responseType?: 'json' | 'text';
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

export class ChronosClient {
  readonly name = 'chronos' as const;
  /** The URL as shown in messages: without credentials. */
  readonly displayUrl: string;
  private baseUrl: string;
  private readonly prefix: string;
  private readonly http: AxiosInstance;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly localClock: Clock;
  private readonly timeoutMs: number;
  private leaderResolved: boolean;
  private offsetMs: number | undefined;
  private lastDate: Date | undefined;

  constructor(options: ChronosClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new ChronosConfigError(`the Chronos URL is not a URL: ${redactUrl(options.url)}`, 'Use a full URL such as http://chronos.example.com:8080 (MIGRATE_CHRONOS_URL or --chronos-url).');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ChronosConfigError(`the Chronos URL must start with http:// or https://, not ${parsed.protocol}//`, 'Fix MIGRATE_CHRONOS_URL or --chronos-url.');
    }
    const user = options.user ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined);
    const password = options.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined);
    parsed.username = '';
    parsed.password = '';
    this.baseUrl = parsed.toString().replace(/\/+$/, '');
    this.displayUrl = this.baseUrl;
    this.prefix = `/${(options.prefix ?? DEFAULT_CHRONOS_PREFIX).replace(/^\/+|\/+$/g, '')}`;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.localClock = options.clock ?? { now: () => new Date() };
    this.timeoutMs = options.timeoutMs ?? chronosIdentity.requestTimeoutSeconds * 1000;
    this.leaderResolved = options.followLeader === false;
    this.http = axios.create({
      timeout: this.timeoutMs,
      auth: user !== undefined ? { username: user, password: password ?? '' } : undefined,
      httpsAgent: parsed.protocol === 'https:' ? new https.Agent({ rejectUnauthorized: !options.insecureSkipTlsVerify }) : undefined,
      // Every status comes back as a response: errors are translated here, not by axios.
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      maxRedirects: 0,
      proxy: false,
    });
  }

  // --- BackendClient ----------------------------------------------------------------------

  /** GET /jobs: every job (uris/fetch mirrored by the server; see normalize). */
  async list(): Promise<readonly ChronosJob[]> {
    const res = await this.call('GET', '/jobs', { idempotent: true });
    return asArray(res.data, 'GET /jobs').map((j) => this.toJob(j));
  }

  /** GET /job/{name} (3.x); undefined when the job does not exist. On 2.x, an exact-name search. */
  async read(name: string): Promise<ChronosJob | undefined> {
    if (this.legacyApi) {
      const found = await this.search({ name, limit: 1_000_000 });
      return found.find((j) => j.name === name);
    }
    try {
      const res = await this.call('GET', `/job/${encodeURIComponent(name)}`, { idempotent: true, job: name });
      return this.toJob(res.data);
    } catch (err) {
      if (err instanceof ChronosNotFoundError) return undefined;
      throw err;
    }
  }

  /** Create or replace (the server never conflicts): POST /dependency for jobs with parents, else /iso8601. Returns the job as read back. */
  async apply(job: ChronosJob): Promise<ChronosJob> {
    await this.post(job);
    return (await this.read(job.name)) ?? job;
  }

  /**
   * Re-post the live job with `disabled` toggled, counters and the current (rewritten) schedule
   * kept. Beware: enabling a job whose start lies in the past makes Chronos run it at once.
   */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const live = await this.read(name);
    if (!live) throw this.notFound(name);
    if (live.disabled === !enabled) return;
    await this.post({ ...live, disabled: !enabled });
  }

  async remove(name: string): Promise<void> {
    await this.call('DELETE', `/job/${encodeURIComponent(name)}`, { idempotent: false, job: name });
  }

  /**
   * The running tasks: from the summary's `<n> running` state on 3.x. 2.x has no summary; its
   * `/graph/csv` gives each job's state as `idle`, `queued` or `running`, without a count, so one
   * run stands for "at least one" (docs/chronos.md, "The REST API").
   */
  async activeRuns(name: string): Promise<readonly ActiveRun[]> {
    const runs = (await this.activeRunsByName()).get(name);
    if (runs === undefined) throw this.notFound(name);
    return runs;
  }

  /** Every job's running tasks, by name, from one summary (2.x: one graph). */
  async activeRunsByName(): Promise<ReadonlyMap<string, readonly ActiveRun[]>> {
    const states: Iterable<readonly [string, string]> = this.legacyApi ? await this.jobStates() : (await this.summary()).map((s) => [s.name, s.state] as const);
    const runs = new Map<string, readonly ActiveRun[]>();
    for (const [name, state] of states) {
      const n = state === 'running' ? '1' : /^(\d+) running$/.exec(state)?.[1];
      runs.set(name, Array.from({ length: n ? Number(n) : 0 }, (_, i) => ({ id: `${name}#${i + 1}` })));
    }
    return runs;
  }

  /**
   * The server's clock: the local clock shifted by the offset seen in the last answer's `Date`
   * header (whole seconds). Before any answer, the local clock.
   */
  serverClock(): Clock {
    return { now: () => new Date(this.localClock.now().getTime() + (this.offsetMs ?? 0)) };
  }

  /**
   * The longest one write (a POST, never retried) can take, with a margin: after that the client
   * has given up on it, whatever the server does with it.
   */
  get writeBudgetMs(): number {
    return this.timeoutMs + 3000;
  }

  /** The last `Date` header seen, undefined before the first answer. */
  lastServerDate(): Date | undefined {
    return this.lastDate;
  }

  // --- the rest of the API -------------------------------------------------------------------

  /** POST the job as is: 204, create or replace. */
  async post(job: ChronosJob): Promise<void> {
    const endpoint = isDependentJob(job) ? '/dependency' : '/iso8601';
    await this.call('POST', endpoint, { idempotent: false, body: serializeChronosJob(withoutMirroredUris(job)), job: job.name });
  }

  /** GET /jobs/search; mind the server's default limit of 10. */
  async search(query: SearchQuery): Promise<readonly ChronosJob[]> {
    const res = await this.call('GET', '/jobs/search', { idempotent: true, query: { ...query } });
    return asArray(res.data, 'GET /jobs/search').map((j) => this.toJob(j));
  }

  /** GET /jobs/summary (3.x only). */
  async summary(): Promise<readonly ChronosJobSummary[]> {
    const res = await this.call('GET', '/jobs/summary', { idempotent: true });
    const jobs = (res.data as { jobs?: unknown })?.jobs;
    return asArray(jobs, 'GET /jobs/summary') as ChronosJobSummary[];
  }

  /**
   * GET /graph/csv (2.x and 3.x): each job's state by name, from its `node,<name>,<last outcome>,<state>`
   * line (`link,<parent>,<child>` lines are the edges). Names never hold a comma (2.x allows
   * `[\w\s.#_-]`, 3.x `[\w.-]`).
   */
  async jobStates(): Promise<ReadonlyMap<string, string>> {
    const res = await this.call('GET', '/graph/csv', { idempotent: true, responseType: 'text' });
    const states = new Map<string, string>();
    for (const line of String(res.data).split(/\r?\n/)) {
      const fields = line.split(',');
      if (fields[0] === 'node' && fields.length === 4) states.set(fields[1]!, fields[3]!.trim());
    }
    return states;
  }

  /** GET /job/stat/{name}: the job's task history and run-time histogram; undefined when the job does not exist. */
  async jobStat(name: string): Promise<ChronosJobStat | undefined> {
    try {
      const res = await this.call('GET', `/job/stat/${encodeURIComponent(name)}`, { idempotent: true, job: name });
      const body = res.data as { histogram?: unknown; taskStatHistory?: unknown } | null;
      const history = asArray(body?.taskStatHistory, `GET /job/stat/${name}`) as ChronosTaskStat[];
      const histogram = body?.histogram && typeof body.histogram === 'object' ? (body.histogram as Record<string, number>) : {};
      return { histogram, taskStatHistory: history };
    } catch (err) {
      if (err instanceof ChronosNotFoundError) return undefined;
      throw err;
    }
  }

  /** PUT /job/{name}: a manual run now (not idempotent: never retried). */
  async start(name: string, args?: string): Promise<void> {
    await this.call('PUT', `/job/${encodeURIComponent(name)}`, { idempotent: false, job: name, query: { arguments: args } });
  }

  /** DELETE /task/kill/{name}: kills the running tasks (queued ones stay). */
  async killTasks(name: string): Promise<void> {
    await this.call('DELETE', `/task/kill/${encodeURIComponent(name)}`, { idempotent: true, job: name });
  }

  /** PUT /job/success/{name}; the server answers 200 with `false` for an unknown job. */
  async markSuccess(name: string): Promise<boolean> {
    const res = await this.call('PUT', `/job/success/${encodeURIComponent(name)}`, { idempotent: false, job: name, responseType: 'text' });
    return /:\s*true\s*$/.test(String(res.data));
  }

  /** `<host>:<port>` of the leading scheduler. */
  async leader(): Promise<string> {
    const res = await this.call('GET', '/leader', { idempotent: true });
    const leader = (res.data as { leader?: unknown })?.leader;
    if (typeof leader !== 'string') throw new ChronosError(`Chronos at ${this.displayUrl} gave no leader`, 'Is this a Chronos server?');
    return leader;
  }

  /** GET /ping (outside the prefix); also refreshes the server clock. */
  async ping(): Promise<Date> {
    await this.call('GET', '/ping', { idempotent: true, responseType: 'text' }, true);
    return this.serverClock().now();
  }

  // --- transport ---------------------------------------------------------------------------

  /** Chronos 2.x, which serves `/scheduler` only: no GET of one job and no summary. */
  private get legacyApi(): boolean {
    return this.prefix === '/scheduler';
  }

  private toJob(raw: unknown): ChronosJob {
    try {
      return readChronosJob(raw, { now: this.serverClock().now() });
    } catch (err) {
      throw new ChronosError(`Chronos at ${this.displayUrl} returned a job this tool cannot read`, err instanceof Error ? err.message : String(err));
    }
  }

  private notFound(name: string): ChronosError {
    return new ChronosNotFoundError(name, this.displayUrl);
  }

  /**
   * Non-leaders proxy to the leader and lose error bodies. The leader is asked for once, when the
   * first error comes back without a body (a success through a proxy is whole): true when the
   * client now talks to another server.
   */
  private async resolveLeader(): Promise<boolean> {
    this.leaderResolved = true;
    const base = new URL(this.baseUrl);
    let leader: unknown;
    try {
      // Once, without retries: the error it follows is reported as it is if this fails.
      const res = await this.call('GET', '/leader', { idempotent: false });
      leader = (res.data as { leader?: unknown })?.leader;
    } catch {
      return false; // 2.4 has no /leader; stay with the configured server
    }
    if (typeof leader !== 'string') return false;
    // The leader answers with its HTTP port; over HTTPS the configured address is kept.
    if (base.protocol !== 'http:' || leader === base.host || !/^[^/\s]+:\d+$/.test(leader)) return false;
    const candidate = `http://${leader}`;
    try {
      await this.http.request({ method: 'GET', url: `${candidate}${this.prefix}/leader`, timeout: Math.min(this.timeoutMs, 3000) });
      this.baseUrl = candidate;
      return true;
    } catch {
      // The leader's advertised address is not reachable from here: keep going through the proxy.
      return false;
    }
  }

  private async call(method: Method, path: string, options: CallOptions, outsidePrefix = false): Promise<AxiosResponse> {
    const params = Object.fromEntries(Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined));
    for (let attempt = 0; ; attempt++) {
      const url = `${this.baseUrl}${outsidePrefix ? '' : this.prefix}${path}`;
      let res: AxiosResponse;
      try {
        res = await this.http.request({
          method,
          url,
          params,
          data: options.body,
          headers: options.body !== undefined ? { 'Content-Type': 'application/json' } : undefined,
          responseType: options.responseType === 'text' ? 'text' : 'json',
        });
      } catch (err) {
        if (options.idempotent && attempt < this.retries && isRetryable(err)) {
          await this.sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw this.transportError(err, method, path);
      }
      this.noteDate(res);
      if (res.status >= 200 && res.status < 300) return res;
      if (options.accept?.includes(res.status)) return res;
      // A read whose error lost its body through a proxy is asked of the leader again (not counted
      // as a retry); a write is not sent twice, but what follows it goes to the leader.
      if (!this.leaderResolved && !outsidePrefix && path !== '/leader' && bodyless(res.data) && (await this.resolveLeader()) && options.idempotent) {
        attempt--;
        continue;
      }
      if (options.idempotent && res.status >= 500 && attempt < this.retries) {
        await this.sleep(this.backoffMs * 2 ** attempt);
        continue;
      }
      throw this.statusError(res, method, path, options.job);
    }
  }

  private noteDate(res: AxiosResponse): void {
    const header = res.headers.date;
    if (typeof header !== 'string') return;
    const at = Date.parse(header);
    if (Number.isNaN(at)) return;
    this.lastDate = new Date(at);
    this.offsetMs = at - this.localClock.now().getTime();
  }

  private transportError(err: unknown, method: string, path: string): ChronosError {
    const where = `${method} ${this.displayUrl}${this.prefix}${path}`;
    const code = err instanceof AxiosError ? err.code : undefined;
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
      return new ChronosUnavailableError(`Chronos at ${this.displayUrl} did not answer within ${this.timeoutMs} ms (${where})`, 'The server may be overloaded or a proxy is holding the request; retry, or raise the timeout.');
    }
    if (code === 'ECONNREFUSED') {
      return new ChronosUnavailableError(`cannot reach Chronos at ${this.displayUrl}: connection refused`, 'Check MIGRATE_CHRONOS_URL (or --chronos-url) and that Chronos, or `migrate sandbox`, is running.');
    }
    // Nothing was sent. A name the resolver says does not exist is the URL's fault (or DNS dropped
    // it: Mesos-DNS does for a task that is down), never proof that Chronos is down.
    if (code === 'ENOTFOUND') {
      return new ChronosConfigError(
        `cannot reach Chronos at ${this.displayUrl}: the host name does not resolve`,
        'Check the host in MIGRATE_CHRONOS_URL (or --chronos-url); if DNS dropped it because Chronos is down (Mesos-DNS does), use the address of a Chronos host.',
      );
    }
    // The resolver did not answer: no answer, but the request was never sent (so not a ChronosUnavailableError, whose write may have landed).
    if (code === 'EAI_AGAIN') {
      return new ChronosError(`cannot reach Chronos at ${this.displayUrl}: DNS did not answer for its host name`, 'Check the network and DNS, then retry.', 'unreachable');
    }
    const message = err instanceof Error ? err.message : String(err);
    if (tlsFailureCode(err) !== undefined || /certificate|self.signed|SSL|TLS/i.test(message)) {
      return new ChronosConfigError(`cannot talk HTTPS to Chronos at ${this.displayUrl}: ${message}`, 'Check the server certificate; for a test server with a self-signed certificate, set insecureSkipTlsVerify.');
    }
    return new ChronosUnavailableError(`cannot reach Chronos at ${this.displayUrl}: ${message} (${where})`, 'Check the URL and the network, then retry.');
  }

  private statusError(res: AxiosResponse, method: string, path: string, job: string | undefined): ChronosError {
    const where = `${method} ${this.prefix}${path}`;
    const body = res.data;
    const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body);
    const envelope = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? firstLine((body as { message: string }).message)
      : undefined;
    const contentType = String(res.headers['content-type'] ?? '');
    switch (res.status) {
      case 400:
        if (job !== undefined && envelope !== undefined && /not found/i.test(envelope)) return new ChronosNotFoundError(job, this.displayUrl);
        return new ChronosError(`Chronos rejected ${where}: ${envelope ?? firstLine(text)}`, 'Fix the job definition and retry.');
      case 401:
        return new ChronosError(
          `Chronos at ${this.displayUrl} refused the credentials (HTTP 401)`,
          'Set MIGRATE_CHRONOS_USER and MIGRATE_CHRONOS_PASSWORD (or chronos.user and chronos.password in migrate.yaml) to the --http_credentials of the server.',
        );
      case 403:
        return new ChronosError(`Chronos at ${this.displayUrl} forbids ${where} (HTTP 403)`, 'Check the credentials in MIGRATE_CHRONOS_USER and MIGRATE_CHRONOS_PASSWORD.');
      case 404:
        return new ChronosError(
          `no Chronos API at ${this.displayUrl}${this.prefix}${path} (HTTP 404)`,
          'Check the URL and the API prefix: /v1/scheduler for Chronos 3.x, /scheduler for 2.x (chronos.prefix in migrate.yaml or MIGRATE_CHRONOS_PREFIX).',
        );
      case 415:
        return new ChronosError(`Chronos refused the request body of ${where} (HTTP 415)`, 'The body must be sent as application/json; this is a bug in migrate, please report it.');
      default:
        if (res.status === 500 && /html/i.test(contentType)) {
          return new ChronosError(
            `Chronos could not read the request of ${where} (HTTP 500 with an HTML error page): the job JSON is malformed`,
            'Check that the job has a name, that every environment variable has a name and a value, and that container.network is HOST, BRIDGE or USER in upper case.',
          );
        }
        if (res.status >= 500) {
          return new ChronosUnavailableError(`Chronos at ${this.displayUrl} failed on ${where}: HTTP ${res.status}${envelope ? `: ${envelope}` : ''}`, 'The server had an error; check its health (and its leader) and retry.');
        }
        return new ChronosError(`Chronos at ${this.displayUrl} failed on ${where}: HTTP ${res.status}${envelope ? `: ${envelope}` : ''}`, 'Check the request and retry.');
    }
  }
}

function bodyless(data: unknown): boolean {
  return data === undefined || data === null || data === '';
}

/**
 * GET /jobs fills `uris` from `fetch` (or the reverse); posting both as a new job is a 400. When
 * one list only mirrors the other, send `fetch` alone: the same downloads, accepted everywhere.
 */
function withoutMirroredUris(job: ChronosJob): ChronosJob {
  if (job.uris.length === 0 || job.fetch.length === 0) return job;
  const mirrored = job.uris.length === job.fetch.length && job.uris.every((u, i) => u === job.fetch[i]!.uri);
  return mirrored ? { ...job, uris: [] } : job;
}

function isRetryable(err: unknown): boolean {
  if (!(err instanceof AxiosError)) return false;
  if (err.response) return false;
  return err.code === undefined || RETRYABLE_CODES.has(err.code) || /socket hang up/i.test(err.message);
}

/** The server's `message` is usually a whole Java stack trace: keep its first line, without the exception class. */
export function firstLine(message: string): string {
  const line = message.split(/\r?\n/)[0].trim();
  return line.replace(/^[\w.$]+(Exception|Error):\s*/, '').replace(/^requirement failed:\s*/, '');
}

function asArray(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data)) throw new ChronosError(`Chronos answered ${what} with something other than a list`, 'Is the URL a Chronos server, and the prefix right?');
  return data;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
