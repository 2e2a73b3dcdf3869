import { ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { Lease } from './lease.js';
import { LockInternals, standardPredicate } from './lock-internals.js';

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Give up after this long (default: wait forever). */
  timeoutMs?: number;
}

export interface MutexAcquireOptions extends AcquireOptions {
  /**
   * Re-enter with a lease this Mutex already granted: resolves at once with the same lease,
   * which then needs one more release() before the lock is let go. The lease is the holder's
   * token — Curator re-enters per thread; async code has no threads, so the holder says so.
   */
  reenter?: Lease;
}

/**
 * A distributed mutex with Apache Curator's InterProcessMutex protocol, so Java services
 * using Curator and Node services using Zoo can share one lock:
 *
 *   <path>/_c_<uuid>-lock-<seq>   ephemeral-sequential, parents created as containers
 *
 * Nodes are ordered by the sequence after `lock-`; the lowest holds; each waiter watches only
 * its predecessor (no herd effect).
 *
 * Re-entrancy is per holder, never per object: two async tasks sharing one Mutex each get
 * their own node and take turns. A holder re-enters only by presenting its lease
 * (`acquire({ reenter: lease })`).
 */
export class Mutex {
  private readonly internals: LockInternals;
  /** Leases this object granted that are still held, with their re-entry depth. */
  private readonly depth = new Map<Lease, number>();

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    lockName = 'lock-',
  ) {
    validatePath(path);
    this.internals = new LockInternals(session, path, lockName, [lockName], standardPredicate(1));
  }

  /** True while some holder of this object holds the lock. */
  get isHeld(): boolean {
    for (const lease of this.depth.keys()) if (lease.isHeld) return true;
    return false;
  }

  /** Waits for the lock; rejects with OPERATIONTIMEOUT after `timeoutMs`, or the abort reason. */
  async acquire(options: MutexAcquireOptions = {}): Promise<Lease> {
    const lease = await this.tryAcquire(options);
    if (!lease) throw new ZooError(ZooErrorCode.OPERATIONTIMEOUT, `OPERATIONTIMEOUT: lock ${this.path} not acquired within ${options.timeoutMs} ms`, { path: this.path, op: 'acquire' });
    return lease;
  }

  /** Like acquire, but resolves null on timeout. */
  async tryAcquire(options: MutexAcquireOptions = {}): Promise<Lease | null> {
    if (options.reenter) return this.reenter(options.reenter);
    if (!this.session.started) await this.session.start();
    const node = await this.internals.acquire(options);
    if (!node) return null;
    const lease = new Lease(node, async (l) => {
      await this.internals.deleteQuietly(node.client, l.path);
    });
    // release() on a re-entered lease only drops one level
    const release = lease.release.bind(lease);
    lease.release = async () => {
      const level = this.depth.get(lease) ?? 0;
      if (level > 1) {
        this.depth.set(lease, level - 1);
        return;
      }
      this.depth.delete(lease);
      await release();
    };
    lease.once('lost', () => this.depth.delete(lease));
    this.depth.set(lease, 1);
    return lease;
  }

  private reenter(lease: Lease): Lease {
    const level = this.depth.get(lease);
    if (level === undefined || !lease.isHeld) {
      throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: cannot re-enter lock ${this.path} with a lease this Mutex does not hold`, { path: this.path, op: 'acquire' });
    }
    this.depth.set(lease, level + 1);
    return lease;
  }

  /** Runs `fn` while holding the lock; releases afterwards, whatever happens. */
  async withLock<T>(fn: (lease: Lease) => Promise<T> | T, options: MutexAcquireOptions = {}): Promise<T> {
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
