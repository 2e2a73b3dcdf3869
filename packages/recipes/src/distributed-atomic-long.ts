import { DistributedAtomicNumber } from './distributed-atomic-number.js';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * Curator's DistributedAtomicLong: a 64-bit counter on DistributedAtomicValue's protocol.
 *
 *   <path>   data = 8 bytes, big-endian two's complement (Java's ByteBuffer.putLong)
 *
 * Values are bigint; arithmetic wraps at 64 bits as Java's long does.
 */
export class DistributedAtomicLong extends DistributedAtomicNumber<bigint> {
  protected readonly zero = 0n;
  protected readonly one = 1n;

  protected encode(n: bigint): Buffer {
    if (typeof n !== 'bigint' || n < MIN || n > MAX) throw new RangeError(`DistributedAtomicLong ${this.path}: ${String(n)} is not a 64-bit bigint`);
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return b;
  }

  protected decodeBytes(bytes: Buffer): bigint {
    if (bytes.length < 8) throw new RangeError('short');
    return bytes.readBigInt64BE(0);
  }

  protected plus(a: bigint, b: bigint): bigint {
    return BigInt.asIntN(64, a + b);
  }
}
