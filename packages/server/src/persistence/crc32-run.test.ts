import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { crc32Combine, crc32Update } from './crc32-run.js';

const signed = (b: Uint8Array) => crc32(b) | 0;

describe('crc32 of a run', () => {
  it('combines the checksums of two byte strings as zlib checksums them joined, for any lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        expect(crc32Combine(signed(a), signed(b), b.length)).toBe(signed(Buffer.concat([a, b])));
      }),
      { numRuns: 300 },
    );
  });

  it('combines across long strings (lengths with high bits set)', () => {
    const a = Buffer.from('a record header');
    for (const n of [1, 255, 256, 65_535, 65_536, 1 << 20, (1 << 20) + 12_345, 5_000_001]) {
      const b = Buffer.alloc(n, n & 0xff);
      b[n >> 1] = 7;
      expect(crc32Combine(signed(a), signed(b), n), `${n} bytes`).toBe(signed(Buffer.concat([a, b])));
    }
  });

  it('continues a checksum over a few more bytes as zlib does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), fc.nat(10), (a, b, skip) => {
        const from = Math.min(skip, b.length);
        expect(crc32Update(signed(a), b, from, b.length)).toBe(signed(Buffer.concat([a, b.subarray(from)])));
      }),
      { numRuns: 300 },
    );
  });

  it('a run checked whole tells a run of good records from one with any single byte changed', () => {
    // records as the log writes them: int length; int crc32(payload); payload
    const payloads = Array.from({ length: 12 }, (_, i) => Buffer.alloc(8 + i * 13, i + 1));
    const run = Buffer.concat(payloads.flatMap((p) => [Buffer.from([0, 0, 0, p.length, ...Buffer.alloc(4)]), p]));
    let at = 0;
    for (const p of payloads) {
      run.writeInt32BE(signed(p), at + 4);
      at += 8 + p.length;
    }
    const expected = (bytes: Buffer) => {
      let crc = 0;
      for (let p = 0; p < bytes.length; ) {
        const length = bytes.readInt32BE(p);
        crc = crc32Combine(crc32Update(crc, bytes, p, p + 8), bytes.readInt32BE(p + 4), length);
        p += 8 + length;
      }
      return crc;
    };
    expect(expected(run)).toBe(signed(run));
    const lengthBytes = new Set<number>();
    for (let p = 0; p < run.length; p += 8 + run.readInt32BE(p)) for (let k = 0; k < 4; k++) lengthBytes.add(p + k);
    for (let i = 0; i < run.length; i++) {
      // (a length byte changes where the records are: the scan looks at those itself)
      if (lengthBytes.has(i)) continue;
      const damaged = Buffer.from(run);
      damaged[i] ^= 0x10;
      expect(expected(damaged), `byte ${i} changed`).not.toBe(signed(damaged));
    }
  });
});
