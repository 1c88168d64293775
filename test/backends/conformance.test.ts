/**
 * The backend conformance suite: the contract every backend in the registry must keep, run against
 * each of them alike (a third backend is added to the registry and must pass it; docs/architecture.md,
 * "What a third backend adds"). No test names a backend: each one asks the backend itself.
 *
 * - the model: a render reads back as its definition, less what it reported as dropped; `normalize`
 *   is a fixed point; `withEnabled` and `isEnabled` agree; a fresh render shows no diff;
 * - the live contract, against the backend's stand-in in a sandbox on a virtual clock: `apply`
 *   places a job that `read` and `list` return alike; `disable`, `enableFrom` (idempotent) and the
 *   evidence of what ran (`taken`, `pending`) agree with the sandbox's run ledger;
 * - errors: a closed port is `unreachable`, a 401/403 `refused`, settings that build no client
 *   `misconfigured`; a refused write was `not-applied`, a lost answer `unknown`.
 */
import { ALL_BACKENDS } from '../../backends/index.js';
import type { Backend, BackendConnection } from '../../src/core/backend.js';
import type { CutoverSide } from '../../src/core/cutover.js';
import { DEFAULT_NAMESPACE, type JobDefinition } from '../../src/core/job.js';
import { cronNext, parseCron } from '../../src/core/schedule/cron.js';
import { jobYaml } from '../helpers/sandbox-repo.js';
import { comparableDefinition, droppedPaths, EXAMPLE_FILES, expectedImport, loadExample, loadJob, namesAFileField, PROJECT, startContractBench, type ContractBench } from './contract.js';

const START = '2026-11-25T10:07:00Z';
/** Every ten minutes: a slot comes soon, and a run's start window (20 min) spans two of them. */
const SCHEDULE = '*/10 * * * *';
const WRITES = '^(POST|PUT|PATCH|DELETE)$';

