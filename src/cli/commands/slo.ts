/**
 * `migrate slo [job...] [--since 24h] [--serve addr]`: whether the migration keeps its objectives,
 * per job and for the fleet, over a window and across every system a job ran on (docs/slo.md).
 * Each backend reads its own runs (`BackendConnection.runs`); the journal says which system owed
 * which slot. With `--serve`, the same figures for Prometheus, judged afresh at every scrape.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ALL_BACKENDS } from '../../../backends/index.js';
import { parseDuration } from '../../core/duration.js';
import { errorSummary, UserError, formatDiagnostic } from '../../core/errors.js';
import type { BackendName, JobDefinition } from '../../core/job.js';
import type { RunEvidence, RunWindow } from '../../core/runs.js';
import { buildSloReport, judgeJob, ownershipFromJournal, type SloReport } from '../../core/slo.js';
import { renderSloJson, renderSloTable, renderSloYaml } from '../../core/slo-output.js';
import { openConnections, type Connections } from '../connections.js';
import type { ExitHolder } from '../exit.js';
import { formatsHelp, outputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import { projectJournal } from '../journal-file.js';
import { metricsUrl, parseListenAddress, startMetricsEndpoint } from '../metrics-endpoint.js';
import { readMergedJournal } from '../shared-journal.js';
import { renderSloMetrics } from '../slo-metrics.js';
import { loadWorkspace } from '../workspace.js';

interface SloArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly since: string;
  readonly serve?: string;
}

const FORMATS = ['table', 'json', 'yaml'] as const;

export function sloCommand(io: CliIO, exit: ExitHolder): CommandModule<GlobalArgs, SloArgs> {
  return {
    command: 'slo [jobs..]',
    describe:
      'per job over the window, across both systems (the journal says which owed each slot): slots owed, runs, ' +
      'missed and doubled slots, start latency (p50, p99, max) against the start window, late starts, failed runs, ' +
      'pods Pending over 5m; worst first, then the fleet against 99.99% (-o table|json|yaml). ' +
      'Exit 0 every objective held (with --serve: once Ctrl-C stopped it); 1 one did not, a system could not be read, or an error',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' })
        .option('since', { type: 'string', default: '24h', describe: 'the window: slots owed from this long ago until now (e.g. 90m, 24h, 7d)' })
        .option('serve', {
          type: 'string',
          describe: 'serve the same figures in the Prometheus text format at http://<addr>/metrics until Ctrl-C, judged at each scrape; ' +
            'addr is a port (:9464, on 127.0.0.1) or host:port (0.0.0.0:9464 for every interface). Exit 0 once stopped',
        })
        .describe('output', formatsHelp(FORMATS)),
    handler: async (args) => {
      const format = outputFormat(args, 'slo', FORMATS);
      const since = sinceSeconds(args.since);
      if (args.serve !== undefined) {
        if (args.output !== undefined) throw new UserError(`-o ${args.output} does not apply to --serve`, '--serve answers in the Prometheus text format; leave out -o.');
        await serveSlo(io, args, parseListenAddress(args.serve), since);
        exit.code = 0;
        return;
      }
      const report = await prepareSlo(io, args, args.jobs).read(since);
      if (format === 'json') io.stdout.write(renderSloJson(report));
      else if (format === 'yaml') io.stdout.write(renderSloYaml(report));
      else io.stdout.write(renderSloTable(report, ALL_BACKENDS));
      exit.code = report.fleet.met ? 0 : 1;
    },
  };
}

/** Serves the figures until the operator's Ctrl-C: each scrape judges the window ending then. */
async function serveSlo(io: CliIO, args: SloArgs, address: ReturnType<typeof parseListenAddress>, since: number): Promise<void> {
  const slo = prepareSlo(io, args, args.jobs);
  const namespaces = new Map(slo.jobs.map((j) => [j.name, j.namespace]));
  const endpoint = await startMetricsEndpoint(
    address,
    async () => renderSloMetrics(await slo.read(since), (job) => namespaces.get(job) ?? ''),
    (err) => io.stderr.write(`warning: a scrape failed: ${errorSummary(err)}\n`),
  );
  io.stderr.write(`migrate slo: serving ${slo.jobs.length} job${slo.jobs.length === 1 ? '' : 's'} over the last ${args.since} at ${metricsUrl(endpoint.address)} (each scrape reads every system; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    if (!io.interrupted || io.interrupted.aborted) return resolve();
    io.interrupted.addEventListener('abort', () => resolve(), { once: true });
  });
  await endpoint.close();
  io.stderr.write('migrate slo: stopped serving\n');
}

/** `--since` in seconds: a duration, never zero. */
function sinceSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds <= 0) throw new UserError(`--since ${text} is not a duration`, 'Use e.g. 90m, 24h or 7d.');
  return seconds;
}

/** The jobs named (every job when none), refusing named ones with problems, as `status` does. */
function selectJobs(io: CliIO, args: GlobalArgs, names: readonly string[]): { jobs: JobDefinition[]; ws: ReturnType<typeof loadWorkspace> } {
  const ws = loadWorkspace(io, args, names, { backendLint: false });
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  if (names.length && errors.length) {
    throw new UserError(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the named definitions; fix them first`, `${errors.map(formatDiagnostic).join('\n')}\n(\`migrate validate\` lists them)`);
  }
  const broken = new Set(errors.map((d) => d.file));
  if (broken.size) io.stderr.write(`warning: ${broken.size} definition file(s) have problems and are not judged; run \`migrate validate\`\n`);
  return { ws, jobs: ws.definitions.filter((d) => !broken.has(d.file)).map((d) => d.job) };
}

/** Each backend's runs of every job; a backend that cannot be asked at all answers an error for each. */
async function readRuns(conn: Connections, jobs: readonly JobDefinition[], window: RunWindow): Promise<Map<BackendName, ReadonlyMap<string, RunEvidence>>> {
  const read = async (name: BackendName): Promise<[BackendName, ReadonlyMap<string, RunEvidence>]> => {
    try {
      return [name, await conn.to(name).runs(jobs, window)];
    } catch (err) {
      const error = errorSummary(err);
      return [name, new Map(jobs.map((j) => [j.name, { ok: false, error }]))];
    }
  };
  return new Map(await Promise.all(ALL_BACKENDS.map((b) => read(b.name))));
}

/** The selected jobs, and a reader that judges them over the `seconds` ending now (every system and the journal read afresh). */
function prepareSlo(io: CliIO, args: GlobalArgs, names: readonly string[]): { readonly jobs: readonly JobDefinition[]; read(seconds: number): Promise<SloReport> } {
  const { ws, jobs } = selectJobs(io, args, names);
  const conn = openConnections(io, args, ws.project);
  const file = projectJournal(io, args);
  const warn = (line: string) => io.stderr.write(`warning: ${line}\n`);
  return {
    jobs,
    async read(seconds) {
      const now = io.clock.now();
      const window: RunWindow = { from: new Date(now.getTime() - seconds * 1000), until: now };
      const [runs, records] = await Promise.all([
        readRuns(conn, jobs, window),
        readMergedJournal(file, { tolerant: (problem) => warn(`${path.relative(io.cwd, file)}: ${problem}`) }, conn, jobs, warn),
      ]);
      const judged = jobs.map((job) => {
        const evidence = Object.fromEntries([...runs].map(([system, byJob]) => [system, byJob.get(job.name) ?? { ok: false as const, error: 'no answer for this job' }]));
        return judgeJob(job, window, now, evidence, ownershipFromJournal(job, records));
      });
      return buildSloReport(judged, window, now);
    },
  };
}
