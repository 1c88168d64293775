/**
 * A wave that pushes a minute of its target above `capacity.startsPerMinute`: `move` warns in its
 * plan (each job's plan that starts in the minute, the wave's summary, `-o json`), and `--strict`
 * refuses it before anything changes. On the sandbox, over real sockets.
 */
import { jobYaml, startSandboxRepo, type SandboxRepo } from '../helpers/sandbox-repo.js';

interface PlanJson { readonly job: string; readonly capacity: readonly { readonly system: string; readonly minute: string; readonly before: number; readonly after: number; readonly capacity: number; readonly moving: readonly string[] }[] }

let repo: SandboxRepo;
afterEach(async () => {
  await repo?.close();
});

const HOURLY = '0 * * * *';

test('a wave above the target\'s capacity is a warning in the plan, and refused with --strict; one within it says nothing', async () => {
  repo = await startSandboxRepo({
    start: '2026-11-25T10:07:00Z',
    project: 'defaults:\n  image: registry.example.com/app:1.2\ncapacity:\n  startsPerMinute:\n    k8s: 2\n',
    jobs: {
      a: jobYaml('a', 'chronos', HOURLY, { lines: 'tier: low' }),
      b: jobYaml('b', 'chronos', HOURLY, { lines: 'tier: low' }),
      c: jobYaml('c', 'chronos', '30 * * * *', { lines: 'tier: low' }),
      quiet: jobYaml('quiet', 'chronos', '45 * * * *', { lines: 'tier: medium' }),
      there: jobYaml('there', 'kubernetes', HOURLY),
    },
  });
  // Every hour at :00 Kubernetes would start there, a and b: 3 > 2, for each of the 168 hours of the week counted.
  const dry = await repo.cli('move', '-l', 'tier=low', '--to', 'k8s', '--dry-run');
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('Capacity: the wave pushes 168 minutes above capacity.startsPerMinute (move --strict refuses):\n  ! kubernetes starts 3 runs at 2026-11-25T11:00:00Z, above its capacity of 2 a minute (1 before; moving in: a, b)');
  expect(dry.stdout).toContain('  ! and 163 more minutes above capacity');

  const json = JSON.parse((await repo.cli('move', '-l', 'tier=low', '--to', 'k8s', '--dry-run', '-o', 'json')).stdout) as PlanJson[];
  expect(json.map((p) => [p.job, p.capacity.length])).toEqual([['a', 168], ['b', 168], ['c', 0]]);
  expect(json[0]!.capacity[0]).toEqual({ system: 'kubernetes', minute: '2026-11-25T11:00:00Z', before: 1, after: 3, capacity: 2, moving: ['a', 'b'] });

  const one = await repo.cli('move', 'a', '--to', 'k8s', '--dry-run');
  expect(one.stdout).not.toContain('Capacity');

  const strict = await repo.cli('move', '-l', 'tier=low', '--to', 'k8s', '--yes', '--strict');
  expect(strict.code).toBe(1);
  expect(strict.stderr).toContain('error: the wave pushes 168 minutes of kubernetes above its capacity (--strict); nothing changed');
  expect(strict.stderr).toContain('Move fewer jobs at once, raise capacity.startsPerMinute in migrate.yaml, or leave out --strict to move with a warning.');
  expect(repo.journal()).toEqual([]);
  // Within capacity, --strict lets the wave go.
  const fine = await repo.cli('move', 'c', 'quiet', '--to', 'k8s', '--yes', '--strict', '--advance-sandbox');
  expect([fine.code, fine.stdout]).toEqual([0, expect.not.stringContaining('Capacity')]);
});
