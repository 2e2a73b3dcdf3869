import type { EngineStats, Watcher } from '@zoo/core';

/**
 * What observers (four-letter words, admin HTTP, metrics, dashboards, benchmarks) may read of a
 * server's state: counts and listings, no way to write around the commit pipeline.
 */
export interface ServerState {
  /** The last zxid the log has made durable (the last applied one, in in-memory mode). */
  readonly lastZxid: bigint;
  readonly tickTime: number;
  readonly minSessionTimeout: number;
  readonly maxSessionTimeout: number;
  /** Why the server refuses writes (the transaction log cannot be written), or undefined. */
  readonly readOnlyReason: string | undefined;
  stats(): EngineStats;
  sessionsInfo(): Array<{ sessionId: bigint; timeout: number; expiresAt: number; ephemerals: string[] }>;
  /** Watched paths per connection (ZooKeeper's wchc); `all` adds child watches. */
  watchesByWatcher(which?: 'data' | 'all'): Map<Watcher, string[]>;
  /** Connections per watched path (ZooKeeper's wchp); `all` adds child watches. */
  watchesByPath(which?: 'data' | 'all'): Map<string, Watcher[]>;
}
