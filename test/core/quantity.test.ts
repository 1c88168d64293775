import { coresToCpu, cpuToCores, isValidQuantity, mebibytesToMemory, memoryToMebibytes, quantitiesEqual } from '../../src/core/quantity.js';

describe('Kubernetes quantities', () => {
  test.each([
    ['128M', true], ['128Mi', true], ['1Gi', true], ['0.1', true], ['500m', true], ['1e3', true], ['1.5Gi', true],
    ['.5', true], ['128MB', false], ['128 M', false], ['Mi', false], ['1.2.3', false], ['', false], ['12x', false],
  ])('%s valid: %s', (text, valid) => {
    expect(isValidQuantity(text)).toBe(valid);
  });

  test.each([
    ['128Mi', 128],
    ['1Gi', 1024],
    ['128M', 122.0703125],
    ['1024M', 976.5625],
    ['1.5Gi', 1536],
  ])('memory %s is %d MiB in Chronos', (text, mib) => {
    expect(memoryToMebibytes(text)).toBe(mib);
  });

  test.each(['128M', '1024M', '128Mi', '1Gi', '64Mi', '2Gi', '300M', '1536Mi', '1G', '100k'])('%s round-trips through Chronos MiB without drift', (text) => {
    const back = mebibytesToMemory(memoryToMebibytes(text)!);
    expect(quantitiesEqual(back, text)).toBe(true);
  });

  test('the shortest exact form is chosen on the way back', () => {
    expect(mebibytesToMemory(122.0703125)).toBe('128M');
    expect(mebibytesToMemory(1536)).toBe('1536Mi');
    expect(mebibytesToMemory(2048)).toBe('2Gi');
  });

  test.each([['0.1', 0.1], ['500m', 0.5], ['2', 2], ['100m', 0.1]])('cpu %s is %d cores', (text, cores) => {
    expect(cpuToCores(text)).toBe(cores);
    expect(quantitiesEqual(coresToCpu(cores), text)).toBe(true);
  });

  test('equal values in different notations compare equal', () => {
    expect(quantitiesEqual('1Gi', '1024Mi')).toBe(true);
    expect(quantitiesEqual('0.1', '100m')).toBe(true);
    expect(quantitiesEqual('1G', '1Gi')).toBe(false);
  });
});
