import { describe, expect, it } from 'vitest';
import { adler32 } from './adler32.js';

describe('adler32', () => {
  it('matches the published values', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398); // RFC 1950's example in the Adler-32 article
    expect(adler32(Buffer.alloc(0))).toBe(1);
  });

  it('stays exact past the runs where the sums are reduced', () => {
    const data = Buffer.alloc(100_000, 0xff);
    // reference: the definition, reducing every byte
    let a = 1;
    let b = 0;
    for (const byte of data) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    expect(adler32(data)).toBe(((b << 16) | a) >>> 0);
  });
});
