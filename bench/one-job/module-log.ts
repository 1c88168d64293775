/**
 * A module-loader hook for bench/one-job.ts: appends the URL of every module Node loads to the
 * file named by MIGRATE_BENCH_MODULE_LOG (CommonJS files required by a CommonJS package are not
 * seen, but the package's entry is).
 */
import { appendFileSync } from 'node:fs';

interface LoadContext {
  readonly format?: string | null;
}
type NextLoad = (url: string, context: LoadContext) => Promise<unknown>;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<unknown> {
  const log = process.env.MIGRATE_BENCH_MODULE_LOG;
  if (log) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
