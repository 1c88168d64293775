/**
 * A local stand-in of the Chronos 3.x REST API (docs/chronos.md, "The REST API"), faithful where a client or an
 * operator can tell: status codes, the error envelope with its Java stack trace, the HTML 500 of
 * a body the server cannot read, 415, the plain-text schedule error, defaults, replace-on-post,
 * the uris/fetch mirroring of GET /jobs, the search limit of 10, and the scheduler of
 * `scheduler.ts` on the sandbox clock.
 */
import type http from 'node:http';
import { sendJson, type StandIn, type StandInContext, type StandInRequest } from '../stand-in-contract.js';
import {
  CHRONOS_NAME_PATTERN,
  ChronosBodyError,
  isDependentJob,
  mirrorUrisAndFetch,
  readChronosJob,
  serializeChronosJob,
  type ChronosJob,
} from './model.js';
import { CHRONOS_IMPERFECTIONS, ChronosScheduler, type SchedulerOptions, type SchedulerSnapshot } from './scheduler.js';
import { readSchedule } from './schedule.js';

export const CHRONOS_3_PREFIX = '/v1/scheduler';
export const CHRONOS_2_PREFIX = '/scheduler';

export interface ChronosStandInOptions extends SchedulerOptions {
  /** `/v1/scheduler` (3.x, default) or `/scheduler` (2.x). */
  readonly prefix?: string;
  /** When set, every path needs these Basic credentials (like `--http_credentials`). */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** `--http_realm`; default `Mesosphere`. */
  readonly realm?: string;
  /**
   * Another server (`host:port`) that leads: this one then answers `/leader` with it and, like a
   * real non-leader (`RedirectFilter`), proxies every other API request to it, passing a success
   * on whole and an error with its status only (the body is lost). Default: this server leads.
   */
  readonly leader?: string;
}

const EARLIEST_START_MS = Date.UTC(1970, 0, 1, 0, 0, 1);

/** A stand-in answer: the status and body the real server gives for a failure. */
class ChronosHttpError extends Error {
  constructor(
    readonly status: number,
    readonly kind: 'envelope' | 'text' | 'html',
    message: string,
  ) {
    super(message);
  }
}

export class ChronosStandIn implements StandIn {
  readonly system = 'chronos' as const;
  readonly imperfectionKinds = CHRONOS_IMPERFECTIONS;
  readonly scheduler: ChronosScheduler;
  private readonly prefix: string;

  constructor(
    private readonly ctx: StandInContext,
    private readonly options: ChronosStandInOptions = {},
  ) {
    this.prefix = (options.prefix ?? CHRONOS_3_PREFIX).replace(/\/+$/, '');
    this.scheduler = new ChronosScheduler(ctx.clock, ctx.ledger, options, ctx.imperfections);
    ctx.clock.register(this.scheduler);
  }

  handle(req: StandInRequest, res: http.ServerResponse): void | Promise<void> {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (this.options.credentials && !this.authorized(req)) {
      res.writeHead(401, {
        'WWW-Authenticate': `Basic realm="${this.options.realm ?? 'Mesosphere'}"`,
        'Content-Type': 'text/html;charset=ISO-8859-1',
      });
      res.end(jettyErrorPage(401, 'Unauthorized', req.path));
      return;
    }
    if (this.options.leader && req.path !== '/ping' && req.path !== `${this.prefix}/leader`) return this.proxy(req, res, this.options.leader);
    try {
      this.route(req, res);
    } catch (err) {
      if (err instanceof ChronosHttpError) return writeError(res, err, req.path);
      throw err;
    }
  }

  writeFault(res: http.ServerResponse, status: number, req: StandInRequest): void {
    res.setHeader('Access-Control-Allow-Origin', '*');
    writeError(res, new ChronosHttpError(status, 'envelope', `java.lang.RuntimeException: injected fault\n${stackTrace('ApiResult')}`), req.path);
  }

  snapshot(): unknown {
    return this.scheduler.snapshot();
  }

  restore(state: unknown): void {
    this.scheduler.restore(state as SchedulerSnapshot);
  }

