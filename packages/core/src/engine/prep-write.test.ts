import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSequence } from './prep-write.js';

/** Java's String.format("%010d", n) for an int. */
const javaFormat = (n: number) => (n < 0 ? `-${String(-n).padStart(9, '0')}` : String(n).padStart(10, '0'));

describe('formatSequence', () => {
  it('is %010d of a Java int, for every width of counter and after overflow', () => {
    const cases: Array<[number, string]> = [
      [0, '0000000000'],
      [7, '0000000007'],
      [123_456_789, '0123456789'],
      [1_234_567_890, '1234567890'],
      [2_147_483_647, '2147483647'],
      [-1, '-000000001'],
      [-2_147_483_648, '-2147483648'],
    ];
    for (const [n, want] of cases) expect(formatSequence(n)).toBe(want);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => formatSequence(n) === javaFormat(n)));
  });
});
