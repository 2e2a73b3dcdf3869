import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { FourLetterWords } from './four-letter-words.js';
import type { ConnectionView, ServerView } from './server-view.js';

/** Admin command names (ZooKeeper's AdminServer) and the four-letter word each one mirrors. */
const COMMANDS: Record<string, string> = {
  ruok: 'ruok',
  server_stats: 'srvr',
  stats: 'stat',
  monitor: 'mntr',
  connections: 'cons',
  connection_stat_reset: 'crst',
  stat_reset: 'srst',
  watch_summary: 'wchs',
  watches: 'wchc',
  watches_by_path: 'wchp',
  dump: 'dump',
  environment: 'envi',
  configuration: 'conf',
  is_read_only: 'isro',
  dirs: 'dirs',
  hash: 'hash',
  get_trace_mask: 'gtmk',
  leader: '',
  observers: '',
  voting_view: '',
  zabstate: '',
};
const ALIASES: Record<string, string> = {
  srvr: 'server_stats',
  stat: 'stats',
  mntr: 'monitor',
  cons: 'connections',
  crst: 'connection_stat_reset',
  srst: 'stat_reset',
  wchs: 'watch_summary',
  wchc: 'watches',
  wchp: 'watches_by_path',
  envi: 'environment',
  env: 'environment',
  conf: 'configuration',
  config: 'configuration',
  isro: 'is_read_only',
  gtmk: 'get_trace_mask',
  lead: 'leader',
  obsr: 'observers',
};

/**
 * The opt-in admin HTTP server: `/commands` lists commands, `/commands/<name>` answers JSON
 * with `command` and `error` like ZooKeeper's AdminServer, `/metrics` is Prometheus text.
 */
export class AdminServer {
  private readonly http: Server;

