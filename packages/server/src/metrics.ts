import { Counter, Gauge, Registry } from 'prom-client';
import { OpCode, type ProcessResult } from '@zoo/core';
import { LatencyHistogram } from './latency-histogram.js';
import type { ServerView } from './server-view.js';
import { ZooKeeperMetrics } from './zookeeper-metrics.js';

/**
 * Prometheus metrics of one server (its own registry, so several embedded servers in one
 * process do not collide). Gauges read the server's state when scraped.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly latency: LatencyHistogram;
  private readonly requests: Counter<'op' | 'result'>;
  /** op → result code → requests */
  private readonly tally = new Map<number, Map<number, number>>();
  readonly fsync: LatencyHistogram;
  private readonly zookeeper: ZooKeeperMetrics;

  /** `monitor` gives mntr's keys, for the metrics under ZooKeeper's own names. */
  constructor(server: ServerView, monitor: () => ReadonlyMap<string, string | number>) {
    const r = [this.registry];
    this.zookeeper = new ZooKeeperMetrics(this.registry, monitor);
    this.latency = new LatencyHistogram(
      'zoo_request_latency_seconds',
      'Time from receiving a request to sending its reply, per operation',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      this.registry,
    );
    // tallied in plain maps on the request path (prom-client's inc() hashes its labels on every
    // call: ~4% of a read load) and handed to the counter when scraped
    const tally = this.tally;
    this.requests = new Counter({
      name: 'zoo_requests_total',
      help: 'Requests processed, per operation and result code',
      labelNames: ['op', 'result'],
      registers: r,
      collect() {
        this.reset();
        for (const [op, byResult] of tally) for (const [err, n] of byResult) this.inc({ op: OpCode[op] ?? String(op), result: String(err) }, n);
      },
    });
    // one per group commit, which at 1 connection × 1 in flight is one per write request
    this.fsync = new LatencyHistogram(
      'zoo_fsync_seconds',
      'Duration of each transaction log write + fsync (one per group commit)',
      [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      this.registry,
      false,
    );
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: r, collect() { this.set(read()); } });
    gauge('zoo_znodes', 'Number of znodes', () => server.state.stats().nodeCount);
    gauge('zoo_watches', 'Number of watches (path, connection) pairs', () => server.state.stats().watchCount);
    gauge('zoo_sessions', 'Number of live sessions', () => server.state.stats().sessionCount);
    gauge('zoo_ephemerals', 'Number of ephemeral znodes', () => server.state.stats().ephemeralsCount);
    gauge('zoo_connections', 'Number of client connections', () => server.connectionCount);
    gauge('zoo_outstanding_requests', 'Requests received whose replies have not been sent', () =>
      server.allConnections().reduce((n, c) => n + c.outstanding, 0),
    );
    gauge('zoo_approximate_data_size_bytes', 'Sum of path and data lengths', () => server.state.stats().approximateDataSize);
    gauge('zoo_last_zxid', 'Last durable zxid', () => Number(server.state.lastZxid));
    gauge('zoo_read_only', '1 while writes are refused because the transaction log cannot be written', () => (server.state.readOnlyReason ? 1 : 0));
    // counters mirrored from the server's own tallies when scraped (typed counter for rate())
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: r,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter('zoo_received_bytes_total', 'Bytes received from clients', () => server.stats.bytesIn);
    counter('zoo_sent_bytes_total', 'Bytes sent to clients', () => server.stats.bytesOut);
    counter('zoo_packets_received_total', 'Frames received from clients', () => server.stats.packetsReceived);
    counter('zoo_packets_sent_total', 'Frames sent to clients', () => server.stats.packetsSent);
    counter('zoo_connections_rejected_total', 'Connections refused by maxClientCnxns', () => server.stats.connectionsRejected);
    gauge('zoo_output_held_bytes', 'Replies and notifications held for clients (queued and in socket buffers)', () => server.admissionStats.outputBytes);
    counter('zoo_reads_throttled_total', 'Times a connection stopped reading for admission control with requests left to run', () => server.admissionStats.throttled);
    counter('zoo_slow_clients_closed_total', 'Connections closed for holding output over clientOutputHardLimit past clientOutputTimeoutMs', () => server.admissionStats.slowClientsClosed);
  }

  observe(op: OpCode, result: ProcessResult): void {
    let byResult = this.tally.get(op);
    if (!byResult) this.tally.set(op, (byResult = new Map()));
    byResult.set(result.err, (byResult.get(result.err) ?? 0) + 1);
  }

  observeLatency(op: number, ms: number): void {
    this.latency.record(op, ms / 1000);
    this.zookeeper.observeLatency(op, ms);
  }

  observeFsync(ms: number): void {
    this.fsync.record(0, ms / 1000);
    this.zookeeper.observeFsync(ms);
  }
}