  private async proxy(req: StandInRequest, res: http.ServerResponse, leader: string): Promise<void> {
    const query = req.query.toString();
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const method = req.method;
    let answer: Response;
    try {
      answer = await fetch(`http://${leader}${req.path}${query ? `?${query}` : ''}`, { method, headers, ...(req.body.length && method !== 'GET' ? { body: new Uint8Array(req.body) } : {}) });
    } catch {
      res.writeHead(502, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const body = answer.ok ? Buffer.from(await answer.arrayBuffer()) : Buffer.alloc(0);
    const type = answer.headers.get('content-type');
    res.writeHead(answer.status, { ...(answer.ok && type ? { 'Content-Type': type } : {}), 'Content-Length': body.length });
    res.end(body);
  }

  private authorized(req: StandInRequest): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const { user, password } = this.options.credentials!;
    return decoded === `${user}:${password}`;
  }

  private route(req: StandInRequest, res: http.ServerResponse): void {
    const { method } = req;
    if (req.path === '/ping' && method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('pong\n');
      return;
    }
    if (!req.path.startsWith(`${this.prefix}/`)) return notFound(res, req.path);
    const parts = req.path.slice(this.prefix.length + 1).split('/').map(decodeURIComponent);
    const at = (i: number) => parts[i] ?? '';
    // Literal paths first (`jobs/search`), then one trailing name (`job/{name}`, `job/success/{name}`).
    const shape = at(0) === 'jobs' || at(0) === 'graph' || parts.length === 1 ? parts.join('/') : parts.length === 2 ? `${at(0)}/*` : parts.length === 3 ? `${at(0)}/${at(1)}/*` : '?';
    // 2.x (the `/scheduler` prefix) also takes PUT on the create endpoints, and has no GET of one job and no summary.
    const legacy = this.prefix === CHRONOS_2_PREFIX;
    const route = legacy && method === 'PUT' && (shape === 'iso8601' || shape === 'dependency') ? `POST ${shape}` : `${method} ${shape}`;
    if (legacy && (route === 'GET job/*' || route === 'GET jobs/summary')) return notFound(res, req.path);
    const now = this.ctx.clock.now();
    switch (route) {
      case 'GET jobs':
        return sendJson(res, 200, this.scheduler.list().map((j) => serializeChronosJob(mirrorUrisAndFetch(j))));
      case 'GET jobs/search':
        return sendJson(res, 200, this.search(req.query).map(serializeChronosJob));
      case 'GET jobs/summary':
        return sendJson(res, 200, { jobs: this.scheduler.list().map((j) => this.summaryOf(j)) });
      case 'GET job/*':
        return sendJson(res, 200, serializeChronosJob(this.mustGet(at(1))));
      case 'POST iso8601':
      case 'POST dependency':
        // The body's keys pick the job type, not the endpoint (docs/chronos.md, "The job JSON").
        this.post(req, now);
        res.writeHead(204);
        res.end();
        return;
      case 'DELETE job/*':
        this.mustGet(at(1));
        this.scheduler.remove(at(1));
        res.writeHead(204);
        res.end();
        return;
      case 'PUT job/*':
        this.mustGet(at(1));
        this.scheduler.startManually(at(1), req.query.get('arguments') ?? undefined);
        res.writeHead(204);
        res.end();
        return;
      case 'PUT job/success/*': {
        const ok = this.scheduler.markSuccess(at(2));
        // Labelled JSON, but the body is a plain sentence.
        const text = `marked job ${at(2)} as successful: ${ok}`;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      case 'DELETE task/kill/*':
        this.mustGet(at(2));
        this.scheduler.kill(at(2));
        res.writeHead(204);
        res.end();
        return;
      case 'GET job/stat/*':
        this.mustGet(at(2));
        return sendJson(res, 200, this.jobStat(at(2)));
      case 'GET graph/dot':
        return sendText(res, this.graphDot());
      case 'GET graph/csv':
        return sendText(res, this.graphCsv());
      case 'GET leader':
        return sendJson(res, 200, { leader: this.options.leader ?? req.headers.host ?? '127.0.0.1' });
      default:
        if (method === 'GET' && at(0) === 'stats' && parts.length === 2) return sendJson(res, 200, []);
        if (method === 'POST' && parts.length === 5 && at(0) === 'job' && at(2) === 'task' && at(4) === 'progress') {
          this.progress(at(1), at(3), req.body);
          res.writeHead(204);
          res.end();
          return;
        }
        return notFound(res, req.path);
    }
  }

  private post(req: StandInRequest, now: Date): void {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!/^application\/([a-z.+-]*\+)?json\b/.test(contentType)) {
      throw new ChronosHttpError(415, 'html', 'Unsupported Media Type');
    }
    let job: ChronosJob;
    try {
      job = readChronosJob(JSON.parse(req.body.toString('utf8')), { now });
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof ChronosBodyError) throw new ChronosHttpError(500, 'html', 'Server Error');
      throw err;
    }
    const exists = this.scheduler.has(job.name);
    if (isDependentJob(job)) {
      const parents = job.parents!;
      if (!exists) {
        requireThat(CHRONOS_NAME_PATTERN.test(job.name), "the job's name is invalid. Allowed names: '[\\w\\.-]+'");
        if (parents.length === 0) {
          throw new ChronosHttpError(500, 'envelope', `java.lang.Exception: Error, parent does not exist\n${stackTrace('DependentJobResource')}`);
        }
      } else {
        requireThat(parents.length > 0, 'Error, parent does not exist');
        requireThat(parents.every((p) => this.scheduler.has(p)), `Error, job ${job.name} does not have all parents defined!`);
      }
      this.scheduler.put(job);
      return;
    }
    let start: Date;
    try {
      start = readSchedule(job.schedule!, job.scheduleTimeZone ?? '', now).start;
    } catch {
      throw new ChronosHttpError(400, 'text', `Cannot parse schedule '${job.schedule}' (wtf bro)`);
    }
    if (!exists) {
      requireThat(CHRONOS_NAME_PATTERN.test(job.name), "the job's name is invalid. Allowed names: '[\\w\\.-]+'");
      requireThat(start.getTime() >= EARLIEST_START_MS, `Scheduled start date '${job.schedule}' is before 1970!`);
      requireThat(!(job.uris.length > 0 && job.fetch.length > 0), 'Tried to specify both uris (deprecated) and fetch.');
    }
    this.scheduler.put(job);
  }