describe.each(ALL_BACKENDS.map((b) => [b.name, b] as const))('%s', (_name, backend: Backend) => {
  let bench: ContractBench;
  let conn: BackendConnection;
  beforeAll(async () => {
    bench = await startContractBench(START);
    conn = backend.connect(bench.settings);
  });
  afterAll(() => bench.close());
  afterEach(() => bench.repo.sandbox.ctx.faults.clear());

  const now = () => bench.clock.now();
  const job = (name: string): JobDefinition => loadJob(`jobs/${name}.yaml`, jobYaml(name, backend.name, SCHEDULE));
  const nextSlot = (after: Date) => cronNext(parseCron(SCHEDULE), 'Etc/UTC', after)!;
  const scheduleOf = (j: JobDefinition) => ({ cron: j.schedule, timezone: j.timezone, startingDeadlineSeconds: j.startingDeadlineSeconds });
  /** Places `j` as `migrate apply` does, and returns its side and its live copy. */
  const placed = async (j: JobDefinition): Promise<{ side: CutoverSide; live: unknown; scope: string }> => {
    const scope = conn.scopeOf(j);
    await conn.apply(j, scope);
    const side = conn.side(j);
    const live = await side.read();
    if (live === undefined) throw new Error(`${j.name}: apply placed nothing`);
    return { side, live, scope };
  };
  const runsOf = (name: string) => bench.repo.sandbox.ctx.ledger.all().filter((r) => r.job === name);
  /** The writes since `mark` that changed something (a create refused because the name is taken changed nothing). */
  const writesSince = (mark: number) =>
    bench.repo.sandbox.ctx.requests.all().slice(mark)
      .filter((r) => r.system === backend.name && new RegExp(WRITES).test(r.method) && r.status !== null && r.status < 300)
      .map((r) => `${r.method} ${r.path}`);

  /**
   * `copy`, imported, gives back every field the definition states, less what its render said it
   * dropped. It may state more (a server default the import cannot tell from the owner's choice,
   * such as a resource request the definition left out), but only what renders to the same object.
   */
  const expectImportsBack = (j: JobDefinition, scope: string, copy: unknown, live: unknown): void => {
    const back = backend.toDefinition(copy, now());
    // A field kept in the job's own section (`specific.<backend>`) is said, not lost.
    expect(back.warnings.filter((w) => !w.carried)).toEqual([]);
    const expected = expectedImport(j, backend, scope, droppedPaths(backend.render(j, now()).warnings), back.definition);
    expect(comparableDefinition(back.definition, now())).toMatchObject(comparableDefinition(expected, now()));
    const again = backend.comparable(backend.desired(back.definition, now(), scope, live), backend.desired(j, now(), scope, live));
    expect(again.live).toEqual(again.desired);
  };

  describe('the model', () => {
    const accepted = EXAMPLE_FILES.map((file) => [file, { ...loadExample(file), backend: backend.name }] as const).filter(([, j]) => backend.lint(j, new Date(START)).every((f) => f.severity === 'warning'));

    test('accepts some example jobs', () => {
      expect(accepted.length).toBeGreaterThan(0);
    });

    test.each(accepted)('%s: its rendered copy imports back as the definition, less what the render said it dropped', (_file, j) => {
      const scope = conn.scopeOf(j);
      expect(backend.render(j, now()).warnings.filter((w) => !namesAFileField(w))).toEqual([]);
      expectImportsBack(j, scope, backend.desired(j, now(), scope, undefined), undefined);
    });

    test.each(accepted)('%s: normalize is a fixed point, enabled is what withEnabled set, and a fresh render shows no diff', (_file, j) => {
      const desired = backend.desired(j, now(), conn.scopeOf(j), undefined);
      const once = backend.normalize(desired);
      expect(backend.normalize(once)).toEqual(once);
      expect(backend.isEnabled(desired)).toBe(true);
      for (const enabled of [false, true]) expect(backend.isEnabled(backend.withEnabled(desired, enabled))).toBe(enabled);
      const fresh = backend.comparable(desired, desired);
      expect(fresh.live).toEqual(fresh.desired);
      // Switching off and on again changes nothing else.
      const flipped = backend.comparable(backend.withEnabled(backend.withEnabled(desired, false), true), desired);
      expect(flipped.live).toEqual(flipped.desired);
    });

    test('a paused definition renders switched off and imports back paused', () => {
      const j = { ...job('paused'), paused: true };
      const desired = backend.desired(j, now(), conn.scopeOf(j), undefined);
      expect(backend.isEnabled(desired)).toBe(false);
      expect(backend.toDefinition(desired, now()).definition.paused).toBe(true);
      expect(backend.toDefinition(backend.withEnabled(desired, true), now()).definition.paused).toBeUndefined();
    });
  });

  describe('against its stand-in', () => {
    test('apply places each example job it accepts; read and list return the same copy, which shows no diff and imports back', async () => {
      // The sandbox holds the project's namespace only.
      const accepted = EXAMPLE_FILES.map((file) => ({ ...loadExample(file), backend: backend.name, namespace: PROJECT.defaults.namespace ?? DEFAULT_NAMESPACE }))
        .filter((j) => backend.lint(j, now()).every((f) => f.severity === 'warning'));
      expect(accepted.length).toBeGreaterThan(0);
      for (const j of accepted) {
        const { live, scope } = await placed(j);
        expect(backend.nameOf(live)).toBe(j.name);
        expect([backend.isEnabled(live), backend.isManaged(live), backend.applyRefusal(live)]).toEqual([true, true, undefined]);
        const listing = (await conn.list([scope])).get(scope);
        expect(listing?.ok && listing.items.get(j.name)).toEqual(live);

        const sides = backend.comparable(live, backend.desired(j, now(), scope, live));
        expect(sides.live).toEqual(sides.desired);
        expect(backend.normalize(backend.normalize(live))).toEqual(backend.normalize(live));

        expectImportsBack(j, scope, live, live);
      }
    });

    test('a placed job runs its slots: taken and pending follow the ledger', async () => {
      const j = job('runs');
      const { side, live } = await placed(j);
      const slot = nextSlot(now());
      expect([side.pending(live, slot), await side.taken(live, [slot])]).toEqual([true, [false]]);

      bench.clock.advance((slot.getTime() - now().getTime()) / 1000 + 60);
      expect(runsOf(j.name).map((r) => [r.system, r.scheduledFor])).toEqual([[backend.name, slot.toISOString()]]);
      const after = await side.read();
      expect([side.pending(after, slot), await side.taken(after, [slot])]).toEqual([false, [true]]);
      const later = nextSlot(now());
      expect([side.pending(after, later), await side.taken(after, [later])]).toEqual([true, [false]]);
    });

    test('disable switches it off and it runs nothing; enableFrom switches it on from the slot named, once', async () => {
      const j = job('cycle');
      const { side, live } = await placed(j);
      await side.disable(live);
      const off = await side.read();
      expect(off).toBeDefined();
      expect(backend.isEnabled(off)).toBe(false);

      const skipped = nextSlot(now());
      bench.clock.advance((skipped.getTime() - now().getTime()) / 1000 + 60);
      expect(runsOf(j.name)).toEqual([]);
      expect(await side.taken(await side.read(), [skipped])).toEqual([false]);

      const first = nextSlot(now());
      const desired = backend.desired(j, now(), conn.scopeOf(j), await side.read());
      const outcome = await side.enableFrom(desired, first, scheduleOf(j));
      expect([outcome.firstSlot, outcome.compensated, outcome.lost]).toEqual([first, [], []]);
      const on = await side.read();
      expect(backend.isEnabled(on)).toBe(true);
      expect([side.pending(on, first), await side.taken(on, [first])]).toEqual([true, [false]]);

      const mark = bench.repo.sandbox.ctx.requests.all().length;
      await side.enableFrom(desired, first, scheduleOf(j));
      expect(writesSince(mark)).toEqual([]);
      expect(await side.read()).toEqual(on);

      bench.clock.advance((first.getTime() - now().getTime()) / 1000 + 60);
      expect(runsOf(j.name).map((r) => [r.system, r.scheduledFor])).toEqual([[backend.name, first.toISOString()]]);
      expect(await side.taken(await side.read(), [first])).toEqual([true]);
    });

    test('placePaused replaces a copy with the definition switched off, again and again, and it runs nothing', async () => {
      const j = job('placed-paused');
      const { side, live } = await placed(j);
      await side.disable(live);
      const changed = { ...j, paused: true, retries: j.retries + 1 };
      const desired = backend.desired(changed, now(), conn.scopeOf(changed), await side.read());
      await side.placePaused(desired);
      await side.placePaused(desired);
      const off = await side.read();
      expect(off !== undefined && backend.isEnabled(off)).toBe(false);
      const sides = backend.comparable(off, desired);
      expect(sides.live).toEqual(sides.desired);
      const slot = nextSlot(now());
      bench.clock.advance((slot.getTime() - now().getTime()) / 1000 + 60);
      expect(runsOf(j.name)).toEqual([]);
    });

    test('enableFrom a slot that passed inside the start window runs it once, and a second call runs nothing more', async () => {
      const j = job('catch-up');
      const { side, live } = await placed(j);
      await side.disable(live);
      const passed = nextSlot(now());
      bench.clock.advance((passed.getTime() - now().getTime()) / 1000 + 60);

      const desired = backend.desired(j, now(), conn.scopeOf(j), await side.read());
      const outcome = await side.enableFrom(desired, passed, scheduleOf(j));
      expect([outcome.compensated, outcome.lost]).toEqual([[passed], []]);
      const on = await side.read();
      const mark = bench.repo.sandbox.ctx.requests.all().length;
      await side.enableFrom(desired, passed, scheduleOf(j));
      expect(writesSince(mark)).toEqual([]);
      expect(await side.read()).toEqual(on);

      bench.clock.advance(60);
      expect(runsOf(j.name).map((r) => [r.system, r.scheduledFor])).toEqual([[backend.name, passed.toISOString()]]);
      expect(await side.taken(await side.read(), [passed])).toEqual([true]);
    });
  });

  describe('errors', () => {
    const readError = async (c: BackendConnection, j: JobDefinition): Promise<unknown> => {
      try {
        await c.side(j).read();
      } catch (err) {
        return err;
      }
      throw new Error('the read succeeded');
    };

    test('a server that refuses the connection is unreachable, for a read and a listing', async () => {
      const dead = backend.connect(bench.unreachable);
      const j = job('read');
      expect(backend.failureClass(await readError(dead, j))).toBe('unreachable');
      const listing = (await dead.list([dead.scopeOf(j)])).get(dead.scopeOf(j));
      expect(listing?.ok === false && backend.failureClass(listing.cause)).toBe('unreachable');
    });

    test.each([401, 403])('a %i answer is refused', async (status) => {
      bench.repo.sandbox.ctx.faults.add({ system: backend.name, status, times: 1 });
      expect(backend.failureClass(await readError(conn, job('read')))).toBe('refused');
    });

    test('settings no client can be built from are misconfigured', async () => {
      expect(backend.failureClass(await readError(backend.connect(bench.misconfigured), job('read')))).toBe('misconfigured');
    });

    test('an error of no client is not classified', () => {
      expect(backend.failureClass(new Error('something else'))).toBeUndefined();
    });

    test('a refused write was not applied', async () => {
      const j = job('refused-write');
      const { side, live } = await placed(j);
      bench.repo.sandbox.ctx.faults.add({ system: backend.name, method: WRITES, status: 403, times: 1 });
      const err = await side.disable(live).then(() => new Error('the write succeeded'), (e: unknown) => e);
      expect([side.writeFailure(err), backend.failureClass(err)]).toEqual(['not-applied', 'refused']);
      expect(backend.isEnabled(await side.read())).toBe(true);
    });

    test('a write whose answer was lost is unknown (it may have landed, and here it did)', async () => {
      const j = job('lost-answer');
      const { side, live } = await placed(j);
      bench.repo.sandbox.ctx.faults.add({ system: backend.name, method: WRITES, mode: 'drop-answer', times: 1 });
      const err = await side.disable(live).then(() => new Error('the write succeeded'), (e: unknown) => e);
      expect([side.writeFailure(err), backend.failureClass(err)]).toEqual(['unknown', 'unreachable']);
      expect(backend.isEnabled(await side.read())).toBe(false);
    });
  });
});
