#!/usr/bin/env node
/**
 * The `migrate` binary: starts the CLI from its bundle, dist/bundle/migrate.js (scripts/bundle.mjs
 * builds it from process-main.ts), which loads in a fraction of the time of the ~300 files it holds.
 */
import { fileURLToPath } from 'node:url';

type ProcessMain = typeof import('./process-main.js');

// A stack trace (--debug) names the TypeScript sources, through the bundle's source maps (shipped
// in a checkout's build, not in the package).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

const bundle = new URL('../../bundle/migrate.js', import.meta.url);
let cli: ProcessMain;
try {
  cli = await import(bundle.href);
} catch (err) {
  const file = fileURLToPath(bundle);
  if (!(err instanceof Error && 'code' in err && err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(file))) throw err;
  process.stderr.write(`error: migrate's bundle ${file} is missing\nBuild it: npm run build\n`);
  process.exit(1);
}
await cli.main();
