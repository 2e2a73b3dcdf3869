import type { Txn, ZooEngine } from '@zoo/core';

/** Where the server makes txns durable: the transaction log and snapshots, or nothing (in-memory mode). */
export interface TxnStore {
  /** False for the in-memory store: replies need not wait for anything. */
  readonly durable: boolean;
  /** Loads the newest valid snapshot and replays the log into the engine. */
  recover(engine: ZooEngine): Promise<RecoveryReport>;
  /** Buffers a txn (cheap, synchronous). */
  append(txn: Txn): void;
  /** Resolves once everything appended before the call is on disk; appends made meanwhile share one fsync. */
  sync(): Promise<void>;
  /**
   * After sync() failed: makes the log writable again (cuts off what the failed write left,
   * checks for room). Rejects while it cannot. Absent: the store cannot fail.
   */
  repair?(): Promise<void>;
  /**
   * The highest zxid on disk. A store may sync more than the server asked (a snapshot waits for
   * the log to reach it), so after a failure the server keeps what this says is durable.
   */
  durableZxid?(): bigint;
  /** Called after txns were applied: takes a snapshot in the background every snapCount txns. */
  maybeSnapshot(engine: ZooEngine): void;
  close(): Promise<void>;
  info(): StoreInfo;
}

export interface RecoveryReport {
  snapshotZxid: bigint;
  replayed: number;
  truncatedBytes: number;
}

export interface StoreInfo {
  dataDir?: string;
  dataLogDir?: string;
  logBytes: number;
  snapshotBytes: number;
  /** fsync durations in ms since the last call, for metrics. */
  fsyncMs?: number[];
}
