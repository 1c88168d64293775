import { formatBytes, isValidQuantity, quantitiesEqual } from '../../src/core/quantity.js';

describe('resource quantities', () => {
  test.each([
    ['128M', true], ['128Mi', true], ['1Gi', true], ['0.1', true], ['500m', true], ['1e3', true], ['1.5Gi', true],
    ['.5', true], ['128MB', false], ['128 M', false], ['Mi', false], ['1.2.3', false], ['', false], ['12x', false],
  ])('%s valid: %s', (text, valid) => {
    expect(isValidQuantity(text)).toBe(valid);
  });

  test('equal values in different notations compare equal', () => {
    expect(quantitiesEqual('1Gi', '1024Mi')).toBe(true);
    expect(quantitiesEqual('0.1', '100m')).toBe(true);
    expect(quantitiesEqual('1G', '1Gi')).toBe(false);
  });

  test.each([[0n, '0'], [1_073_741_824n, '1Gi'], [128_000_000n, '128M'], [1_610_612_736n, '1536Mi'], [1024n, '1Ki'], [1000n, '1k'], [1234n, '1234'], [100_352_000n, '98000Ki']])(
    '%s bytes are written %s: the shortest exact spelling, binary on a tie',
    (bytes, text) => {
      expect(formatBytes(bytes)).toBe(text);
    },
  );
});
