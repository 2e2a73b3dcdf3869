import type { Logger } from 'pino';
import type { Id, OpCode, ProcessResult, Txn, WatchNotification, ZooEngine } from '@zoo/core';
import type { Admission } from './admission.js';
import type { ServerStats } from './server-stats.js';

/**
 * What a Connection needs from its server. `C` is the connection type (Connection), a parameter
 * so that this interface and the class that uses it do not import each other.
 */
export interface ConnectionHost<C> {
  readonly engine: ZooEngine;
  readonly maxBuffer: number;
  /** Close a connection that has not sent its ConnectRequest after this long (0 = never). */
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
  readonly stats: ServerStats;
  /** Server-wide admission control: outstanding requests and output held for clients. */
  readonly admission: Admission;
  /** Log a txn (group commit). */
  commit(txn: Txn): void;
  /** The highest zxid on disk (everything, in in-memory mode). */
  durableZxid(): bigint;
  /** Deliver notifications to their connections, after the log reaches `zxid`. */
  dispatch(notifications: WatchNotification[], zxid: bigint): void;
  /** The connection has frames waiting for the log. */
  waitForDurable(conn: C): void;
  sessionOpened(conn: C): void;
  connectionClosed(conn: C): void;
  fourLetterWord(word: string): string | Promise<string>;
  /** Identities a connection starts with beyond its ip (x509 on TLS). */
  initialIdentities(conn: C): Id[];
  observe(op: OpCode, result: ProcessResult): void;
  observeLatency(op: number, ms: number): void;
}