  /** POST /job/{name}/task/{taskId}/progress: validated, then accepted (the sandbox keeps no statistics). */
  private progress(name: string, taskId: string, body: Buffer): void {
    const job = this.mustGet(name);
    requireThat(/^ct:\d+:\d+:.+/.test(taskId), `Invalid task id '${taskId}'`);
    requireThat(job.dataProcessingJobType, `Job '${name}' is not a data processing job`);
    let n: unknown;
    try {
      n = (JSON.parse(body.toString('utf8') || '{}') as { numAdditionalElementsProcessed?: unknown }).numAdditionalElementsProcessed;
    } catch {
      throw new ChronosHttpError(500, 'html', 'Server Error');
    }
    requireThat(typeof n === 'number' && n >= 0, 'numAdditionalElementsProcessed must be a non-negative number');
  }

  /**
   * `JobManagementResource.getStat`: the run-time histogram of the job's successful tasks since
   * the leader started (ms from the task's due time to its end), and its most recent tasks, newest
   * first, as `JobStatWrapperSerializer` writes them: times as `MM/dd/yy HH:mm:ss` in the JVM's
   * zone (UTC here), `N/A` for an end not yet reached, a Joda period for the duration.
   */
  private jobStat(name: string): Record<string, unknown> {
    const times = [...this.scheduler.runTimesOf(name)].sort((a, b) => a - b);
    const q = (quantile: number) => snapshotValue(times, quantile);
    return {
      histogram: {
        '75thPercentile': q(0.75), '95thPercentile': q(0.95), '98thPercentile': q(0.98), '99thPercentile': q(0.99),
        // The server writes getValue(0.5) as the mean too.
        median: q(0.5), mean: q(0.5), count: times.length,
      },
      taskStatHistory: this.scheduler.taskHistory(name).map((t) => ({
        taskId: t.taskId,
        jobName: t.job,
        slaveId: STAND_IN_AGENT_ID,
        startTime: jodaTime(t.startedAt),
        endTime: t.endedAt === undefined ? 'N/A' : jodaTime(t.endedAt),
        ...(t.endedAt === undefined ? {} : { duration: jodaPeriod(t.endedAt - t.startedAt) }),
        status: t.status,
      })),
    };
  }

  private mustGet(name: string): ChronosJob {
    const job = this.scheduler.get(name);
    requireThat(job !== undefined, `Job '${name}' not found`);
    return job!;
  }

  /** `name` and `command` are ANDed; `any` only re-admits jobs that failed them. */
  private search(query: URLSearchParams): ChronosJob[] {
    const lower = (k: string) => query.get(k)?.toLowerCase();
    const name = lower('name');
    const command = lower('command');
    const any = lower('any');
    const limit = intParam(query.get('limit'), 10);
    const offset = intParam(query.get('offset'), 0);
    const matches = this.scheduler.list().filter((j) => {
      const n = j.name.toLowerCase();
      const c = j.command.toLowerCase();
      const direct = (name === undefined || n.includes(name)) && (command === undefined || c.includes(command));
      return direct || (any !== undefined && (n.includes(any) || c.includes(any)));
    });
    return matches.slice(offset, offset + limit);
  }

