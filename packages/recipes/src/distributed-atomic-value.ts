import { validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { ExponentialBackoffRetry, type RetryPolicy, type ZooSession } from '@zoo/client';
import { createParentContainers, Mutex } from '@zoo/lock';
import { parentOf } from './paths.js';

/** The outcome of an atomic operation (Curator's AtomicValue). */
export interface AtomicValue<T> {
  /** False when the retries (and the promoted lock, if any) ran out: nothing was written. */
  succeeded: boolean;
  /** The value before (null for a node that did not exist, in the byte form). */
  preValue: T;
  /** The value written (on success), or the value seen last. */
  postValue: T;
  stats: AtomicStats;
}

export interface AtomicStats {
  optimisticTries: number;
  promotedTries: number;
  optimisticTimeMs: number;
  promotedTimeMs: number;
}

/** Curator's PromotedToLock: when the optimistic tries fail, take this lock and try again. */
export interface PromotedToLock {
  /** Lock path (Curator's InterProcessMutex layout, so Java and Node share the lock). */
  path: string;
  /** How long to wait for the lock (default: forever). */
  timeoutMs?: number;
  /** Tries under the lock (default: 3 tries 10 ms apart). */
  retry?: RetryPolicy;
}

export interface AtomicOptions {
  /** Optimistic tries (default ExponentialBackoffRetry(10 ms, 10 retries, max 1 s)). */
  retry?: RetryPolicy;
  promotedToLock?: PromotedToLock;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Curator's DistributedAtomicValue: a value in one node changed by compare-and-set.
 *
 *   <path>   PERSISTENT (parents as containers), data = the value's bytes; a missing node
 *            reads as no value
 *
 * Each try reads the node with its version and writes the new value with that version (or
 * creates the node when missing); BADVERSION / NODEEXISTS / NONODE mean someone else won, and
 * the retry policy decides whether to try again. If the optimistic tries run out and a
 * promoted lock is configured, the tries go on while holding that lock (only writers that
 * also lock serialise there; the version check still guards against the rest). A connection
 * loss is thrown, never retried blindly: a lost reply to a versioned write may hide a
 * success, and trying again would apply the change twice.
 */
export class DistributedAtomicValue {
  private readonly retryPolicy: RetryPolicy;
  private readonly promoted?: PromotedToLock;
  private readonly mutex?: Mutex;

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    options: AtomicOptions = {},
  ) {
    validatePath(path);
    this.retryPolicy = options.retry ?? new ExponentialBackoffRetry(10, 10, 1000);
    this.promoted = options.promotedToLock;
    if (this.promoted) this.mutex = new Mutex(session, this.promoted.path);
  }

  /** The current bytes (null when the node does not exist). */
  async get(): Promise<AtomicValue<Buffer | null>> {
    const { value } = await this.read();
    return { succeeded: true, preValue: value, postValue: value, stats: emptyStats() };
  }

  /** Writes `value` whatever is there (creating the node if needed). */
  async forceSet(value: Buffer): Promise<void> {
    const client = await this.client();
    try {
      await client.setData(this.path, value);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      try {
        await this.create(value);
      } catch (e) {
        if (!(e instanceof ZooError && e.code === ZooErrorCode.NODEEXISTS)) throw e;
        await client.setData(this.path, value);
      }
    }
  }

  /** Creates the node with `value` if it does not exist; true if this call created it. */
  async initialize(value: Buffer): Promise<boolean> {
    try {
      await this.create(value);
      return true;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS) return false;
      throw err;
    }
  }

  /** Sets `value` only if the node holds exactly `expected` (one try, as Curator's). */
  async compareAndSet(expected: Buffer, value: Buffer): Promise<AtomicValue<Buffer | null>> {
    const { value: current, version } = await this.read();
    const result: AtomicValue<Buffer | null> = { succeeded: false, preValue: current, postValue: current, stats: emptyStats() };
    if (version === null || current === null || !current.equals(expected)) return result;
    try {
      await (await this.client()).setData(this.path, value, version);
      return { ...result, succeeded: true, postValue: value };
    } catch (err) {
      if (err instanceof ZooError && (err.code === ZooErrorCode.BADVERSION || err.code === ZooErrorCode.NONODE)) return result;
      throw err;
    }
  }

  /** Sets `value` by compare-and-set with retries (and the promoted lock). */
  trySet(value: Buffer): Promise<AtomicValue<Buffer | null>> {
    return this.modify(() => value);
  }

  /** The engine: writes `make(current)` atomically, retrying as configured. */
  async modify(make: (current: Buffer | null) => Buffer): Promise<AtomicValue<Buffer | null>> {
    const stats = emptyStats();
    const result: AtomicValue<Buffer | null> = { succeeded: false, preValue: null, postValue: null, stats };
    let started = Date.now();
    for (let attempt = 0; ; attempt++) {
      stats.optimisticTries++;
      if (await this.tryOnce(result, make)) break;
      const delay = this.retryPolicy.nextDelay(attempt, Date.now() - started);
      if (delay === null) break;
      await sleep(delay);
    }
    stats.optimisticTimeMs = Date.now() - started;
    if (result.succeeded || !this.mutex) return result;
    started = Date.now();
    const lease = await this.mutex.tryAcquire({ timeoutMs: this.promoted!.timeoutMs });
    if (lease) {
      try {
        const policy = this.promoted!.retry ?? { nextDelay: (n: number) => (n < 2 ? 10 : null) };
        for (let attempt = 0; ; attempt++) {
          stats.promotedTries++;
          if (await this.tryOnce(result, make)) break;
          const delay = policy.nextDelay(attempt, Date.now() - started);
          if (delay === null) break;
          await sleep(delay);
        }
      } finally {
        await lease.release();
      }
    }
    stats.promotedTimeMs = Date.now() - started;
    return result;
  }

  private async tryOnce(result: AtomicValue<Buffer | null>, make: (current: Buffer | null) => Buffer): Promise<boolean> {
    const { value, version } = await this.read();
    result.preValue = value;
    result.postValue = value;
    const next = make(value);
    try {
      if (version === null) await this.create(next);
      else await (await this.client()).setData(this.path, next, version);
    } catch (err) {
      if (err instanceof ZooError && (err.code === ZooErrorCode.BADVERSION || err.code === ZooErrorCode.NODEEXISTS || err.code === ZooErrorCode.NONODE)) return false;
      throw err;
    }
    result.postValue = Buffer.from(next);
    result.succeeded = true;
    return true;
  }

  private async read(): Promise<{ value: Buffer | null; version: number | null }> {
    try {
      const { data, stat } = await (await this.client()).getData(this.path);
      return { value: data ?? Buffer.alloc(0), version: stat.version };
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return { value: null, version: null };
      throw err;
    }
  }

  private async create(value: Buffer): Promise<void> {
    const client = await this.client();
    try {
      await client.create(this.path, value);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      await createParentContainers(client, parentOf(this.path));
      await client.create(this.path, value);
    }
  }

  private async client() {
    return this.session.started ? this.session.client : this.session.start();
  }
}

function emptyStats(): AtomicStats {
  return { optimisticTries: 0, promotedTries: 0, optimisticTimeMs: 0, promotedTimeMs: 0 };
}
