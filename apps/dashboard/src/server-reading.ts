import { buckets, parsePrometheusText, sumBy, sumOf } from './prometheus-text.js';
import { parseMntr, parseSrvr } from './four-letter-word.js';

/** Where a reading came from: a Prometheus `/metrics` page, or the `mntr` / `srvr` four-letter words. */
export type MetricsSource = 'prometheus' | 'mntr' | 'srvr';

/** What one look at a server gives: gauges as they are, counters and histograms cumulative. */
export interface ServerReading {
  t: number;
  source: MetricsSource;
  /** standalone / leader / follower, where the server says. */
  mode?: string;
  /** Requests served since start, per operation (or per kind, read/update, for ZooKeeper). */
  requests: Record<string, number>;
  connections?: number;
  znodes?: number;
  watches?: number;
  /** Cumulative latency histogram in seconds (Zoo's `zoo_request_latency_seconds`). */
  latencyHistogram?: Map<number, number>;
  /** Latency quantiles the server computed itself, ms (ZooKeeper's summaries). */
  latencyQuantiles?: Record<string, number>;
  /** Cumulative fsync time (ms) and count. */
  fsync?: { sumMs: number; count: number };
}

/** A reading from Prometheus text: Zoo's `zoo_*` metrics, else ZooKeeper's metric names. */
export function readingFromPrometheus(text: string, t = Date.now()): ServerReading {
  const s = parsePrometheusText(text);
  if (sumOf(s, 'zoo_requests_total') !== undefined || sumOf(s, 'zoo_znodes') !== undefined) {
    const fsyncSum = sumOf(s, 'zoo_fsync_seconds_sum');
    const fsyncCount = sumOf(s, 'zoo_fsync_seconds_count');
    return {
      t,
      source: 'prometheus',
      requests: Object.fromEntries(sumBy(s, 'zoo_requests_total', 'op')),
      connections: sumOf(s, 'zoo_connections'),
      znodes: sumOf(s, 'zoo_znodes'),
      watches: sumOf(s, 'zoo_watches'),
      latencyHistogram: buckets(s, 'zoo_request_latency_seconds'),
      fsync: fsyncSum !== undefined && fsyncCount !== undefined ? { sumMs: fsyncSum * 1000, count: fsyncCount } : undefined,
    };
  }
  // ZooKeeper's Prometheus metrics provider: summaries in ms with quantile labels
  const quantiles: Record<string, number> = {};
  for (const kind of ['read', 'update']) {
    for (const [q, label] of [['0.5', 'p50'], ['0.99', 'p99']] as const) {
      const v = sumOf(s, `${kind}latency`, { quantile: q });
      if (v !== undefined && Number.isFinite(v)) quantiles[`${kind} ${label}`] = v;
    }
  }
  const requests: Record<string, number> = {};
  for (const kind of ['read', 'update']) {
    const n = sumOf(s, `${kind}latency_count`);
    if (n !== undefined) requests[kind] = n;
  }
  const fsyncSum = sumOf(s, 'fsynctime_sum');
  const fsyncCount = sumOf(s, 'fsynctime_count');
  return {
    t,
    source: 'prometheus',
    requests,
    connections: sumOf(s, 'num_alive_connections'),
    znodes: sumOf(s, 'znode_count'),
    watches: sumOf(s, 'watch_count'),
    latencyQuantiles: quantiles,
    fsync: fsyncSum !== undefined && fsyncCount !== undefined ? { sumMs: fsyncSum, count: fsyncCount } : undefined,
  };
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v));

/** A reading from an `mntr` answer (ZooKeeper 3.6+ names; Zoo answers the same). */
export function readingFromMntr(text: string, t = Date.now()): ServerReading {
  const m = parseMntr(text);
  const requests: Record<string, number> = {};
  const quantiles: Record<string, number> = {};
  for (const kind of ['read', 'update']) {
    const n = num(m.get(`cnt_${kind}latency`));
    if (n !== undefined) requests[kind] = n;
    for (const q of ['p50', 'p99']) {
      const v = num(m.get(`${q}_${kind}latency`));
      if (v !== undefined) quantiles[`${kind} ${q}`] = v;
    }
  }
  // older servers (and Zoo) without the per-kind summaries: packets and the average latency
  if (!Object.keys(requests).length) {
    const packets = num(m.get('packets_received'));
    if (packets !== undefined) requests.all = packets;
    const avg = num(m.get('avg_latency'));
    if (avg !== undefined) quantiles.avg = avg;
  }
  const fsyncSum = num(m.get('sum_fsynctime'));
  const fsyncCount = num(m.get('cnt_fsynctime'));
  return {
    t,
    source: 'mntr',
    mode: m.get('server_state'),
    requests,
    connections: num(m.get('num_alive_connections')),
    znodes: num(m.get('znode_count')),
    watches: num(m.get('watch_count')),
    latencyQuantiles: quantiles,
    fsync: fsyncSum !== undefined && fsyncCount !== undefined ? { sumMs: fsyncSum, count: fsyncCount } : undefined,
  };
}

/** A reading from `srvr`, the one four-letter word ZooKeeper allows by default (no watches, no fsync). */
export function readingFromSrvr(text: string, t = Date.now()): ServerReading {
  const m = parseSrvr(text);
  const [, avg] = (m.get('Latency min/avg/max') ?? '').split('/');
  const received = num(m.get('Received'));
  return {
    t,
    source: 'srvr',
    mode: m.get('Mode'),
    requests: received === undefined ? {} : { all: received },
    connections: num(m.get('Connections')),
    znodes: num(m.get('Node count')),
    latencyQuantiles: num(avg) === undefined ? {} : { avg: num(avg)! },
  };
}
