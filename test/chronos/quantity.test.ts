import { quantitiesEqual } from '../../src/core/quantity.js';
import { coresToCpu, cpuToCores, mebibytesToMemory, memoryToMebibytes } from '../../backends/chronos/quantity.js';

describe('quantities as Chronos stores them (MiB, cores)', () => {
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
});
