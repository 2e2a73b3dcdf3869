import { ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { Lease } from './lease.js';
import { LockInternals, standardPredicate } from './lock-internals.js';

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Give up after this long (default: wait forever). */
  timeoutMs?: number;
}

/**
 * A distributed mutex with Apache Curator's InterProcessMutex protocol, so Java services
 * using Curator and Node services using Zoo can share one lock:
 *
 *   <path>/_c_<uuid>-lock-<seq>   ephemeral-sequential, parents created as containers
 *
 * Nodes are ordered by the sequence after `lock-`; the lowest holds; each waiter watches only
 * its predecessor (no herd effect). Re-entrant per Mutex object.
 */
export class Mutex {
  private readonly internals: LockInternals;
  private held?: { lease: Lease; count: number };

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    lockName = 'lock-',
  ) {
    validatePath(path);
    this.internals = new LockInternals(session, path, lockName, [lockName], standardPredicate(1));
  }

  get isHeld(): boolean {
    return !!this.held?.lease.isHeld;
  }

  /** Waits for the lock; rejects with OPERATIONTIMEOUT after `timeoutMs`, or the abort reason. */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const lease = await this.tryAcquire(options);
    if (!lease) throw new ZooError(ZooErrorCode.OPERATIONTIMEOUT, `OPERATIONTIMEOUT: lock ${this.path} not acquired within ${options.timeoutMs} ms`, { path: this.path, op: 'acquire' });
    return lease;
  }

  /** Like acquire, but resolves null on timeout. */
  async tryAcquire(options: AcquireOptions = {}): Promise<Lease | null> {
    if (this.held?.lease.isHeld) {
      this.held.count++;
      return this.held.lease;
    }
    if (!this.session.started) await this.session.start();
    const node = await this.internals.acquire(options);
    if (!node) return null;
    const lease = new Lease(node, async (l) => {
      await this.internals.deleteQuietly(node.client, l.path);
    });
    // release() on a re-entered lease only drops one level
    const release = lease.release.bind(lease);
    lease.release = async () => {
      if (this.held?.lease === lease && --this.held.count > 0) return;
      this.held = undefined;
      await release();
    };
    this.held = { lease, count: 1 };
    return lease;
  }

  /** Runs `fn` while holding the lock; releases afterwards, whatever happens. */
  async withLock<T>(fn: (lease: Lease) => Promise<T> | T, options: AcquireOptions = {}): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }
}

/** `withLock(session, path, fn)`: the one-liner. */
export function withLock<T>(session: ZooSession, path: string, fn: (lease: Lease) => Promise<T> | T, options: AcquireOptions = {}): Promise<T> {
  return new Mutex(session, path).withLock(fn, options);
}
