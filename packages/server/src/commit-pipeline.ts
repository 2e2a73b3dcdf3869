import type { Logger } from 'pino';
import { ZooError, ZooErrorCode, type Txn, type ZooEngine } from '@zoo/core';
import type { TxnStore } from './persistence/txn-store.js';

/** A connection as the pipeline sees it: frames held for the log, sent by flush(). */
export interface Ackable {
  /** Sends every held frame the durable zxid allows; calls waitForDurable() again if some are left. */
  flush(): void;
  /** Closes at once: the client learns nothing more (its outstanding requests end in CONNECTIONLOSS). */
  destroy(): void;
}

export interface CommitPipelineOptions {
  store: TxnStore;
  engine: ZooEngine;
  logger: Logger;
  /** Every connection, to find those holding frames the log will now never reach. */
  connections: () => Iterable<Ackable>;
  /** After a log failure, how often the store is tried again; default 1000 ms. */
  probeIntervalMs?: number;
  /** A group commit slower than this is logged as a warning (ZooKeeper's fsync.warningthresholdms); default 1000 ms. */
  fsyncWarningMs?: number;
}

/**
 * The server's commit pipeline: it owns durability. Txns are appended to the store as the
 * engine makes them and fsynced together (group commit: one write + fsync at a time, every
 * txn appended meanwhile goes into the next); replies and in-process promises are released
 * only once the log holds their zxid.
 *
 * Why apply early and roll back, rather than apply only once durable (ZooKeeper's way): each
 * connection answers its requests in order and holds every frame — reads included, tagged with
 * the zxid they were computed at — until the log reaches that zxid. So no client ever sees a
 * txn that is not durable, a session reads its own writes at no cost, and the engine stays a
 * plain state machine. The price is paid only when the log fails: then
 *   1. writes are refused from that moment (the engine answers NOTREADONLY),
 *   2. every frame that is durable goes out, and every connection still holding one that is not
 *      is closed without it: those txns are never acknowledged (the client sees CONNECTIONLOSS,
 *      i.e. "outcome unknown", as when a ZooKeeper server dies mid-request),
 *   3. the engine rolls those txns back from memory (its undo journal), so memory matches the
 *      log again, and in-process calls waiting for them reject,
 *   4. the store is probed every probeIntervalMs; once it can write again (torn tail cut off,
 *      room on the disk) writes resume. The server stays up and serves reads throughout.
 * Read-only rather than exiting (what ZooKeeper does on a log failure) because reads and
 * sessions are what most clients need during a disk incident, and NOTREADONLY is the answer
 * ZooKeeper's clients already understand from its read-only mode.
 */
export class CommitPipeline {
  private readonly store: TxnStore;
  private readonly engine: ZooEngine;
  private readonly logger: Logger;
  private readonly options: CommitPipelineOptions;
  private durable = 0n;
  private appended = 0n;
  private syncing = false;
  private syncAgain = false;
  private closed = false;
  private failure?: Error;
  private probeTimer?: NodeJS.Timeout;
  /** Connections holding frames until the log reaches them. */
  private readonly waiting = new Set<Ackable>();
  /** The zxid the sync in flight makes durable. */
  private syncingUpTo = 0n;
  /** When the sync in flight began (performance.now()). */
  private syncStartedAt = 0;
  /**
   * Warns when a sync takes longer than fsyncWarningMs. One timer, pushed back at every sync
   * (refresh) rather than a new one per sync: a commit at 1×1 is a sync, and a timer each
   * was heap churn on the request path.
   */
  private slowSyncTimer?: NodeJS.Timeout;
  /** In-process calls waiting for their zxid to be durable. */
  private waiters: Array<{ zxid: bigint; resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(options: CommitPipelineOptions) {
    this.options = options;
    this.store = options.store;
    this.engine = options.engine;
    this.logger = options.logger;
  }

  /** After recovery: everything the engine holds is durable. */
  start(): void {
    this.durable = this.appended = this.engine.lastZxid;
    if (this.store.durable) this.engine.keepUndo();
  }

  /** The highest zxid the log holds (everything applied, in in-memory mode). */
  get durableZxid(): bigint {
    return this.store.durable ? this.durable : this.engine.lastZxid;
  }

  /** Why writes are refused, while the log cannot be written. */
  get readOnlyReason(): string | undefined {
    return this.engine.writesRefused;
  }

  /** Logs a txn the engine just applied (group commit). */
  commit(txn: Txn): void {
    if (!this.store.durable) {
      this.durable = this.appended = txn.zxid;
      return;
    }
    this.store.append(txn);
    this.appended = txn.zxid;
    this.scheduleSync();
  }

  /** The connection holds frames past the durable zxid: flush it when the log gets further. */
  waitForDurable(conn: Ackable): void {
    this.waiting.add(conn);
  }

  forget(conn: Ackable): void {
    this.waiting.delete(conn);
  }

  /** Resolves once the log holds `zxid`; rejects if the log fails first (the txn is rolled back). */
  untilDurable(zxid: bigint): Promise<void> {
    if (this.durableZxid >= zxid) return Promise.resolve();
    if (this.closed) return Promise.reject(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'the server stopped before the write was durable'));
    return new Promise((resolve, reject) => this.waiters.push({ zxid, resolve, reject }));
  }

