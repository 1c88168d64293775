#!/usr/bin/env node
/**
 * The `migrate` binary: starts the CLI from its bundle, dist/bundle/migrate.js (scripts/bundle.mjs
 * builds it from process-main.ts after tsc; `npm run build` runs both), which loads in a fraction
 * of the time of the ~300 compiled modules it holds.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type ProcessMain = typeof import('./process-main.js');

// A stack trace (--debug) names the TypeScript sources, through the bundle's source maps (in a
// checkout's build; the package does not ship them).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

const bundle = new URL('../../bundle/migrate.js', import.meta.url);
const cli: ProcessMain = await import(bundleIsCurrent() ? bundle.href : './process-main.js');
await cli.main();

/**
 * Whether the bundle holds the code tsc compiled last. Where tsc ran after it (`npx tsc` in a
 * checkout, not `npm run build`) or it is missing, the compiled modules run instead: slower to
 * start, never older code. A package's files all carry one time, so there the bundle runs.
 */
function bundleIsCurrent(): boolean {
  const built = statSync(fileURLToPath(bundle), { throwIfNoEntry: false });
  return built !== undefined && built.mtimeMs >= statSync(fileURLToPath(import.meta.url)).mtimeMs;
}
