import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JuteDecodeError } from './decode-error.js';
import { DEFAULT_MAX_FRAME, FrameDecoder } from './framer.js';

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

describe('FrameDecoder', () => {
  it('reassembles frames split and coalesced anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(400), { maxLength: 30 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frame(Buffer.from(p))));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const decoder = new FrameDecoder();
          const out: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            out.push(...decoder.push(stream.subarray(prev, p)).map((b) => Buffer.from(b)));
            prev = p;
          }
          expect(out).toEqual(payloads.map((p) => Buffer.from(p)));
          expect(decoder.pending).toBe(0);
        },
      ),
    );
  });

  it('reassembles a 1 MiB frame fed one small chunk at a time, then the frame behind it', () => {
    const big = Buffer.alloc(DEFAULT_MAX_FRAME);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    const stream = Buffer.concat([frame(big), frame(Buffer.from('next'))]);
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 1000) out.push(...decoder.push(stream.subarray(i, i + 1000)));
    expect(out).toHaveLength(2);
    expect(out[0].equals(big)).toBe(true);
    expect(out[1].toString()).toBe('next');
  });

  it('rejects a frame longer than jute.maxbuffer, or negative, as soon as the length arrives', () => {
    expect(() => new FrameDecoder(1000).push(Buffer.from([0, 0, 0x03, 0xe9]))).toThrow(JuteDecodeError);
    expect(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/frame length -2/);
    expect(new FrameDecoder(1000).push(frame(Buffer.alloc(1000)))).toHaveLength(1);
  });

  it('spots a four-letter word at the start of a server connection', () => {
    const d = new FrameDecoder(undefined, true);
    expect(d.push(Buffer.from('ru'))).toEqual([]);
    expect(d.fourLetterWord).toBeNull();
    expect(d.push(Buffer.from('ok\n'))).toEqual([]);
    expect(d.fourLetterWord).toBe('ruok');
    const e = new FrameDecoder(undefined, true);
    expect(e.push(Buffer.concat([frame(Buffer.from('abc')), Buffer.from([0, 0])]))).toEqual([Buffer.from('abc')]);
    expect(e.fourLetterWord).toBeNull();
    // a client-side decoder never treats bytes as a command word
    expect(() => new FrameDecoder().push(Buffer.from('ruok'))).toThrow(/frame length/);
  });
});