  private scheduleSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    // let the rest of this event-loop turn append too
    setImmediate(this.runSync);
  }

  // The sync's steps are bound once, not a closure each per sync (one sync per write at 1×1).
  private readonly runSync = (): void => {
    // close() makes its own last sync
    if (this.closed) return;
    this.syncingUpTo = this.appended;
    this.syncStartedAt = performance.now();
    if (this.slowSyncTimer) this.slowSyncTimer.refresh();
    else this.slowSyncTimer = setTimeout(() => this.warnIfSlow(), this.options.fsyncWarningMs ?? 1000).unref();
    this.store.sync().then(this.synced, this.syncFailed);
  };

  private readonly synced = (): void => {
    this.syncing = false;
    if (this.closed || this.failure) return;
    this.advance(this.syncingUpTo);
    this.store.maybeSnapshot(this.engine);
    if (this.syncAgain || this.appended > this.durable) {
      this.syncAgain = false;
      this.scheduleSync();
    }
  };

  private readonly syncFailed = (err: unknown): void => {
    this.syncing = false;
    this.syncAgain = false;
    if (this.closed) return;
    this.fail(err instanceof Error ? err : new Error(String(err)));
  };

  /** The timer fired: a sync started at least fsyncWarningMs ago and has not finished. */
  private warnIfSlow(): void {
    if (!this.syncing || this.closed) return;
    const warnAfter = this.options.fsyncWarningMs ?? 1000;
    const ms = performance.now() - this.syncStartedAt;
    if (ms < warnAfter) {
      // a timer counts from the event loop's clock, read at the start of the turn: it can fire
      // a little before warnAfter has passed since the sync began
      this.slowSyncTimer = setTimeout(() => this.warnIfSlow(), Math.ceil(warnAfter - ms)).unref();
      return;
    }
    this.logger.warn({ ms: Math.round(ms), zxid: hex(this.appended) }, 'transaction log fsync is slow: replies wait for it');
  }

  private advance(upTo: bigint): void {
    this.durable = upTo;
    this.engine.durableThrough(upTo);
    const conns = [...this.waiting];
    this.waiting.clear();
    for (const conn of conns) conn.flush();
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.durable >= w.zxid) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** The log failed: see the class comment. */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = `the transaction log cannot be written (${code && !err.message.startsWith(code) ? `${code}: ` : ''}${err.message})`;
    this.engine.refuseWrites(reason);
    // The store may have made more durable than our own syncs said (a snapshot syncs too):
    // those txns are on disk, so they are kept and acknowledged, not rolled back.
    const onDisk = this.store.durableZxid?.() ?? this.durable;
    if (onDisk > this.durable) this.advance(onDisk < this.appended ? onDisk : this.appended);
    // Frames up to the durable zxid go out; a connection left holding any beyond it is closed.
    // Every connection is flushed, not only the waiting ones: some may have frames queued this
    // turn that they have not tried to send yet.
    this.waiting.clear();
    for (const conn of this.options.connections()) conn.flush();
    const dropped = [...this.waiting];
    this.waiting.clear();
    for (const conn of dropped) conn.destroy();
    const undone = this.engine.rollback(this.durable);
    this.appended = this.durable;
    const rejected = this.waiters;
    this.waiters = [];
    for (const w of rejected) w.reject(new ZooError(ZooErrorCode.NOTREADONLY, `NOTREADONLY: ${reason}: the write was rolled back, and writes are refused until the log can be written again`));
    this.logger.error(
      { err, durableZxid: hex(this.durable), rolledBack: undone, connectionsClosed: dropped.length },
      'transaction log failed: unacknowledged txns rolled back; serving reads only until it can be written again',
    );
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(() => void this.probe(), this.options.probeIntervalMs ?? 1000).unref();
  }

  private async probe(): Promise<void> {
    this.probeTimer = undefined;
    if (this.closed) return;
    try {
      await (this.store.repair ? this.store.repair() : this.store.sync());
    } catch (err) {
      this.logger.debug({ err }, 'transaction log still not writable');
      this.scheduleProbe();
      return;
    }
    if (this.closed) return;
    this.failure = undefined;
    this.engine.refuseWrites(undefined);
    this.logger.warn({ zxid: hex(this.durable) }, 'transaction log writable again: accepting writes');
  }

  /** Shutdown: one last sync, then every frame that is durable may go out. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.probeTimer);
    clearTimeout(this.slowSyncTimer);
    if (this.store.durable && !this.failure && this.appended > this.durable) {
      const upTo = this.appended;
      try {
        await this.store.sync();
        this.advance(upTo);
      } catch (err) {
        this.logger.error({ err }, 'transaction log flush failed while stopping');
      }
    }
    const left = this.waiters;
    this.waiters = [];
    for (const w of left) w.reject(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'the server stopped before the write was durable'));
  }
}

function hex(zxid: bigint): string {
  return `0x${zxid.toString(16)}`;
}
