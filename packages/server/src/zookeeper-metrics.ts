import { Counter, Gauge, type Registry } from 'prom-client';
import { OpCode } from '@zoo/core';
import { WindowSummary } from './window-summary.js';

/**
 * The metrics of Apache ZooKeeper 3.8's Prometheus provider (metricsProvider.className=
 * ...PrometheusMetricsProvider) that mean something for one Zoo server, under ZooKeeper's names
 * and types, so dashboards and alerts built for ZooKeeper work unchanged:
 *  - gauges ZooKeeperServer registers: the same numbers `mntr` prints (read from it when scraped);
 *  - counters of ServerMetrics, exposed without a `_total` suffix as ZooKeeper's simpleclient
 *    0.9 does;
 *  - summaries in milliseconds: readlatency/updatelatency (ADVANCED: quantiles 0.5, 0.9, 0.99)
 *    and fsynctime (BASIC: 0.5); quantiles over the last 4,096 observations (ZooKeeper's
 *    over a 10-minute window), count and sum exact.
 * Quorum, learner and JVM metrics have no counterpart here and are left out.
 */
export const ZOOKEEPER_GAUGES = [
  'avg_latency',
  'max_latency',
  'min_latency',
  'packets_received',
  'packets_sent',
  'num_alive_connections',
  'outstanding_requests',
  'uptime',
  'znode_count',
  'watch_count',
  'ephemerals_count',
  'approximate_data_size',
  'global_sessions',
  'local_sessions',
  'open_file_descriptor_count',
  'max_file_descriptor_count',
] as const;

/** counter name → the mntr key holding its running total */
export const ZOOKEEPER_COUNTERS = {
  bytes_received_count: 'bytes_received_count',
  connection_rejected: 'connection_rejected',
  sessionless_connections_expired: 'sessionless_connections_expired',
} as const;

const ADVANCED = [0.5, 0.9, 0.99];
const BASIC = [0.5];

/** Ops that ZooKeeper counts as updates (they carry a txn); everything else is a read. */
const UPDATES = new Set<number>([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.setACL,
  OpCode.multi,
  OpCode.reconfig,
  OpCode.createSession,
  OpCode.closeSession,
]);

export class ZooKeeperMetrics {
  private readonly readLatency: WindowSummary;
  private readonly updateLatency: WindowSummary;
  private readonly fsyncTime: WindowSummary;

  /** `monitor` gives mntr's keys (without `zk_`); it is read once per scrape. */
  constructor(registry: Registry, monitor: () => ReadonlyMap<string, string | number>) {
    let cached: ReadonlyMap<string, string | number> | undefined;
    const read = (key: string): number => {
      if (!cached) {
        cached = monitor();
        // one mntr read serves every metric of a scrape (prom-client collects them back to back)
        setImmediate(() => (cached = undefined));
      }
      return Number(cached.get(key) ?? 0);
    };
    const registers = [registry];
    for (const name of ZOOKEEPER_GAUGES) {
      new Gauge({ name, help: name, registers, collect() { this.set(read(name)); } });
    }
    for (const [name, key] of Object.entries(ZOOKEEPER_COUNTERS)) {
      new Counter({ name, help: name, registers, collect() { this.reset(); this.inc(read(key)); } });
    }
    const summary = (name: string, quantiles: number[]) => new WindowSummary(name, `${name} summary (ms; quantiles over the last 4096)`, quantiles, registry);
    this.readLatency = summary('readlatency', ADVANCED);
    this.updateLatency = summary('updatelatency', ADVANCED);
    this.fsyncTime = summary('fsynctime', BASIC);
  }

  observeLatency(op: number, ms: number): void {
    (UPDATES.has(op) ? this.updateLatency : this.readLatency).record(ms);
  }

  observeFsync(ms: number): void {
    this.fsyncTime.record(ms);
  }
}
