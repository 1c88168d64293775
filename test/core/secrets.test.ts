import { parse } from 'yaml';
import { BACKEND_NAMES } from '../../backends/names.js';
import { definitionBeforeMove, definitionHasMaskedSecrets, maskDefinitionSecrets, setDefinitionBackend } from '../../src/core/definition-edit.js';
import { MASK, redactSecrets, redactSecretsNamed, restorableSnapshot } from '../../src/core/secrets.js';

describe('redactSecrets', () => {
  test('masks secret-named env values in both systems\' shapes, and nothing else', () => {
    const chronos = { name: 'job', command: 'run', environmentVariables: [{ name: 'API_TOKEN', value: 't0p' }, { name: 'RAILS_ENV', value: 'production' }] };
    const cronJob = {
      metadata: { name: 'job', annotations: { 'migrate.io/owner': 'a@b' } },
      spec: { containers: [{ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'REF', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] },
    };
    const definitionEnv = { SERVICE_KEY: 'abc', PLAIN: '1' };
    expect(redactSecrets(chronos).environmentVariables).toEqual([{ name: 'API_TOKEN', value: MASK }, { name: 'RAILS_ENV', value: 'production' }]);
    expect(redactSecrets(cronJob)).toEqual({ ...cronJob, spec: { containers: [{ env: [{ name: 'DB_PASSWORD', value: MASK }, cronJob.spec.containers[0]!.env[1]] }] } });
    expect(redactSecrets(definitionEnv)).toEqual({ SERVICE_KEY: MASK, PLAIN: '1' });
    expect(JSON.stringify(redactSecrets([chronos, cronJob]))).not.toMatch(/t0p|hunter2/);
    expect(redactSecretsNamed([chronos, cronJob, chronos])).toEqual({ redacted: redactSecrets([chronos, cronJob, chronos]), masked: ['API_TOKEN', 'DB_PASSWORD'] });
  });

  test('a snapshot rebuilds an object only when nothing in it was masked', () => {
    expect(restorableSnapshot(null)).toBeUndefined();
    expect(restorableSnapshot(redactSecrets({ environmentVariables: [{ name: 'API_TOKEN', value: 'x' }] }))).toBeUndefined();
    const plain = { environmentVariables: [{ name: 'RAILS_ENV', value: 'production' }] };
    expect(restorableSnapshot(redactSecrets(plain))).toEqual(plain);
  });
});

describe('definition text in the journal', () => {
  const text = `# Billing export: owned by payments.
name: job
backend: k8s   # flip me with migrate move
schedule: '*/5 * * * *'
command: [/bin/true]
env:
  RAILS_ENV: production
  DB_PASSWORD: hunter2     # rotated quarterly
  api_token: 'quoted s3cr3t'
  SIGNING_KEY: |
    -----BEGIN KEY-----
    abc
  REF_TOKEN: {secretKeyRef: {name: api, key: token}}
  SHARED: &pw anchored-pw
  OTHER_PASSWORD: *pw
labels: {team: billing}
`;

  test('masks every secret env value, keeping comments, layout and references', () => {
    const masked = maskDefinitionSecrets(text);
    expect(masked).not.toMatch(/hunter2|s3cr3t|BEGIN KEY|abc|anchored-pw/);
    expect(masked).toBe(
      text
        .replace('hunter2', '"***"')
        .replace("'quoted s3cr3t'", "'***'")
        .replace('|\n    -----BEGIN KEY-----\n    abc\n', '"***"\n')
        .replace('anchored-pw', '"***"'),
    );
    expect(parse(masked).env).toEqual({ RAILS_ENV: 'production', DB_PASSWORD: MASK, api_token: MASK, SIGNING_KEY: MASK, REF_TOKEN: { secretKeyRef: { name: 'api', key: 'token' } }, SHARED: MASK, OTHER_PASSWORD: MASK });
    expect(maskDefinitionSecrets(masked)).toBe(masked);
    expect(definitionHasMaskedSecrets(masked)).toBe(true);
    expect(definitionHasMaskedSecrets(text)).toBe(false);
  });

  test('flow maps and CRLF line endings too; a text with no secret stays as it is', () => {
    const flow = 'name: job\r\nbackend: chronos\r\nenv: {RAILS_ENV: production, "API_KEY": "k3y", N_TOKEN: 12}\r\n';
    expect(maskDefinitionSecrets(flow)).toBe('name: job\r\nbackend: chronos\r\nenv: {RAILS_ENV: production, "API_KEY": "***", N_TOKEN: "***"}\r\n');
    const plain = 'name: job\nbackend: chronos\nenv: {RAILS_ENV: production}\n';
    expect(maskDefinitionSecrets(plain)).toBe(plain);
    expect(definitionHasMaskedSecrets(plain)).toBe(false);
  });

  test('a text that does not read as YAML is masked whole', () => {
    expect(maskDefinitionSecrets('name: job\nenv: {DB_PASSWORD: hunter2\n')).toBe(MASK);
    expect(definitionHasMaskedSecrets(MASK)).toBe(true);
  });

  describe('definitionBeforeMove: what a rollback writes back', () => {
    const moved = setDefinitionBackend(text, 'chronos', BACKEND_NAMES);

    test('a masked journal text is never written back: the current secrets stay, the backend returns as written', () => {
      expect(definitionBeforeMove(maskDefinitionSecrets(text), moved, 'chronos', BACKEND_NAMES)).toBe(text);
      // A secret rotated since the move is kept too.
      const rotated = moved.replace('hunter2', 'n3w-pw');
      expect(definitionBeforeMove(maskDefinitionSecrets(text), rotated, 'chronos', BACKEND_NAMES)).toBe(text.replace('hunter2', 'n3w-pw'));
    });

    test('edited since the move (other than a secret value): nothing to restore, the caller flips', () => {
      expect(definitionBeforeMove(maskDefinitionSecrets(text), `${moved}owner: a@b\n`, 'chronos', BACKEND_NAMES)).toBeUndefined();
      expect(definitionBeforeMove(text, `${moved}owner: a@b\n`, 'chronos', BACKEND_NAMES)).toBeUndefined();
    });

    test('a journal text with nothing masked (no secrets, or an older journal) is restored as it is', () => {
      expect(definitionBeforeMove(text, moved, 'chronos', BACKEND_NAMES)).toBe(text);
      expect(definitionBeforeMove(MASK, moved, 'chronos', BACKEND_NAMES)).toBeUndefined();
    });
  });
});
