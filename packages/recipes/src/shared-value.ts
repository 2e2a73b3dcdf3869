import { EventEmitter } from 'node:events';
import { validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooSession } from '@zoo/client';
import { createParentContainers } from '@zoo/lock';
import { EventStream } from './event-stream.js';
import { parentOf } from './paths.js';

/** A value with the node version it was read at (Curator's VersionedValue). */
export interface VersionedValue<T> {
  version: number;
  value: T;
}

/**
 * Curator's SharedValue: a value everyone sees, with versioned (compare-and-set) updates.
 *
 *   <path>   PERSISTENT (parents as containers), data = the value's bytes; start() creates it
 *            with the seed value unless it exists
 *
 * The local copy is kept current by a data watch, re-read after a reconnect and on a new
 * session; `change` (with the new value) is emitted for every newer version seen, and
 * `changes()` gives the same as an async iterator. trySetValue(previous, value) writes only if
 * the node is still at previous.version (and the local copy still holds previous.value, as in
 * Curator); on a conflict it resolves false and the local copy is refreshed.
 */
export class SharedValue extends EventEmitter implements AsyncDisposable {
  private current: VersionedValue<Buffer>;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private readonly streams = new Set<EventStream<Buffer>>();
  private readonly reread = () => void this.refresh();

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    private readonly seed: Buffer,
  ) {
    super();
    validatePath(path);
    this.current = { version: -1, value: seed };
  }

  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`SharedValue ${this.path}: already ${this.state}`);
    this.state = 'started';
    const client = this.session.started ? this.session.client : await this.session.start();
    try {
      await client.create(this.path, this.seed);
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) {
        await createParentContainers(client, parentOf(this.path));
        await client.create(this.path, this.seed).catch((e) => {
          if (!(e instanceof ZooError && e.code === ZooErrorCode.NODEEXISTS)) throw e;
        });
      } else if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
    }
    this.session.on('session', this.reread);
    this.session.on('reconnected', this.reread);
    await this.refresh(true);
  }

  get value(): Buffer {
    return this.current.value;
  }

  get versionedValue(): VersionedValue<Buffer> {
    return { version: this.current.version, value: this.current.value };
  }

  /** Writes `value` unconditionally. */
  async setValue(value: Buffer): Promise<void> {
    this.checkStarted();
    const stat = await this.session.client.setData(this.path, value);
    this.update({ version: stat.version, value });
  }

  /** Writes `value` only if nobody changed the node since `previous` was read. */
  async trySetValue(previous: VersionedValue<Buffer>, value: Buffer): Promise<boolean> {
    this.checkStarted();
    if (previous.version !== this.current.version || !previous.value.equals(this.current.value)) return false;
    try {
      const stat = await this.session.client.setData(this.path, value, previous.version);
      this.update({ version: stat.version, value });
      return true;
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.BADVERSION)) throw err;
      await this.refresh();
      return false;
    }
  }

  changes(): AsyncIterableIterator<Buffer> {
    const stream = new EventStream<Buffer>((s) => this.streams.delete(s));
    if (this.state === 'closed') stream.end();
    else this.streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.session.off('session', this.reread);
    this.session.off('reconnected', this.reread);
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Reads the node and sets the next watch; `first` lets start() see its errors. */
  private async refresh(first = false): Promise<void> {
    if (this.state !== 'started') return;
    try {
      const { data, stat } = await this.session.client.getData(this.path, { watch: this.reread });
      this.update({ version: stat.version, value: data ?? Buffer.alloc(0) });
    } catch (err) {
      if (first) throw err;
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) {
        // deleted: watch for it to come back (Curator keeps the last value meanwhile)
        await this.session.client.exists(this.path, { watch: this.reread }).then((stat) => stat && this.reread(), () => {});
      } else if (!isDisconnection(err) && this.listenerCount('error') > 0) this.emit('error', err);
    }
  }

  /** Takes a newer version; emits it unless it is the one we already had. */
  private update(next: VersionedValue<Buffer>): void {
    const newer = next.version > this.current.version || (next.version === 0 && this.current.version > 0);
    if (!newer && !(next.version === this.current.version && !next.value.equals(this.current.value))) return;
    const first = this.current.version === -1;
    this.current = next;
    if (first) return;
    for (const s of this.streams) s.push(next.value);
    this.emit('change', next.value);
  }

  private checkStarted(): void {
    if (this.state !== 'started') throw new Error(`SharedValue ${this.path}: not started`);
  }
}
