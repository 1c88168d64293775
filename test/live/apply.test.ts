/**
 * `migrate apply` against both stand-ins: preview and confirmation, server-side apply on
 * Kubernetes, a Chronos POST that never runs a job at once and keeps its counters, refusal when the
 * other system runs the job, and idempotence (a second apply sends nothing).
 */
import { join } from 'node:path';
import { writeSandboxKubeconfig } from '../../backends/kubernetes/kubeconfig.js';
import { FixedClock } from '../../src/core/clock.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { countingProxy, startBench, type LiveBench } from './harness.js';
import { testWithKubectl } from '../helpers/kubectl.js';

const REPORT = (command = '/app/report.rb') => `name: nightly-report\nbackend: chronos\nschedule: "15 */2 * * *"\ncommand: [ruby, ${command}]\n`;
const SYNC = (schedule = '0 * * * *') => `name: hourly-sync\nbackend: kubernetes\nschedule: "${schedule}"\ncommand: "sync --all"\n`;

interface RunEntry { system: string; job: string; scheduledFor: string | null; startedAt: string }

let b: LiveBench;
beforeEach(async () => {
  b = await startBench();
  b.job('nightly-report', REPORT());
  b.job('hourly-sync', SYNC());
});
afterEach(() => b.close());

const runs = async () => (await (await fetch(`${b.chronosUrl}/_sandbox/runs`)).json()) as RunEntry[];
const chronosJob = async (name: string) => ((await b.chronos('GET', '/jobs')).json as Record<string, any>[]).find((j) => j.name === name); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The CLI with a terminal that answers `answer`. */
async function withPrompt(answer: string | (() => Promise<string>), ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; asked: string[] }> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const io: CliIO = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    isTTY: true,
    env: { ...b.env, NO_COLOR: '1' },
    cwd: b.dir,
    clock: new FixedClock(b.sandbox.ctx.clock.now()),
    prompt: async (q) => {
      asked.push(q);
      return typeof answer === 'string' ? answer : answer();
    },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, asked };
}

