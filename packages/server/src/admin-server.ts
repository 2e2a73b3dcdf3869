import { createServer, type Server } from 'node:http';
import type { FourLetterWords } from './four-letter-words.js';
import type { ZooServer } from './zoo-server.js';

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
};
const ALIASES: Record<string, string> = { srvr: 'server_stats', stat: 'stats', mntr: 'monitor', cons: 'connections', crst: 'connection_stat_reset', srst: 'stat_reset', wchs: 'watch_summary', wchc: 'watches', wchp: 'watches_by_path', envi: 'environment', env: 'environment', conf: 'configuration', config: 'configuration', isro: 'is_read_only' };

/**
 * The opt-in admin HTTP server: `/commands` lists commands, `/commands/<name>` answers JSON
 * with `command` and `error` like ZooKeeper's AdminServer, `/metrics` is Prometheus text.
 */
export class AdminServer {
  private readonly http: Server;

  constructor(
    private readonly server: ZooServer,
    private readonly words: FourLetterWords,
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
    if (path === '/metrics') return { status: 200, type: this.server.metrics.registry.contentType, body: await this.server.metrics.registry.metrics() };
    if (path === '/commands' || path === '') {
      return json(200, { command: 'commands', error: null, commands: Object.keys(COMMANDS).map((c) => `/commands/${c}`) });
    }
    const m = /^\/commands\/([a-z_]+)$/.exec(path);
    if (!m) return json(404, { command: null, error: `Unknown path ${path}` });
    const name = ALIASES[m[1]] ?? m[1];
    const word = COMMANDS[name];
    if (!word) return json(404, { command: m[1], error: `Command not found: ${m[1]}` });
    return json(200, { command: name, error: null, ...this.fields(name, word) });
  }

  private fields(name: string, word: string): Record<string, unknown> {
    const engine = this.server.engine;
    switch (name) {
      case 'ruok':
        return {};
      case 'monitor':
        return Object.fromEntries(this.words.monitor());
      case 'configuration':
        return Object.fromEntries(this.words.conf());
      case 'is_read_only':
        return { read_only: false };
      case 'watch_summary': {
        const s = engine.stats();
        return { num_connections: engine.watchesByWatcher().size, num_paths: s.watchedPaths, num_total_watches: s.watchCount };
      }
      case 'watches':
        return { session_id_to_watched_paths: Object.fromEntries([...engine.watchesByWatcher()].map(([w, p]) => [String((w as { sessionId?: bigint }).sessionId ?? 0n), p])) };
      case 'watches_by_path':
        return { path_to_session_ids: Object.fromEntries([...engine.watchesByPath()].map(([p, ws]) => [p, ws.map((w) => String((w as { sessionId?: bigint }).sessionId ?? 0n))])) };
      case 'connections':
        return {
          connections: this.server.allConnections().map((c) => ({
            remote_socket_address: `${c.remoteAddress}:${c.remotePort}`,
            session_id: c.sessionId.toString(16),
            packets_received: c.packetsReceived,
            packets_sent: c.packetsSent,
            outstanding_requests: c.outstanding,
            session_timeout: c.sessionTimeout,
            last_operation: c.lastOp,
          })),
        };
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
      default:
        // the rest are the four-letter word's text, as ZooKeeper's "output" field
        return { output: this.words.run(word) };
    }
  }
}

function json(status: number, body: unknown) {
  return { status, type: 'application/json', body: JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) };
}