  private summaryOf(job: ChronosJob): Record<string, unknown> {
    const running = this.scheduler.runningCount(job.name);
    return {
      name: job.name,
      status: this.scheduler.lastOutcome(job.name),
      state: running > 0 ? `${running} running` : this.scheduler.isQueued(job.name) ? 'queued' : 'idle',
      schedule: job.schedule ?? '',
      parents: job.parents ?? [],
      disabled: job.disabled,
    };
  }

  private graphDot(): string {
    const jobs = this.scheduler.list();
    const lines = ['digraph G {'];
    for (const j of jobs) lines.push(`  "${j.name}";`);
    for (const j of jobs) for (const p of j.parents ?? []) lines.push(`  "${p}" -> "${j.name}";`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }

  /** 3.x writes a job's state as the summary does (`<n> running`); 2.x as a bare `running`, without a count. */
  private graphCsv(): string {
    const jobs = this.scheduler.list();
    const legacy = this.prefix === CHRONOS_2_PREFIX;
    const lines = jobs.map((j) => {
      const running = this.scheduler.runningCount(j.name);
      const state = running > 0 ? (legacy ? 'running' : `${running} running`) : this.scheduler.isQueued(j.name) ? 'queued' : 'idle';
      return `node,${j.name},${this.scheduler.lastOutcome(j.name)},${state}`;
    });
    for (const j of jobs) for (const p of j.parents ?? []) lines.push(`link,${p},${j.name}`);
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
}

/** The Mesos agent every stand-in task runs on. */
export const STAND_IN_AGENT_ID = '20261101-000000-16777343-5050-1-S0';

/** Joda `MM/dd/yy HH:mm:ss`, in UTC (the sandbox's JVM zone): whole seconds, no zone. */
function jodaTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/**
 * A duration as the serializer's PeriodFormatter prints `Duration.toPeriod`: hours, minutes and
 * seconds (a Duration has no days), each only when not zero, except the seconds: `1h0s`, `1m30s`, `0s`.
 */
function jodaPeriod(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${total % 60}s`;
}

/** codahale `UniformSnapshot.getValue`: the quantile between the two nearest samples. */
function snapshotValue(sorted: readonly number[], quantile: number): number {
  if (sorted.length === 0) return 0;
  const pos = quantile * (sorted.length + 1);
  const index = Math.floor(pos);
  if (index < 1) return sorted[0]!;
  if (index >= sorted.length) return sorted[sorted.length - 1]!;
  const lower = sorted[index - 1]!;
  return lower + (pos - index) * (sorted[index]! - lower);
}

function requireThat(condition: boolean, message: string): void {
  if (!condition) {
    throw new ChronosHttpError(400, 'envelope', `java.lang.IllegalArgumentException: requirement failed: ${message}\n${stackTrace('JobManagementResource')}`);
  }
}

/** The shape of the server's `message`: the exception, then the frames Jersey printed. */
function stackTrace(resource: string): string {
  return [
    '\tat scala.Predef$.require(Predef.scala:224)',
    `\tat org.apache.mesos.chronos.scheduler.api.${resource}.apply(${resource}.scala:87)`,
    '\tat com.sun.jersey.server.impl.model.method.dispatch.AbstractResourceMethodDispatchProvider$ResponseOutInvoker._dispatch(AbstractResourceMethodDispatchProvider.java:205)',
    '\tat org.eclipse.jetty.server.handler.HandlerWrapper.handle(HandlerWrapper.java:116)',
  ].join('\n');
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 415: 'Unsupported Media Type',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function writeError(res: http.ServerResponse, err: ChronosHttpError, path: string): void {
  if (err.kind === 'envelope') {
    return sendJson(res, err.status, { status: REASONS[err.status] ?? 'Error', message: err.message });
  }
  const body = err.kind === 'text' ? err.message : jettyErrorPage(err.status, err.message, path);
  res.writeHead(err.status, {
    'Content-Type': err.kind === 'text' ? 'text/plain' : 'text/html;charset=ISO-8859-1',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function notFound(res: http.ServerResponse, path: string): void {
  writeError(res, new ChronosHttpError(404, 'html', 'Not Found'), path);
}

function sendText(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function jettyErrorPage(status: number, reason: string, path: string): string {
  const esc = path.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"/>\n' +
    `<title>Error ${status} ${reason}</title>\n</head>\n<body><h2>HTTP ERROR ${status}</h2>\n` +
    `<p>Problem accessing ${esc}. Reason:\n<pre>    ${reason}</pre></p><hr /><i><small>Powered by Jetty://</small></i>\n</body>\n</html>\n`
  );
}

function intParam(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
