/**
 * What the docs say about the program, checked against it: the sandbox's ports, the files they
 * tell you to run, and how much `validate` reports.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pages = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(path.join(root, page), 'utf8');
const blocks = (text: string) => text.split(/^```.*$/m).filter((_, i) => i % 2 === 1);

test.each(pages)('%s: a sandbox started on free ports is not shown with a fixed one', (page) => {
  for (const block of blocks(read(page))) {
    if (!/migrate sandbox\b/.test(block) || /--chronos-port \d/.test(block)) continue;
    expect(block).not.toMatch(/MIGRATE_CHRONOS_URL=http:\/\/127\.0\.0\.1:\d+/);
  }
});

test.each(pages)('%s: every dist/ file it names is one the build makes', (page) => {
  // This project's build output (a library's own dist/ files, which a page may cite, are not).
  const named = [...read(page).matchAll(/\bdist\/(?:src|backends|bench)\/[\w/.-]+\.js\b/g)].map((m) => m[0]);
  if (!existsSync(path.join(root, 'dist/src/cli/main.js'))) throw new Error('build first (npm run build)');
  expect(named.filter((f) => !existsSync(path.join(root, f)))).toEqual([]);
});

test('docs/format.md: every problem of a file, except the backend checks while the zone is invalid, as it says', async () => {
  expect(read('docs/format.md').replace(/\s+/g, ' ')).toContain('need a valid `backend`, `schedule` and `timezone`, so they are reported once those three are fixed');
  const dir = mkdtempSync(path.join(tmpdir(), 'migrate-format-'));
  mkdirSync(path.join(dir, 'jobs'));
  const job = (zone: string) => `name: a\nbackend: chronos\nschedule: "0 9 * * 1-5"\ntimezone: ${zone}\ncommand: 5\nconcurrency: replace\n`;
  writeFileSync(path.join(dir, 'jobs/a.yaml'), job('Etc/UTC'));
  const all = await runCli(['validate'], { cwd: dir });
  // A field that does not read (command) hides neither the schedule nor the concurrency check.
  expect((all.stdout + all.stderr).split('\n').filter((l) => l.includes(': error: ')).map((l) => l.split(': error: ')[0])).toEqual(['jobs/a.yaml:3:11', 'jobs/a.yaml:5:10', 'jobs/a.yaml:6:14']);
  writeFileSync(path.join(dir, 'jobs/a.yaml'), job('Mars/Base'));
  const zone = await runCli(['validate'], { cwd: dir });
  expect(zone.stdout + zone.stderr).toContain('timezone "Mars/Base" is not an IANA time zone');
  expect(zone.stdout + zone.stderr).not.toContain('concurrency replace');
});
