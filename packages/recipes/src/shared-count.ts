import { EventEmitter } from 'node:events';
import type { ZooSession } from '@zoo/client';
import { SharedValue, type VersionedValue } from './shared-value.js';

/**
 * Curator's SharedCount: a SharedValue holding a 32-bit integer.
 *
 *   <path>   data = 4 bytes, big-endian two's complement (Java's ByteBuffer.putInt)
 *
 * Events: `change` (the new count) for every newer version seen; `changes()` as an iterator.
 */
export class SharedCount extends EventEmitter implements AsyncDisposable {
  private readonly shared: SharedValue;

  constructor(session: ZooSession, path: string, seed: number) {
    super();
    this.shared = new SharedValue(session, path, encode(seed));
    this.shared.on('change', (v: Buffer) => this.emit('change', decode(v)));
    this.shared.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
  }

  get path(): string {
    return this.shared.path;
  }

  start(): Promise<void> {
    return this.shared.start();
  }

  get count(): number {
    return decode(this.shared.value);
  }

  get versionedValue(): VersionedValue<number> {
    const v = this.shared.versionedValue;
    return { version: v.version, value: decode(v.value) };
  }

  setCount(n: number): Promise<void> {
    return this.shared.setValue(encode(n));
  }

  /** Sets `n` only if nobody changed the count since `previous` was read. */
  trySetCount(previous: VersionedValue<number>, n: number): Promise<boolean> {
    return this.shared.trySetValue({ version: previous.version, value: encode(previous.value) }, encode(n));
  }

  changes(): AsyncIterableIterator<number> {
    // subscribed now, not at the first next(): changes made in between are kept
    const inner = this.shared.changes();
    const it: AsyncIterableIterator<number> = {
      next: async () => {
        const r = await inner.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: decode(r.value) };
      },
      return: async () => {
        await inner.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  close(): Promise<void> {
    return this.shared.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function encode(n: number): Buffer {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`SharedCount: ${n} is not a 32-bit integer`);
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** Curator reads the first 4 bytes; anything shorter counts as 0 rather than failing the reader. */
function decode(bytes: Buffer): number {
  return bytes.length >= 4 ? bytes.readInt32BE(0) : 0;
}