describe('apply', () => {
  test('creates both jobs; a second apply changes nothing and sends no write', async () => {
    const first = await b.cli('apply', '--yes');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Plan: 2 to create, 0 to update, 0 unchanged.');
    expect(first.stdout).toMatch(/\nkubernetes\/default\/hourly-sync: created\nchronos\/nightly-report: created\n$/);

    const chronos = await countingProxy(b.chronosUrl);
    const kube = await countingProxy(b.sandbox.urls.kubernetes!);
    try {
      const kubeconfig = await writeSandboxKubeconfig(join(b.dir, 'proxied'), kube.url);
      const second = await b.cliWith({ MIGRATE_CHRONOS_URL: chronos.url, KUBECONFIG: kubeconfig }, 'apply');
      expect([second.code, second.stderr]).toEqual([0, '']);
      expect(second.stdout).toBe('= kubernetes/default/hourly-sync: matches its definition\n= chronos/nightly-report: matches its definition\n\nNo changes: 2 job(s) match their definitions.\n');
      expect([...chronos.requests, ...kube.requests].filter((r) => !r.startsWith('GET '))).toEqual([]);
    } finally {
      await Promise.all([chronos.close(), kube.close()]);
    }
  });

  test('Chronos: posted with the next slot as its start, so applying never runs the job at once', async () => {
    expect((await b.cli('apply', '--yes', 'nightly-report')).code).toBe(0);
    expect((await chronosJob('nightly-report'))!.schedule).toBe('R/2026-11-25T10:15:00.000Z/PT2H');
    await b.advance(60);
    expect(await runs()).toEqual([]);
    await b.advance(8 * 60);
    expect((await runs()).map((r) => r.scheduledFor)).toEqual(['2026-11-25T10:15:00.000Z']);
  });

  test('Chronos: an update keeps the live counters and the live start, and adds no run', async () => {
    expect((await b.cli('apply', '--yes', 'nightly-report')).code).toBe(0);
    await b.advance(5 * 3600); // 10:15, 12:15, 14:15 ran
    const before = (await chronosJob('nightly-report'))!;
    expect(before.successCount).toBe(3);
    b.job('nightly-report', REPORT('/app/report-v2.rb'));
    const r = await b.cli('apply', '--yes', 'nightly-report');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-  - /app/report.rb\n+  - /app/report-v2.rb');
    const after = (await chronosJob('nightly-report'))!;
    expect(after).toMatchObject({ successCount: 3, lastSuccess: before.lastSuccess, schedule: before.schedule, arguments: ['/app/report-v2.rb'] });
    await b.advance(3 * 3600);
    expect((await runs()).map((x) => x.scheduledFor)).toEqual(['10:15', '12:15', '14:15', '16:15'].map((t) => `2026-11-25T${t}:00.000Z`));
  });

  test('Chronos: a disabled job is re-enabled from the next slot, not from its stale start', async () => {
    expect((await b.cli('apply', '--yes', 'nightly-report')).code).toBe(0);
    const live = (await chronosJob('nightly-report'))!;
    expect((await b.chronos('POST', '/iso8601', { ...live, disabled: true })).status).toBe(204);
    await b.advance(5 * 3600); // 15:07: the start 10:15 is long past
    const r = await b.cli('apply', '--yes', 'nightly-report');
    expect(r.code).toBe(0);
    expect((await chronosJob('nightly-report'))!).toMatchObject({ disabled: false, schedule: 'R/2026-11-25T16:15:00.000Z/PT2H' });
    await b.advance(60);
    expect(await runs()).toEqual([]);
  });

  test('refuses a job that is enabled in the other system, and changes neither', async () => {
    expect((await b.chronos('POST', '/iso8601', { name: 'hourly-sync', command: 'sync --all', schedule: 'R/2026-11-25T11:00:00.000Z/PT1H' })).status).toBe(204);
    const r = await b.cli('apply', '--yes', 'hourly-sync');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('! kubernetes/default/hourly-sync: refused: it is enabled on chronos; enabling it here too would run every slot twice. Use `migrate move hourly-sync --to kubernetes`');
    expect(r.stdout).toContain('No changes: 1 refused (see above).');
    const [row] = JSON.parse((await b.cli('status', 'hourly-sync', '-o', 'json')).stdout) as { kubernetes: { present: boolean } }[];
    expect(row.kubernetes.present).toBe(false);
    expect((await chronosJob('hourly-sync'))!.disabled).toBe(false);
  });

  test('never enables the job in the other system: a suspended twin stays suspended', async () => {
    expect((await b.cli('apply', '--yes', 'hourly-sync')).code).toBe(0);
    // The same job, declared on Chronos now, while its CronJob is suspended.
    const { KubernetesClient } = await import('../../backends/kubernetes/client.js');
    const k8s = new KubernetesClient({ kubeconfig: b.kubeconfig, sleep: async () => {} });
    await k8s.setEnabled('hourly-sync', false);
    b.job('hourly-sync', 'name: hourly-sync\nbackend: chronos\nschedule: "0 * * * *"\ncommand: "sync --all"\n');
    expect((await b.cli('apply', '--yes', 'hourly-sync')).code).toBe(0);
    expect((await k8s.read('hourly-sync'))!.spec.suspend).toBe(true);
    expect((await chronosJob('hourly-sync'))!.disabled).toBe(false);
  });

  testWithKubectl('Kubernetes: server-side apply as field manager migrate takes back a kubectl edit', async () => {
    expect((await b.cli('apply', '--yes', 'hourly-sync')).code).toBe(0);
    expect((await b.kubectl('patch', 'cronjob', 'hourly-sync', '--type=merge', '-p', '{"spec":{"schedule":"5 * * * *"}}')).code).toBe(0);
    expect((await b.cli('diff', 'hourly-sync')).code).toBe(1);
    const r = await b.cli('apply', '--yes', 'hourly-sync');
    expect(r.stdout).toContain('-  schedule: 5 * * * *\n+  schedule: 0 * * * *');
    expect(r.code).toBe(0);
    expect((await b.cli('diff', 'hourly-sync')).code).toBe(0);
    const live = JSON.parse((await b.kubectl('get', 'cronjob', 'hourly-sync', '-o', 'json', '--show-managed-fields')).stdout) as { metadata: { managedFields: { manager: string; operation: string }[] } };
    expect(live.metadata.managedFields).toContainEqual(expect.objectContaining({ manager: 'migrate', operation: 'Apply' }));
  });

  test('refuses a job with an unfinished move in the journal', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(b.dir, '.migrate'));
    writeFileSync(join(b.dir, '.migrate', 'journal.jsonl'), `${JSON.stringify({
      v: 1, id: 'm-1', job: 'nightly-report', at: '2026-11-25T10:07:00Z', kind: 'begin', operation: 'move', from: 'chronos', to: 'kubernetes', holder: 'ops@laptop pid 1',
      handoff: { at: '2026-11-25T10:30:00Z', previousSlot: null, nextSlot: '2026-11-25T12:15:00Z', guardSeconds: 30 },
      snapshots: { chronos: null, kubernetes: null }, definition: { file: 'jobs/nightly-report.yaml', before: '' },
    })}\n`);
    const r = await b.cli('apply', '--yes');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('! chronos/nightly-report: refused: a move of it is unfinished; finish it with `migrate resume nightly-report`');
    expect(r.stdout).toContain('kubernetes/default/hourly-sync: created');
    expect(await chronosJob('nightly-report')).toBeUndefined();
  });

  describe('a damaged journal', () => {
    // A begin record torn mid-line, then a whole one: a reader that skips the torn line would not
    // see that nightly-report is being moved.
    const begin = (id: string, job: string, from: string, to: string) => JSON.stringify({
      v: 1, id, job, at: '2026-11-25T10:07:00Z', kind: 'begin', operation: 'move', from, to, holder: 'ops@laptop pid 1',
      handoff: { at: '2026-11-25T10:30:00Z', previousSlot: null, nextSlot: '2026-11-25T12:15:00Z', guardSeconds: 30 },
      snapshots: { chronos: null, kubernetes: null }, definition: { file: `jobs/${job}.yaml`, before: '' },
    });
    beforeEach(async () => {
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(join(b.dir, '.migrate'));
      const torn = begin('m-1', 'nightly-report', 'chronos', 'kubernetes').slice(0, 60);
      writeFileSync(join(b.dir, '.migrate', 'journal.jsonl'), `${torn}\n${begin('m-2', 'hourly-sync', 'kubernetes', 'chronos')}\n`);
    });

    test('apply refuses it with the message move gives, and changes nothing', async () => {
      const move = await b.cli('move', 'nightly-report', '--to', 'kubernetes', '--yes');
      expect(move.code).toBe(1);
      expect(move.stderr).toContain(`error: the journal ${join(b.dir, '.migrate', 'journal.jsonl')} is damaged\nline 1: not valid JSON\n`);
      const r = await b.cli('apply', '--yes');
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', move.stderr]);
      expect(await chronosJob('nightly-report')).toBeUndefined();
      expect((await b.chronos('GET', '/jobs')).json).toEqual([]);
    });

    test('status only reports: it warns of the damage and shows the move it could read', async () => {
      const r = await b.cli('status', '-o', 'json');
      expect(r.stderr).toBe('warning: .migrate/journal.jsonl: line 1: not valid JSON\n');
      const rows = JSON.parse(r.stdout) as { name: string; verdict: string }[];
      expect(rows.find((row) => row.name === 'hourly-sync')?.verdict).toBe('in-flight');
    });
  });

  describe('confirmation', () => {
    test('no terminal and no --yes: fails with a hint, changes nothing', async () => {
      const r = await b.cli('apply', 'nightly-report');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('+ chronos/nightly-report: will be created');
      expect(r.stderr).toBe('error: confirmation needed, but there is no terminal to ask on\nReview the preview above, then re-run with --yes to proceed without asking: migrate apply nightly-report --yes\n');
      expect(await chronosJob('nightly-report')).toBeUndefined();
    });

    test.each(['y', 'YES', 'yes please', ''])('answering %j cancels', async (answer) => {
      const r = await withPrompt(answer, 'apply', 'nightly-report');
      expect(r.asked).toHaveLength(1);
      expect([r.code, r.stderr]).toEqual([1, 'Apply cancelled: nothing was changed.\n']);
      expect(await chronosJob('nightly-report')).toBeUndefined();
    });

    test('a plan whose basis changed while the operator read it is refused: nothing is applied', async () => {
      expect((await b.cli('apply', '--yes', 'nightly-report')).code).toBe(0);
      b.job('nightly-report', REPORT('/app/report-v2.rb'));
      const r = await withPrompt(async () => {
        const live = (await chronosJob('nightly-report'))!;
        expect((await b.chronos('POST', '/iso8601', { ...live, mem: 2048 })).status).toBe(204);
        return 'yes';
      }, 'apply', 'nightly-report');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('error: the live state changed since the preview: chronos/nightly-report; nothing was applied\nRe-run `migrate apply nightly-report` to see the new plan.\n');
      expect((await chronosJob('nightly-report'))!).toMatchObject({ mem: 2048, arguments: ['/app/report.rb'] });
    });

    test('a run while the operator read the plan is not stale, and is not run again', async () => {
      expect((await b.cli('apply', '--yes', 'nightly-report')).code).toBe(0);
      b.job('nightly-report', REPORT('/app/report-v2.rb'));
      const r = await withPrompt(async () => {
        await b.advance(15 * 60); // the 10:15 slot runs while the question is open
        return 'yes';
      }, 'apply', 'nightly-report');
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect((await chronosJob('nightly-report'))!).toMatchObject({ successCount: 1, schedule: 'R/2026-11-25T12:15:00.000Z/PT2H', arguments: ['/app/report-v2.rb'] });
      await b.advance(60);
      expect((await runs()).map((x) => x.scheduledFor)).toEqual(['2026-11-25T10:15:00.000Z']);
    });

    test('answering exactly yes applies', async () => {
      const r = await withPrompt('yes', 'apply', 'nightly-report');
      expect(r.asked[0]).toContain("Only 'yes' will be accepted");
      expect(r.code).toBe(0);
      expect(await chronosJob('nightly-report')).toBeDefined();
    });
  });
});
