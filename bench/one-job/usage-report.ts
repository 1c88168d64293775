/**
 * Imported first (`node --import`) by every process bench/one-job.ts measures: as the process
 * exits, appends its CPU time since it started (user + system, microseconds, every thread) and its
 * peak resident memory (KiB) to the file named by MIGRATE_BENCH_USAGE_LOG. The operating system's
 * own counters, read from inside, at a finer grain than an outside timer prints them.
 */
import { appendFileSync } from 'node:fs';

const log = process.env.MIGRATE_BENCH_USAGE_LOG;
if (log) {
  process.on('exit', () => {
    const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
    appendFileSync(log, `${userCPUTime + systemCPUTime} ${maxRSS}\n`);
  });
}