  constructor(
    private readonly server: ServerView,
    private readonly words: FourLetterWords,
    /** the server's Prometheus registry, rendered at /metrics */
    private readonly metrics: Registry,
  ) {
    this.http = createServer((req, res) => {
      void this.handle(req.url ?? '/').then(
        ({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err.message }));
        },
      );
    });
  }

  get port(): number | undefined {
    const a = this.http.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
  }

  close(): Promise<void> {
    this.http.closeAllConnections();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  private async handle(url: string): Promise<{ status: number; type: string; body: string }> {
    const path = new URL(url, 'http://x').pathname.replace(/\/+$/, '');
    if (path === '/metrics') return { status: 200, type: this.metrics.contentType, body: await this.metrics.metrics() };
    if (path === '/commands' || path === '') {
      return json(200, { command: 'commands', error: null, commands: Object.keys(COMMANDS).map((c) => `/commands/${c}`) });
    }
    const m = /^\/commands\/([a-z_]+)$/.exec(path);
    if (!m) return json(404, { command: null, error: `Unknown path ${path}` });
    const name = ALIASES[m[1]] ?? m[1];
    const word = COMMANDS[name];
    if (word === undefined) return json(404, { command: m[1], error: `Unknown command: ${m[1]}` });
    return json(200, { command: name, error: null, ...this.fields(name, word) });
  }

  private fields(name: string, word: string): Record<string, unknown> {
    const engine = this.server.state;
    const sid = (w: unknown) => String((w as { sessionId?: bigint }).sessionId ?? 0n);
    switch (name) {
      case 'ruok':
      case 'connection_stat_reset':
      case 'stat_reset':
        // the word does the work (resets); the JSON answer has no fields
        this.words.execute(word);
        return {};
      case 'monitor':
        return Object.fromEntries(this.words.monitor());
      case 'configuration':
        return Object.fromEntries(this.words.conf());
      case 'environment':
        return Object.fromEntries(this.words.environment());
      case 'is_read_only':
        return { read_only: false };
      case 'get_trace_mask':
        return { tracemask: Number(this.words.execute(word)) };
      case 'server_stats':
        return this.serverStats();
      case 'stats':
        return { ...this.serverStats(), connections: this.server.allConnections().map((c) => connectionInfo(c, true)) };
      case 'connections': {
        const all = this.server.allConnections();
        return {
          connections: all.filter((c) => !isSecure(c)).map((c) => connectionInfo(c, false)),
          secure_connections: all.filter(isSecure).map((c) => connectionInfo(c, false)),
        };
      }
      case 'watch_summary': {
        const s = engine.stats();
        return { num_connections: engine.watchesByWatcher().size, num_paths: s.dataWatchedPaths, num_total_watches: s.dataWatchCount };
      }
      case 'watches':
        return { session_id_to_watched_paths: Object.fromEntries([...engine.watchesByWatcher()].map(([w, p]) => [sid(w), p])) };
      case 'watches_by_path':
        return { path_to_session_ids: Object.fromEntries([...engine.watchesByPath()].map(([p, ws]) => [p, ws.map(sid)])) };
      case 'dump': {
        const sessions = engine.sessionsInfo();
        const byExpiry: Record<string, string[]> = {};
        for (const s of sessions) (byExpiry[String(s.expiresAt)] ??= []).push(String(s.sessionId));
        return {
          expiry_time_to_session_ids: byExpiry,
          session_id_to_ephemeral_paths: Object.fromEntries(sessions.filter((s) => s.ephemerals.length > 0).map((s) => [String(s.sessionId), s.ephemerals])),
        };
      }
      case 'dirs': {
        const info = this.server.storeInfo();
        return { datadir_size: info.snapshotBytes, logdir_size: info.logBytes };
      }
      // a standalone server has no quorum: ZooKeeper's answers for that case
      case 'leader':
        return { error: 'server is not initialized' };
      case 'observers':
        return { synced_observers: 0, observers: [] };
      case 'voting_view':
        return { current_config: {} };
      case 'zabstate':
        return { voting: false, zabstate: '' };
      default:
        // the rest are the four-letter word's text, as ZooKeeper's "output" field
        return { output: this.words.execute(word) };
    }
  }

  /** ZooKeeper's SrvrCommand fields. */
  private serverStats(): Record<string, unknown> {
    const s = this.server.stats;
    const info = this.server.storeInfo();
    const outstanding = this.server.allConnections().reduce((n, c) => n + c.outstanding, 0);
    return {
      version: this.words.version,
      read_only: false,
      server_stats: {
        packets_sent: s.packetsSent,
        packets_received: s.packetsReceived,
        max_latency: Math.round(s.maxLatency),
        min_latency: s.latencyCount ? Math.round(s.minLatency) : 0,
        avg_latency: Number(s.avgLatency.toFixed(4)),
        outstanding_requests: outstanding,
        last_processed_zxid: Number(this.server.state.lastZxid),
        data_dir_size: info.snapshotBytes,
        log_dir_size: info.logBytes,
        server_state: this.server.state.readOnlyReason ? 'read-only' : 'standalone',
        uptime: Date.now() - s.startedAt,
        num_alive_client_connections: this.server.connectionCount,
        fsync_threshold_exceed_count: 0,
        auth_failed_count: 0,
      },
      client_response: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
      node_count: this.server.state.stats().nodeCount,
    };
  }
}

function isSecure(c: ConnectionView): boolean {
  return (c.socket as { encrypted?: boolean }).encrypted === true;
}

/** ZooKeeper's ServerCnxn#getConnectionInfo(brief). */
function connectionInfo(c: ConnectionView, brief: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    remote_socket_address: `${c.remoteAddress}:${c.remotePort}`,
    interest_ops: c.sessionId ? 1 : 0,
    outstanding_requests: c.outstanding,
    packets_received: c.packetsReceived,
    packets_sent: c.packetsSent,
  };
  if (!brief && c.ctx) {
    Object.assign(info, {
      session_id: `0x${c.sessionId.toString(16)}`,
      last_operation: c.lastOp,
      established: new Date(c.establishedAt).toISOString(),
      session_timeout: c.sessionTimeout,
      last_cxid: `0x${c.lastCxid.toString(16)}`,
      last_zxid: `0x${c.lastZxid.toString(16)}`,
      last_response_time: new Date(c.lastResponseAt).toISOString(),
      last_latency: Math.round(c.lastLatency),
      min_latency: c.latencyCount ? Math.round(c.minLatency) : 0,
      avg_latency: c.latencyCount ? Math.round(c.totalLatency / c.latencyCount) : 0,
      max_latency: Math.round(c.maxLatency),
    });
  }
  return info;
}

function json(status: number, body: unknown) {
  return { status, type: 'application/json', body: JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) };
}
