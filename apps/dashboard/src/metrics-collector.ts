import { EventEmitter } from 'node:events';
import { fourLetterWord } from './four-letter-word.js';
import { quantileBetween } from './prometheus-text.js';
import { readingFromMntr, readingFromPrometheus, readingFromSrvr, type MetricsSource, type ServerReading } from './server-reading.js';

/** One point of a server's charts: rates and quantiles over the interval since the previous look. */
export interface MetricsPoint {
  /** ms since the epoch */
  t: number;
  source: MetricsSource;
  mode?: string;
  /** Requests per second, per operation. */
  requestsPerSec: Record<string, number>;
  /** Latency quantiles in ms (`p50`, `p99`; `read p50`... for ZooKeeper; `avg` where that is all there is). */
  latencyMs: Record<string, number>;
  connections: number | null;
  znodes: number | null;
  watches: number | null;
  /** Mean fsync time in ms over the interval; null when nothing was written. */
  fsyncMs: number | null;
}

/** One server the dashboard charts, and how to read it. */
export interface MetricsTarget {
  /** How the page names it (host:port, or the metrics URL). */
  name: string;
  read(): Promise<ServerReading>;
}

/** A target read from a Prometheus text page (Zoo's admin `/metrics`, or ZooKeeper's metrics provider). */
export function prometheusTarget(name: string, scrape: () => Promise<string>): MetricsTarget {
  return { name, read: async () => readingFromPrometheus(await scrape()) };
}

/**
 * A target read with `mntr` over the client port, falling back to `srvr` when the server's
 * 4lw whitelist refuses `mntr` (ZooKeeper allows only `srvr` by default).
 */
export function fourLetterTarget(host: string, port: number): MetricsTarget {
  let useSrvr = false;
  return {
    name: `${host}:${port}`,
    read: async () => {
      if (!useSrvr) {
        const text = await fourLetterWord(host, port, 'mntr');
        if (!/not in the whitelist/.test(text)) return readingFromMntr(notServing(text, host, port));
        useSrvr = true;
      }
      return readingFromSrvr(notServing(await fourLetterWord(host, port, 'srvr'), host, port));
    },
  };
}

/** A member without a quorum answers every word with this sentence: a gap in its charts, not data. */
function notServing(text: string, host: string, port: number): string {
  if (/not currently serving requests/.test(text) || text.trim() === '') throw new Error(`${host}:${port} is not serving requests${text.trim() ? '' : ' (empty answer)'}`);
  return text;
}

/** The point between two readings of one server. */
export function pointBetween(prev: ServerReading | undefined, cur: ServerReading): MetricsPoint {
  const dt = prev ? (cur.t - prev.t) / 1000 : 0;
  const requestsPerSec: Record<string, number> = {};
  for (const [op, n] of Object.entries(cur.requests)) requestsPerSec[op] = prev && dt > 0 ? Math.max(0, n - (prev.requests[op] ?? 0)) / dt : 0;
  const latencyMs: Record<string, number> = { ...cur.latencyQuantiles };
  if (cur.latencyHistogram?.size) {
    for (const [label, q] of [['p50', 0.5], ['p99', 0.99]] as const) {
      const v = quantileBetween(prev?.latencyHistogram, cur.latencyHistogram, q);
      if (v !== undefined) latencyMs[label] = v * 1000;
    }
  }
  let fsyncMs: number | null = null;
  if (cur.fsync) {
    const count = cur.fsync.count - (prev?.fsync?.count ?? 0);
    if (count > 0) fsyncMs = (cur.fsync.sumMs - (prev?.fsync?.sumMs ?? 0)) / count;
  }
  return {
    t: cur.t,
    source: cur.source,
    mode: cur.mode,
    requestsPerSec,
    latencyMs,
    connections: cur.connections ?? null,
    znodes: cur.znodes ?? null,
    watches: cur.watches ?? null,
    fsyncMs,
  };
}

/** Per-host state of the collector, as the page gets it. */
export interface HostMetrics {
  name: string;
  /** The last error reading it (the host is down, or refuses), cleared by the next good reading. */
  error?: string;
  points: MetricsPoint[];
}

/**
 * Reads each server every `intervalMs` and keeps the last `history` points of each; emits
 * `point` (host name, point) and `unreachable` (host name, message) as they come.
 */
export class MetricsCollector extends EventEmitter {
  private readonly hosts = new Map<string, HostMetrics & { last?: ServerReading }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly targets: readonly MetricsTarget[],
    private readonly intervalMs = 2000,
    private readonly history = 300,
  ) {
    super();
    for (const t of targets) this.hosts.set(t.name, { name: t.name, points: [] });
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Reads every target once now (also what the timer does). */
  tick(): Promise<void> {
    // one round at a time: a slow host must not pile up readings
    this.running ??= Promise.all(this.targets.map((t) => this.readOne(t))).then(
      () => (this.running = undefined),
      () => (this.running = undefined),
    );
    return this.running;
  }

  snapshot(): HostMetrics[] {
    return [...this.hosts.values()].map(({ name, error, points }) => ({ name, error, points }));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async readOne(target: MetricsTarget): Promise<void> {
    const host = this.hosts.get(target.name)!;
    try {
      const reading = await target.read();
      const point = pointBetween(host.last, reading);
      host.last = reading;
      host.error = undefined;
      host.points.push(point);
      if (host.points.length > this.history) host.points.splice(0, host.points.length - this.history);
      this.emit('point', target.name, point);
    } catch (err) {
      host.error = (err as Error).message;
      // a restarted server starts its counters again: do not diff across the gap
      host.last = undefined;
      this.emit('unreachable', target.name, host.error);
    }
  }
}
