/**
 * The cache of parsed definitions (src/cli/definition-cache.ts): used when a file has not changed
 * since the cache was written, never when it has (even rewritten to the same size with its mtime
 * put back), never for a file changed just before the cache was written, and no failure when it is
 * damaged or cannot be kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

const HOUR_MS = 3_600_000;

function definition(name: string, owner: string): string {
  return `name: ${name}\nbackend: kubernetes\nschedule: "*/5 * * * *"\ncommand: [task]\nimage: busybox\nowner: ${owner}\n`;
}

function project(): { cwd: string; cache: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'definition-cache-'));
  fs.mkdirSync(path.join(cwd, 'jobs'));
  fs.writeFileSync(path.join(cwd, 'jobs', 'alpha.yaml'), definition('alpha', 'team-a@example.com'));
  fs.writeFileSync(path.join(cwd, 'jobs', 'beta.yaml'), definition('beta', 'team-b@example.com'));
  return { cwd, cache: path.join(cwd, 'cache') };
}

function cacheFiles(cache: string): string[] {
  const dir = path.join(cache, 'migrate');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
}

/** As if the cache had been written an hour after the files last changed. */
function ageFiles(cache: string): void {
  const later = new Date(Date.now() + HOUR_MS);
  for (const f of cacheFiles(cache)) fs.utimesSync(f, later, later);
}

/** Changes what the cache remembers of a job's owner, to see whether a run takes it from there. */
function tamper(cache: string, from: string, to: string): void {
  for (const f of cacheFiles(cache)) {
    const mtime = fs.statSync(f).mtime;
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replaceAll(from, to));
    fs.utimesSync(f, mtime, mtime);
  }
}

async function owners(cwd: string, cache: string): Promise<string> {
  const r = await runCli(['render', '--to', 'k8s', 'alpha'], { cwd, env: { XDG_CACHE_HOME: cache } });
  expect(r.code).toBe(0);
  return /owner: (\S+)/.exec(r.stdout)?.[1] ?? r.stdout;
}

describe('the cache of parsed definitions', () => {
  test('a second read of an unchanged folder comes from the cache, with the same answer', async () => {
    const { cwd, cache } = project();
    const first = await runCli(['validate', '-o', 'json'], { cwd, env: { XDG_CACHE_HOME: cache } });
    expect(cacheFiles(cache)).toHaveLength(1);
    ageFiles(cache);
    const second = await runCli(['validate', '-o', 'json'], { cwd, env: { XDG_CACHE_HOME: cache } });
    expect(second).toEqual(first);
    tamper(cache, 'team-a@example.com', 'from-the-cache@example.com');
    expect(await owners(cwd, cache)).toMatch(/from-the-cache/);
  });

  test('a file rewritten to the same size, its mtime put back, is read again', async () => {
    const { cwd, cache } = project();
    await owners(cwd, cache);
    ageFiles(cache);
    const file = path.join(cwd, 'jobs', 'alpha.yaml');
    const { mtime, size } = fs.statSync(file);
    fs.writeFileSync(file, definition('alpha', 'team-z@example.com'));
    fs.utimesSync(file, mtime, mtime);
    expect(fs.statSync(file).size).toBe(size);
    expect(await owners(cwd, cache)).toBe('team-z@example.com');
  });

  test('a file changed shortly before the cache was written is read again', async () => {
    const { cwd, cache } = project();
    await owners(cwd, cache);
    tamper(cache, 'team-a@example.com', 'from-the-cache@example.com');
    expect(await owners(cwd, cache)).toBe('team-a@example.com');
  });

  test('a damaged cache is no cache, and is replaced', async () => {
    const { cwd, cache } = project();
    await owners(cwd, cache);
    for (const f of cacheFiles(cache)) fs.writeFileSync(f, 'migrate-definitions-1\n{"entries": {"x": [');
    expect(await owners(cwd, cache)).toBe('team-a@example.com');
    const damaged = (await runCli(['validate'], { cwd, env: { XDG_CACHE_HOME: cache } }));
    expect(damaged).toMatchObject({ code: 0, stdout: '2 jobs valid.\n' });
    expect(fs.readFileSync(cacheFiles(cache)[0]!, 'utf8')).toContain('team-a@example.com');
  });

  test('a cache that cannot be written is not written, and nothing fails', async () => {
    const { cwd } = project();
    const blocked = path.join(cwd, 'not-a-folder');
    fs.writeFileSync(blocked, '');
    expect(await runCli(['validate'], { cwd, env: { XDG_CACHE_HOME: blocked } })).toMatchObject({ code: 0, stdout: '2 jobs valid.\n' });
  });

  test('without XDG_CACHE_HOME or HOME there is no cache', async () => {
    const { cwd, cache } = project();
    expect(await runCli(['validate'], { cwd })).toMatchObject({ code: 0, stdout: '2 jobs valid.\n' });
    expect(cacheFiles(cache)).toEqual([]);
  });
});
