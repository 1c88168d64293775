import { MASK, redactSecrets, restorableSnapshot } from '../../src/core/secrets.js';

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
  });

  test('a snapshot rebuilds an object only when nothing in it was masked', () => {
    expect(restorableSnapshot(null)).toBeUndefined();
    expect(restorableSnapshot(redactSecrets({ environmentVariables: [{ name: 'API_TOKEN', value: 'x' }] }))).toBeUndefined();
    const plain = { environmentVariables: [{ name: 'RAILS_ENV', value: 'production' }] };
    expect(restorableSnapshot(redactSecrets(plain))).toEqual(plain);
  });
});
