import { ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { DistributedAtomicValue, type AtomicOptions, type AtomicValue } from './distributed-atomic-value.js';

/**
 * What DistributedAtomicLong and DistributedAtomicInteger share: a number kept in a
 * DistributedAtomicValue, encoded by the subclass (Curator's big-endian bytes). A missing or
 * empty node reads as zero; bytes of the wrong size are reported as corrupt, never guessed.
 */
export abstract class DistributedAtomicNumber<N extends number | bigint> {
  protected readonly value: DistributedAtomicValue;

  constructor(session: ZooSession, path: string, options: AtomicOptions = {}) {
    this.value = new DistributedAtomicValue(session, path, options);
  }

  get path(): string {
    return this.value.path;
  }

  protected abstract encode(n: N): Buffer;
  protected abstract decodeBytes(bytes: Buffer): N;
  protected abstract plus(a: N, b: N): N;
  protected abstract readonly zero: N;
  protected abstract readonly one: N;

  async get(): Promise<AtomicValue<N>> {
    return this.convert(await this.value.get());
  }

  increment(): Promise<AtomicValue<N>> {
    return this.add(this.one);
  }

  decrement(): Promise<AtomicValue<N>> {
    return this.add(this.negate(this.one));
  }

  async add(delta: N): Promise<AtomicValue<N>> {
    this.encode(delta); // a bad delta fails here, before anything is read or written
    return this.modify((n) => this.plus(n, delta));
  }

  subtract(delta: N): Promise<AtomicValue<N>> {
    return this.add(this.negate(delta));
  }

  async trySet(n: N): Promise<AtomicValue<N>> {
    return this.convert(await this.value.trySet(this.encode(n)));
  }

  forceSet(n: N): Promise<void> {
    return this.value.forceSet(this.encode(n));
  }

  initialize(n: N): Promise<boolean> {
    return this.value.initialize(this.encode(n));
  }

  async compareAndSet(expected: N, n: N): Promise<AtomicValue<N>> {
    return this.convert(await this.value.compareAndSet(this.encode(expected), this.encode(n)));
  }

  private negate(n: N): N {
    return (typeof n === 'bigint' ? -n : -(n as number)) as N;
  }

  private async modify(fn: (n: N) => N): Promise<AtomicValue<N>> {
    return this.convert(await this.value.modify((bytes) => this.encode(fn(this.decode(bytes)))));
  }

  private decode(bytes: Buffer | null): N {
    if (!bytes || bytes.length === 0) return this.zero;
    try {
      return this.decodeBytes(bytes);
    } catch {
      throw new ZooError(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: corrupted data for node "${this.path}": [${[...bytes].map((b) => `0x${b.toString(16)}`).join(', ')}]`, { path: this.path });
    }
  }

  private convert(r: AtomicValue<Buffer | null>): AtomicValue<N> {
    return { succeeded: r.succeeded, preValue: this.decode(r.preValue), postValue: this.decode(r.postValue), stats: r.stats };
  }
}
