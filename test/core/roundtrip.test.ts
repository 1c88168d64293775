/**
 * Every definition in jobs/ and test/fixtures/jobs/ (drop a file in to add a case): it loads and
 * lints clean, and rendering it for a backend and reading the result back gives the definition
 * again, except for exactly the fields the render reported as dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_BACKENDS, backendLinters, backendOf } from '../../backends/index.js';
import { chronosJobToDefinition, renderChronosJob } from '../../backends/chronos/render.js';
import { cronJobToDefinition, renderCronJob } from '../../backends/kubernetes/render.js';
import { readDefinition } from '../../src/core/definition.js';
import { DEFAULT_NAMESPACE, DEFAULT_STARTING_DEADLINE_SECONDS, type JobDefinition, type ResourceAmounts } from '../../src/core/job.js';
import { lintDefinitions } from '../../src/core/lint.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { parseProjectConfig } from '../../src/core/project.js';
import { parseQuantity } from '../../src/core/quantity.js';
import { cronTimes, parseCron } from '../../src/core/schedule/cron.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = new Date('2026-11-25T10:07:00Z');
const { config: project } = parseProjectConfig('migrate.yaml', fs.readFileSync(path.join(root, 'migrate.yaml'), 'utf8'), BACKEND_NAMES);
const files = ['jobs', 'test/fixtures/jobs'].flatMap((dir) =>
  fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)),
);

function load(file: string): JobDefinition {
  const { definition, diagnostics } = readDefinition(file, fs.readFileSync(path.join(root, file), 'utf8'), project);
  expect(diagnostics).toEqual([]);
  return definition!.job;
}

/** Quantities compared by value, not spelling (`250m` is `0.25`); schedules by fire times (`@hourly` is `0 * * * *`). */
function comparable(job: JobDefinition): unknown {
  const exact = (a?: ResourceAmounts) =>
    a && Object.fromEntries(Object.entries(a).map(([k, v]) => { const q = parseQuantity(v!)!; return [k, `${q.num}/${q.den}`]; }));
  const { requests, limits } = job.resources;
  const fireTimes = cronTimes(parseCron(job.schedule), job.timezone, NOW, 400).map((d) => d.toISOString());
  return { ...job, schedule: fireTimes, resources: { ...(requests ? { requests: exact(requests) } : {}), ...(limits ? { limits: exact(limits) } : {}) } };
}

describe.each(files)('%s', (file) => {
  const job = load(file);

  test('lints without errors; its warnings are what its backend\'s render reports as not carried', () => {
    const def = readDefinition(file, fs.readFileSync(path.join(root, file), 'utf8'), project).definition!;
    const found = lintDefinitions([def], BACKEND_NAMES, backendLinters(() => NOW));
    expect(found.filter((d) => d.severity === 'error')).toEqual([]);
    const dropped = backendOf(job.backend).render(job, NOW).warnings.map((w) => w.message);
    expect(found.map((d) => d.message).sort()).toEqual(dropped.sort());
  });

  test.each(ALL_BACKENDS.map((b) => [b.name, b] as const))('%s normalises its own render to a fixed point', (_name, backend) => {
    if (backend.lint(job, NOW).some((f) => f.field === 'schedule')) return;
    const once = backend.normalize(backend.render(job, NOW).manifest);
    expect(backend.normalize(once)).toEqual(once);
  });

  test('Kubernetes: render then read back gives the same definition, but for other backends\' own fields, each reported', () => {
    const rendered = renderCronJob(job);
    const back = cronJobToDefinition(rendered.manifest);
    expect(back.warnings).toEqual([]);
    const { specific, ...rest } = job;
    const ownFields = Object.entries(specific ?? {}).flatMap(([b, section]) => Object.keys(section).filter((k) => k !== 'name').map((k) => `specific.${b}.${k}`));
    expect(rendered.warnings.map((w) => w.field).sort()).toEqual(ownFields.sort());
    // Bridge is Kubernetes' own pod network: it reads back as the default.
    expect(comparable(back.definition)).toEqual(comparable({ ...rest, backend: 'kubernetes', ...(job.network === 'bridge' ? { network: undefined } : {}) }));
  });

  test('Chronos: render then read back differs only in the fields reported as dropped', () => {
    if (backendLinters(() => NOW).chronos(job).some((f) => f.field === 'schedule')) {
      expect(() => renderChronosJob(job, NOW)).toThrow(/cannot be rendered for Chronos/);
      return;
    }
    const rendered = renderChronosJob(job, NOW);
    const dropped = new Set(rendered.warnings.map((w) => w.field.split('.')[0]));
    const back = chronosJobToDefinition(rendered.manifest, NOW);
    // What Chronos keeps in specific.chronos is said (a move elsewhere drops it), not lost.
    expect(back.warnings.filter((w) => !w.carried)).toEqual([]);
    expect(back.warnings.map((w) => w.field.split('.')[0]).sort()).toEqual(Object.keys(job.specific?.chronos ?? {}).filter((k) => k !== 'name').sort());
    const expected: JobDefinition = {
      ...job,
      backend: 'chronos',
      env: Object.fromEntries(Object.entries(job.env).filter(([, v]) => typeof v === 'string')),
      resources: job.resources.requests ? { requests: job.resources.requests } : {},
      labels: {},
      concurrency: job.concurrency === 'replace' ? 'forbid' : job.concurrency,
      tier: undefined,
      namespace: DEFAULT_NAMESPACE,
      startingDeadlineSeconds: DEFAULT_STARTING_DEADLINE_SECONDS,
    };
    expect(comparable(back.definition)).toEqual(comparable(expected));
    // Each difference is one the render announced (the namespace only says where a Kubernetes
    // copy would live: Chronos has none, and the definition keeps it).
    for (const field of ['env', 'labels', 'startingDeadline', 'concurrency'] as const) {
      const key = field === 'startingDeadline' ? 'startingDeadlineSeconds' : field;
      if (JSON.stringify(job[key]) !== JSON.stringify(expected[key])) expect(dropped).toContain(field);
    }
    if (job.resources.limits) expect(dropped).toContain('resources');
  });
});
