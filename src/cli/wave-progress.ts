/**
 * A wave's progress while it runs, on stderr. On a terminal: one line rewritten in place
 * ("12/24 done, 1 failed, waiting for handoff of cache-warmer (40 s)"), with warnings and
 * failures printed above it as they come. Elsewhere (a pipe, a log, CI): one line per event,
 * prefixed with its job, and a count at each job's end. Then, on stdout, a table of every job's
 * outcome.
 */
import type { MoveOutcome } from '../actions/moves.js';
import type { MoveEvent } from '../actions/move.js';
import { report } from './action-config.js';
import type { CliIO, Output } from './io.js';

export interface WaveProgress {
  /** Where everything else written to stderr goes: above the status line, which is then redrawn. */
  readonly stderr: Output;
  /** A job's progress event (the actions' `report`). */
  event(job: string, e: MoveEvent): void;
  /** The wave starts: `jobs` will run (refused ones are not counted). */
  start(jobs: readonly string[]): void;
  /** One job's move ended. */
  finished(outcome: MoveOutcome): void;
  /** The wave ended: the status line is cleared. */
  close(): void;
}

const CLEAR_LINE = '\r\x1b[K';

/** The status line on a terminal only, and only for a wave: one job keeps its line per step. */
export function waveProgress(io: CliIO): WaveProgress {
  const terminal = Boolean(io.stderrIsTTY) && io.env.TERM !== 'dumb';
  let jobs: readonly string[] = [];
  let inPlace = false;
  let shown = '';
  let done = 0;
  let failed = 0;
  /** What each running job is doing now, in the order they last reported. */
  const activity = new Map<string, string>();

  const width = () => Math.max(20, (io.stderrColumns ?? 100) - 1);
  const status = () => {
    const counts = `${done}/${jobs.length} done, ${failed} failed`;
    const latest = [...activity].at(-1);
    if (!latest) return counts;
    const others = activity.size - 1;
    return `${counts}, ${latest[1]}${others ? ` (+${others} more running)` : ''}`;
  };
  const draw = () => {
    const line = status();
    shown = line.length > width() ? `${line.slice(0, width() - 3)}...` : line;
    io.stderr.write(`${CLEAR_LINE}${shown}`);
  };
  const above = (text: string) => {
    if (!inPlace) return io.stderr.write(text);
    io.stderr.write(`${CLEAR_LINE}${text}${text.endsWith('\n') ? '' : '\n'}`);
    draw();
  };
  const counted = () => `(${done}/${jobs.length} done, ${failed} failed)`;

  return {
    stderr: { write: above },
    start(names) {
      jobs = names;
      inPlace = terminal && names.length > 1;
      if (inPlace) draw();
    },
    event(job, e) {
      if (!inPlace) return report({ ...io, stderr: { write: above } }, job, e);
      switch (e.kind) {
        case 'waiting':
          activity.delete(job);
          activity.set(job, e.why.startsWith('handoff at ') ? `waiting for handoff of ${job} (${e.seconds} s)` : `${job}: waiting ${e.seconds} s (${e.why})`);
          return draw();
        case 'locked':
        case 'step':
        case 'note':
          activity.delete(job);
          activity.set(job, `${job}: ${e.kind === 'locked' ? 'locked' : e.message}`);
          return draw();
        case 'warning':
        case 'clock-skew':
        case 'replanned':
          // What an operator must read stays on the screen.
          return report({ ...io, stderr: { write: above } }, job, e);
      }
    },
    finished(o) {
      if (o.ok) done++;
      else failed++;
      activity.delete(o.job);
      if (inPlace) {
        if (!o.ok) above(`[${o.job}] FAILED: ${firstLine(o.message)}\n`);
        else draw();
      } else if (jobs.length > 1) {
        above(`[${o.job}] ${o.ok ? 'done' : 'FAILED'} ${counted()}\n`);
      }
    },
    close() {
      if (inPlace) io.stderr.write(CLEAR_LINE);
      inPlace = false;
    },
  };
}

/**
 * Every job of a wave and how it ended, refused ones too, as a table: the job, its outcome, and
 * the first line of what happened (a failure's full message follows the table).
 */
export function renderWaveOutcomes(rows: readonly { readonly job: string; readonly outcome: 'done' | 'FAILED' | 'refused'; readonly message: string }[]): string {
  const table = [['JOB', 'OUTCOME', 'WHAT HAPPENED'], ...rows.map((r) => [r.job, r.outcome, firstLine(withoutJob(r.job, r.message))])];
  const widths = [0, 1].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`.trimEnd());
  return `${lines.join('\n')}\n`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** Outcomes say `<job>: now on ...`; in the job's own row the name is already there. */
function withoutJob(job: string, message: string): string {
  return message.startsWith(`${job}: `) ? message.slice(job.length + 2) : message;
}
