/**
 * What `npm pack` puts in the tarball: the built CLI, the example jobs and migrate.yaml that
 * `migrate demo` copies, README and docs; no tests, TypeScript sources, benchmarks or source
 * maps. (.ci/run installs the tarball globally on an empty prefix and runs `migrate demo`.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the tarball holds what an installed migrate runs, and nothing for developing it', () => {
  if (!existsSync(path.join(root, 'dist/src/cli/main.js'))) throw new Error('build first (npm run build)');
  // --ignore-scripts: the build is there already; prepare would only run tsc again.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  if (!pack) throw new Error(`npm pack printed no package: ${out}`);
  const files = pack.files.map((f) => f.path).sort();

  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'migrate.yaml', 'dist/src/cli/main.js', 'dist/src/demo/demo.js', 'docs/runbook.md']));
  const shippedJobs = readdirSync(path.join(root, 'jobs')).map((f) => `jobs/${f}`);
  expect(files).toEqual(expect.arrayContaining(shippedJobs));
  const unwanted = files.filter((f) => /^(test|bench|src|backends|\.ci)\//.test(f) || f.startsWith('dist/bench/') || f.endsWith('.map') || f.endsWith('.ts') || /^(jest\.config|tsconfig)/.test(f));
  expect(unwanted).toEqual([]);
});
