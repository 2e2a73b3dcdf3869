import type { ZooSession } from '@zoo/client';
import type { Lease } from './lease.js';
import { Mutex } from './mutex.js';

/**
 * Curator's LeaderSelector idea: take leadership (a mutex at `path`), run `fn` while leading,
 * give leadership up when it returns. `fn` gets an AbortSignal that fires if leadership is lost
 * (session expiry); with `requeue` the selector queues up again afterwards.
 */
export class LeaderSelector implements AsyncDisposable {
  private readonly mutex: Mutex;
  private stopped = false;
  private readonly controller = new AbortController();
  private loop?: Promise<void>;

  constructor(
    session: ZooSession,
    readonly path: string,
    private readonly fn: (signal: AbortSignal, lease: Lease) => Promise<void> | void,
    private readonly options: { requeue?: boolean; onError?: (err: unknown) => void } = {},
  ) {
    this.mutex = new Mutex(session, path);
  }

  start(): void {
    this.loop ??= (async () => {
      do {
        try {
          await this.mutex.withLock((lease) => this.fn(AbortSignal.any([lease.signal, this.controller.signal]), lease), { signal: this.controller.signal });
        } catch (err) {
          if (this.stopped) break;
          this.options.onError?.(err);
          await new Promise((r) => setTimeout(r, 100));
        }
      } while (this.options.requeue && !this.stopped);
    })();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.controller.abort(new Error('leader selector closed'));
    await this.loop;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Runs `fn` once as the leader of `path` (waits for leadership, gives it up after). */
export function runAsLeader<T>(session: ZooSession, path: string, fn: (signal: AbortSignal) => Promise<T> | T, options: { signal?: AbortSignal } = {}): Promise<T> {
  return new Mutex(session, path).withLock((lease) => fn(lease.signal), options);
}
