import { AddWatchMode, EventType, WatcherType } from '@zoo/core';
import type { ConnectionState } from './session-loop.js';
import type { WatchedEvent, WatchListener, WatchRegistry } from './watch-registry.js';

/** What a stream uses of its client (a ZooClient, which makes the streams). */
export interface WatchStreamClient {
  readonly state: ConnectionState;
  readonly watches: WatchRegistry;
  addWatch(path: string, listener: WatchListener, mode: AddWatchMode): Promise<void>;
  removeWatches(path: string, type: WatcherType, listener: WatchListener): Promise<void>;
  once(event: 'closed', listener: () => void): unknown;
}

/**
 * `client.watch(path)`: a persistent watch as an async iterator. Events are buffered until
 * read; the iterator ends (and the watch is removed) on return(), abort, or when the
 * client's session ends.
 */
export class WatchStream implements AsyncIterableIterator<WatchedEvent> {
  private readonly buffer: WatchedEvent[] = [];
  private waiter?: (r: IteratorResult<WatchedEvent>) => void;
  private failer?: (err: unknown) => void;
  private done = false;
  private error?: unknown;
  private readonly started: Promise<void>;
  /** Resolves once the server holds the watch (events from then on are delivered); rejects if it refused it. */
  readonly armed: Promise<void>;
  private readonly listener: WatchListener = (event) => {
    if (event.type === EventType.None) {
      // session over: no more events will come
      void this.finish();
      return;
    }
    this.push(event);
  };

  constructor(
    private readonly client: WatchStreamClient,
    private readonly path: string,
    private readonly recursive: boolean,
    private readonly signal?: AbortSignal,
  ) {
    this.armed = client.addWatch(path, this.listener, recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT);
    this.started = this.armed.catch((err) => {
      this.error = err;
      this.done = true;
      this.failer?.(err);
    });
    signal?.addEventListener('abort', () => void this.finish(), { once: true });
    client.once('closed', () => void this.finish());
  }

  private push(event: WatchedEvent): void {
    if (this.done) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: event, done: false });
    } else this.buffer.push(event);
  }

  async next(): Promise<IteratorResult<WatchedEvent>> {
    await this.started;
    if (this.buffer.length) return { value: this.buffer.shift()!, done: false };
    if (this.error) throw this.error;
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failer = reject;
    });
  }

  private async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    const type = this.recursive ? WatcherType.PersistentRecursive : WatcherType.Persistent;
    if (this.client.state === 'connected') await this.client.removeWatches(this.path, type, this.listener).catch(() => {});
    else this.client.watches.remove([this.recursive ? this.client.watches.recursive : this.client.watches.persistent], this.path, this.listener);
  }

  async return(): Promise<IteratorResult<WatchedEvent>> {
    await this.finish();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchedEvent> {
    return this;
  }
}
