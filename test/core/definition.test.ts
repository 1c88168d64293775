import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDefinition } from '../../src/core/definition.js';
import { BACKEND_NAMES } from '../../backends/names.js';
import { emptyProject, parseProjectConfig } from '../../src/core/project.js';

const EMPTY_PROJECT = emptyProject(BACKEND_NAMES);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('readDefinition', () => {
  test('the original job-name-here example loads unchanged, as a Kubernetes job', () => {
    const text = fs.readFileSync(path.join(root, 'jobs/job-name-here.yaml'), 'utf8');
    const { definition, diagnostics } = readDefinition('jobs/job-name-here.yaml', text, EMPTY_PROJECT);
    expect(diagnostics).toEqual([]);
    expect(definition?.format).toBe('block');
    expect(definition?.job).toMatchObject({
      name: 'job-name-here',
      backend: 'kubernetes',
      schedule: '15 */2 * * *',
      timezone: 'Etc/UTC',
      command: ['ruby', '/path/to/script.rb'],
      resources: { requests: { cpu: '0.1', memory: '128M' }, limits: { memory: '1024M' } },
      retries: 2,
      concurrency: 'forbid',
      startingDeadlineSeconds: 1200,
    });
  });

  test('blank lines and comments in the original format do not matter', () => {
    const text = '\n# seed example\nname: job-name-here\n\nchronos:\n  schedule: "15 */2 * * *"\n\ncommand:\n- ruby\n';
    const { definition, diagnostics } = readDefinition('x.yaml', text, EMPTY_PROJECT);
    expect(diagnostics).toEqual([]);
    expect(definition?.job.backend).toBe('chronos');
    expect(definition?.positions.schedule).toEqual({ line: 6, col: 13 });
  });

  test('image: null keeps a job without an image where migrate.yaml has a default one', () => {
    const { config } = parseProjectConfig('migrate.yaml', 'defaults:\n  image: base:1\n', BACKEND_NAMES);
    const job = (image: string) => readDefinition('x.yaml', `name: x\nbackend: chronos\nschedule: "0 3 * * *"\ncommand: /bin/true\n${image}`, config);
    expect(job('').definition?.job.image).toBe('base:1');
    for (const none of ['image: null\n', 'image: ~\n', 'image:\n']) {
      const { definition, diagnostics } = job(none);
      expect([diagnostics, definition?.job.image]).toEqual([[], undefined]);
    }
  });

  test('the container fields and a backend\'s own section read as written', () => {
    const text = [
      'name: etl', 'backend: chronos', 'schedule: "*/15 * * * *"', 'command: etl', 'image: etl:4', 'pullPolicy: Always', 'network: bridge',
      'volumes: [{hostPath: /srv, mountPath: /data, readOnly: true}, {hostPath: /tmp, mountPath: /scratch, readOnly: false}]',
      'specific: {chronos: {name: ETL_Daily.v2, constraints: [[rack, EQUALS, r1]]}}', '',
    ].join('\n');
    const { definition, diagnostics } = readDefinition('x.yaml', text, EMPTY_PROJECT);
    expect(diagnostics).toEqual([]);
    expect(definition?.job).toMatchObject({
      pullPolicy: 'always',
      network: 'bridge',
      volumes: [{ hostPath: '/srv', mountPath: '/data', readOnly: true }, { hostPath: '/tmp', mountPath: '/scratch' }],
      specific: { chronos: { name: 'ETL_Daily.v2', constraints: [['rack', 'EQUALS', 'r1']] } },
    });
    expect(definition?.positions['specific.chronos.constraints']).toEqual({ line: 9, col: 55 });
  });

  test('project defaults fill what a job leaves out, and a job overrides them', () => {
    const { config, diagnostics: projectProblems } = parseProjectConfig('migrate.yaml', 'defaults:\n  image: base:1\n  timezone: Europe/Berlin\n  retries: 5\n  resources: {requests: {cpu: 0.5}}\nkubernetes:\n  namespace: batch\n', BACKEND_NAMES);
    expect(projectProblems).toEqual([]);
    const { definition } = readDefinition('j.yaml', 'name: j\nbackend: k8s\nschedule: "0 0 * * *"\ncommand: echo hi\nretries: 1\n', config);
    expect(definition?.job).toMatchObject({ backend: 'kubernetes', image: 'base:1', timezone: 'Europe/Berlin', retries: 1, namespace: 'batch', command: 'echo hi', resources: { requests: { cpu: '0.5' } } });
  });

  test.each([
    ['backend: chronos\nkubernetes:\n  schedule: "0 0 * * *"\n', 2, 10, 'backend: chronos contradicts the "kubernetes:" block; keep one of them'],
    ['kubernetes:\n  schedule: "0 0 * * *"\nchronos:\n  schedule: "0 0 * * *"\n', 4, 1, 'both "kubernetes:" and "chronos:" blocks are present; a job runs in exactly one place, so keep one'],
    ['backend: chronos\nschedule: "0 0 * * *"\nkubernetes:\n  schedul: "0 0 * * *"\n', 5, 3, 'unknown field "kubernetes.schedul"; did you mean "kubernetes.schedule"?'],
    ['backend: chronos\nschedule: "0 0 * * *"\nconcurrency: sometimes\n', 4, 14, 'concurrency must be allow, forbid or replace (Kubernetes only), found "sometimes"'],
    ['backend: chronos\nschedule: "0 0 * * *"\nstartingDeadline: soon\n', 4, 19, 'startingDeadline: "soon" is not a duration; write e.g. 20m, 90s or 1h'],
    ['backend: chronos\nschedule: "0 0 * * *"\nenv: {API_TOKEN: {secretKeyRef: {name: api}}}\n', 4, 33, 'env.API_TOKEN.secretKeyRef needs both name and key'],
    ['backend: chronos\nschedule: [0, 0]\n', 3, 11, 'schedule must be a non-empty string, found a list'],
  ])('%j -> line %d col %d: %s', (body, line, col, message) => {
    const { diagnostics } = readDefinition('j.yaml', `name: j\n${body}command: [/bin/true]\n`, EMPTY_PROJECT);
    expect(diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toContain(`${line}:${col}: ${message}`);
  });

  test('a syntax error carries its position and nothing else is reported for that file', () => {
    const { diagnostics, definition } = readDefinition('j.yaml', 'name: j\nschedule: "0 0 * * *\ncommand: [/bin/true]\n', EMPTY_PROJECT);
    expect(definition).toBeUndefined();
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0].message).toMatch(/^YAML syntax: /);
    expect(diagnostics[0].line).toBeGreaterThanOrEqual(2);
  });
});
