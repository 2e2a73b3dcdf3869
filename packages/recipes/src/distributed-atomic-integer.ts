import { DistributedAtomicNumber } from './distributed-atomic-number.js';

/**
 * Curator's DistributedAtomicInteger: a 32-bit counter on DistributedAtomicValue's protocol.
 *
 *   <path>   data = 4 bytes, big-endian two's complement (Java's ByteBuffer.putInt)
 *
 * Arithmetic wraps at 32 bits as Java's int does.
 */
export class DistributedAtomicInteger extends DistributedAtomicNumber<number> {
  protected readonly zero = 0;
  protected readonly one = 1;

  protected encode(n: number): Buffer {
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`DistributedAtomicInteger ${this.path}: ${n} is not a 32-bit integer`);
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  }

  protected decodeBytes(bytes: Buffer): number {
    if (bytes.length < 4) throw new RangeError('short');
    return bytes.readInt32BE(0);
  }

  protected plus(a: number, b: number): number {
    return (a + b) | 0;
  }
}
