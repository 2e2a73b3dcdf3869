import type { EngineStats, Watcher, ZooEngine } from '@zoo/core';
import type { CommitPipeline } from './commit-pipeline.js';

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

/** The view of an engine whose writes go through `pipeline`: zxids as far as they are durable. */
export function serverState(engine: ZooEngine, pipeline: CommitPipeline): ServerState {
  return {
    get lastZxid() {
      return pipeline.durableZxid;
    },
    tickTime: engine.tickTime,
    minSessionTimeout: engine.minSessionTimeout,
    maxSessionTimeout: engine.maxSessionTimeout,
    get readOnlyReason() {
      return pipeline.readOnlyReason;
    },
    stats: () => engine.stats(),
    sessionsInfo: () => engine.sessionsInfo(),
    watchesByWatcher: (which) => engine.watchesByWatcher(which),
    watchesByPath: (which) => engine.watchesByPath(which),
  };
}
