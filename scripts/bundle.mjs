// Bundles the CLI for start-up time (issue 12): the process side, src/cli/process-main.ts, into
// dist/bundle/migrate.js plus chunks that load on first use, one per command or library group
// (esbuild's code splitting), instead of some 300 files that Node resolves, reads and compiles one
// by one. dist/src/cli/main.js (the `migrate` binary) imports it. Run by `npm run build` after tsc.
//
// The client libraries, axios and @kubernetes/client-node (900 files as Node loads them from
// node_modules), are bundled too, into the chunk of backends/*/client-module.ts that a command
// loads when it first opens a connection: validate, render and next never load it, and `status`
// of 500 jobs went from 4.9x to 2.7x its kubectl + curl baseline in CPU (bench/status.js, same run).
//
// Two corrections to libraries as they are bundled, neither changing what they print:
// - string-width: yargs lays out the help text of the command it runs on every run (to serve a
//   later showHelp()), and cliui and wrap-ansi measure every word with string-width 7, which runs
//   Intl.Segmenter over each one. The bundle gives them yargs' own string-width (8), which returns
//   the length of printable ASCII at once, and creates its Segmenter on first use instead of as it
//   loads (30 ms of ICU set-up that printable ASCII never needs).
// - yargs finds its locale files (and the project's package.json) from its module's own URL; in a
//   bundle that URL is the chunk's, so it is given the URL yargs would have in node_modules.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yargsRequire = createRequire(createRequire(join(root, 'package.json')).resolve('yargs/package.json'));
const yargsStringWidth = yargsRequire.resolve('string-width');

/** Rewrites a library's source as it is bundled; a rewrite that no longer matches warns and is skipped. */
function rewrite(name, filter, edit) {
  return {
    name,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const source = await readFile(path, 'utf8');
        const edited = edit(source);
        if (edited === source) return { warnings: [{ text: `${name}: ${path} no longer has what this rewrite changes; bundled as it is` }] };
        return { contents: edited, loader: 'js' };
      });
    },
  };
}

const oneStringWidth = {
  name: 'one-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, () => ({ path: yargsStringWidth }));
  },
};

const lazySegmenter = rewrite('lazy-segmenter', /[/\\]string-width[/\\]index\.js$/, (source) =>
  source.includes('const segmenter = new Intl.Segmenter();') && source.includes('segmenter.segment(')
    ? source.replace('const segmenter = new Intl.Segmenter();', 'let segmenter;').replaceAll('segmenter.segment(', '(segmenter ??= new Intl.Segmenter()).segment(')
    : source,
);

const yargsOwnUrl = rewrite('yargs-own-url', /[/\\]yargs[/\\]lib[/\\]platform-shims[/\\]esm\.mjs$/, (source) =>
  source.includes('import.meta.url')
    ? `const yargsShimUrl = new URL('./lib/platform-shims/esm.mjs', import.meta.resolve('yargs')).href;\n${source.replaceAll('import.meta.url', 'yargsShimUrl')}`
    : source,
);

// Chunk names carry their content's hash: the chunks of an earlier build would pile up.
await rm(join(root, 'dist/bundle'), { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { migrate: 'src/cli/process-main.ts' },
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // node-fetch (client-node's) requires Node's own punycode through tr46 and whatwg-url: loaded from
  // node_modules, as Node expects that old code to be, it raises no deprecation warning on Node 22+.
  external: ['node-fetch'],
  // The CommonJS libraries in the bundle (yaml, prom-client) call require() for Node's own modules.
  banner: { js: "import { createRequire as bundleCreateRequire } from 'node:module'; const require = bundleCreateRequire(import.meta.url);" },
  // Not minified: it loads no faster measurably (2026-12-02), and a stack trace where the source
  // maps are not shipped (the package) still names functions and lines one can read.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [oneStringWidth, lazySegmenter, yargsOwnUrl],
  metafile: Boolean(process.env.BUNDLE_META),
});
if (result.errors.length) process.exit(1);
// BUNDLE_META=<file> writes esbuild's account of what each chunk holds (esbuild.github.io/analyze reads it).
if (process.env.BUNDLE_META) await writeFile(process.env.BUNDLE_META, JSON.stringify(result.metafile));
