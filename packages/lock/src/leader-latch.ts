import { EventEmitter } from 'node:events';
import { validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { LockInternals, standardPredicate } from './lock-internals.js';
import type { AcquiredNode } from './lock-internals.js';

/**
 * Leader election with Curator's LeaderLatch protocol (`<path>/_c_<uuid>-latch-<seq>`): the
 * lowest sequence leads; the others watch their predecessor. Emits `isLeader` / `notLeader`;
 * `await latch.elected()`. Leadership ends with close() or with the session (then the latch
 * joins again on the new session).
 */
export class LeaderLatch extends EventEmitter implements AsyncDisposable {
  private readonly internals: LockInternals;
  private node?: AcquiredNode;
  private leader = false;
  private closed = false;
  private running?: Promise<void>;
  private controller = new AbortController();
  private readonly onSession = () => void this.rejoin();

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    readonly id = '',
  ) {
    super();
    validatePath(path);
    this.internals = new LockInternals(session, path, 'latch-', ['latch-'], standardPredicate(1));
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Joins the election (resolves once our node exists; leadership may come later). */
  async start(): Promise<void> {
    if (!this.session.started) await this.session.start();
    this.session.on('session', this.onSession);
    this.running = this.run();
  }

  private async run(): Promise<void> {
    try {
      const node = await this.internals.acquire({ signal: this.controller.signal, data: Buffer.from(this.id) });
      if (!node || this.closed) return;
      this.node = node;
      this.setLeader(true);
      node.client.once('state', (state: string) => {
        if (state === 'expired' || state === 'closed') this.setLeader(false);
      });
    } catch (err) {
      // aborted by rejoin(), or the session expired while waiting: the latch runs again on the
      // new session (Curator's LeaderLatch resets the same way), so neither is an error
      if (this.closed || this.controller.signal.aborted) return;
      if (err instanceof ZooError && err.code === ZooErrorCode.SESSIONEXPIRED) return;
      this.emit('error', err);
    }
  }

  private async rejoin(): Promise<void> {
    if (this.closed) return;
    this.setLeader(false);
    this.controller.abort();
    await this.running;
    this.controller = new AbortController();
    this.running = this.run();
  }

  private setLeader(value: boolean): void {
    if (this.leader === value) return;
    this.leader = value;
    this.emit(value ? 'isLeader' : 'notLeader');
  }

  /** Resolves when this latch leads (rejects on abort). */
  elected(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.leader) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.off('isLeader', onLeader);
        reject(options.signal!.reason);
      };
      const onLeader = () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.once('isLeader', onLeader);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Leaves the election (a leader gives up leadership). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.off('session', this.onSession);
    this.controller.abort();
    await this.running;
    if (this.node) await this.internals.deleteQuietly(this.node.client, this.node.path);
    this.setLeader(false);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
