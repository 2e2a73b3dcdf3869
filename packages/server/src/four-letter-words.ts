import { readdirSync, readFileSync } from 'node:fs';
import { freemem, homedir, hostname, release, tmpdir, totalmem, userInfo } from 'node:os';
import type { ServerView } from './server-view.js';

const VERSION = '3.8.0-zoo, built on 2026-11-25 00:00 UTC';

/** Every word ZooKeeper knows; the whitelist decides which ones run. */
const KNOWN = ['ruok', 'srvr', 'stat', 'mntr', 'cons', 'crst', 'srst', 'wchs', 'wchc', 'wchp', 'dump', 'envi', 'conf', 'isro', 'dirs', 'gtmk', 'stmk', 'hash'] as const;

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** ZooKeeper's default trace mask (gtmk). */
const TRACE_MASK = 306;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date#toString in UTC ("Wed Nov 25 08:20:44 UTC 2026"), as `dump` prints expiry times. */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Open descriptors of this process (Linux /proc), or -1 where that is not available. */
function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

/** The soft limit on open files (Linux /proc), or -1. */
function maxFileDescriptors(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

/**
 * The four-letter words with ZooKeeper's output formats (server/command/*Command.java), so
 * `echo srvr | nc` scripts and monitoring built for ZooKeeper keep working.
 */
export class FourLetterWords {
  private readonly whitelist: ReadonlySet<string>;

  constructor(
    private readonly server: ServerView,
    whitelist: readonly string[] | '*',
  ) {
    this.whitelist = new Set(whitelist === '*' || whitelist.includes('*') ? KNOWN : whitelist);
  }

  allowed(word: string): boolean {
    return this.whitelist.has(word);
  }

  /** Answers a word from the client port: only whitelisted words run. */
  run(word: string): string {
    if (!this.allowed(word)) return `${word} is not executed because it is not in the whitelist.\n`;
    return this.execute(word);
  }

  /** Runs a word regardless of the whitelist (the admin server has its own port and opt-in). */
  execute(word: string): string {
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'isro':
        // read-only while the transaction log cannot be written
        return this.server.state.readOnlyReason ? 'ro' : 'rw';
      case 'srvr':
        return this.srvr(false);
      case 'stat':
        return this.srvr(true);
      case 'mntr':
        return [...this.monitor()].map(([k, v]) => `zk_${k}\t${v}\n`).join('');
      case 'cons':
        return this.cons();
      case 'crst':
        for (const c of this.server.allConnections()) c.resetStats();
        return 'Connection stats reset.\n';
      case 'srst':
        this.server.stats.reset();
        return 'Server stats reset.\n';
      case 'wchs':
        return this.wchs();
      case 'wchc':
        return this.wchc();
      case 'wchp':
        return this.wchp();
      case 'dump':
        return this.dump();
      case 'envi':
        return this.envi();
      case 'conf':
        return [...this.conf()].map(([k, v]) => `${k}=${v}\n`).join('');
      case 'dirs': {
        const info = this.server.storeInfo();
        return `datadir_size: ${info.snapshotBytes}\nlogdir_size: ${info.logBytes}\n`;
      }
      case 'gtmk':
      case 'stmk':
        // no tracing in Zoo: the mask is ZooKeeper's default and setting it changes nothing
        return String(TRACE_MASK);
      case 'hash':
        return `${hex(this.server.state.lastZxid)}\n`;
      default:
        return '';
    }
  }

  private srvr(withClients: boolean): string {
    const s = this.server.stats;
    const lines = [`Zookeeper version: ${VERSION}`];
    if (withClients) {
      lines.push('Clients:');
      for (const c of this.server.allConnections()) lines.push(` /${c.remoteAddress}:${c.remotePort}[${c.sessionId ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent})`);
      lines.push('');
    }
    const min = s.latencyCount ? Math.round(s.minLatency) : 0;
    lines.push(
      `Latency min/avg/max: ${min}/${s.avgLatency.toFixed(4)}/${Math.round(s.maxLatency)}`,
      `Received: ${s.packetsReceived}`,
      `Sent: ${s.packetsSent}`,
      `Connections: ${this.server.connectionCount}`,
      `Outstanding: ${this.outstanding()}`,
      `Zxid: ${hex(this.server.state.lastZxid)}`,
      `Mode: ${this.server.state.readOnlyReason ? 'read-only' : 'standalone'}`,
      `Node count: ${this.server.state.stats().nodeCount}`,
    );
    return lines.join('\n') + '\n';
  }

  private outstanding(): number {
    let n = 0;
    for (const c of this.server.allConnections()) n += c.outstanding;
    return n;
  }

  /** The mntr keys (also the admin `monitor` command). */
  monitor(): Map<string, string | number> {
    const s = this.server.stats;
    const e = this.server.state.stats();
    const m = new Map<string, string | number>();
    m.set('version', VERSION);
    // ZooKeeper's read-only server reports "read-only": so does a server whose log cannot be written
    m.set('server_state', this.server.state.readOnlyReason ? 'read-only' : 'standalone');
    m.set('avg_latency', Number(s.avgLatency.toFixed(4)));
    m.set('max_latency', Math.round(s.maxLatency));
    m.set('min_latency', s.latencyCount ? Math.round(s.minLatency) : 0);
    m.set('packets_received', s.packetsReceived);
    m.set('packets_sent', s.packetsSent);
    m.set('num_alive_connections', this.server.connectionCount);
    m.set('outstanding_requests', this.outstanding());
    m.set('znode_count', e.nodeCount);
    m.set('watch_count', e.watchCount);
    m.set('ephemerals_count', e.ephemeralsCount);
    m.set('approximate_data_size', e.approximateDataSize);
    m.set('open_file_descriptor_count', openFileDescriptors());
    m.set('max_file_descriptor_count', maxFileDescriptors());
    m.set('global_sessions', e.sessionCount);
    m.set('local_sessions', 0);
    m.set('uptime', Date.now() - s.startedAt);
    m.set('bytes_received_count', s.bytesIn);
    m.set('connection_rejected', s.connectionsRejected);
    m.set('sessionless_connections_expired', s.sessionlessExpired);
    m.set('outstanding_tls_handshake', 0);
    m.set('avg_fsynctime', Number((s.fsyncCount ? s.fsyncTotal / s.fsyncCount : 0).toFixed(4)));
    m.set('min_fsynctime', Math.round(s.fsyncMin));
    m.set('max_fsynctime', Math.round(s.fsyncMax));
    m.set('cnt_fsynctime', s.fsyncCount);
    m.set('sum_fsynctime', Math.round(s.fsyncTotal));
    m.set('last_zxid', hex(this.server.state.lastZxid));
    return m;
  }

  private cons(): string {
    let out = '';
    for (const c of this.server.allConnections()) {
      out += ` /${c.remoteAddress}:${c.remotePort}[${c.sessionId ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent}`;
      if (c.ctx) {
        const avg = c.latencyCount ? Math.round(c.totalLatency / c.latencyCount) : 0;
        out += `,sid=${hex(c.sessionId)},lop=${c.lastOp},est=${c.establishedAt},to=${c.sessionTimeout},lcxid=0x${c.lastCxid.toString(16)},lzxid=${hex(c.lastZxid)},lresp=${c.lastResponseAt},llat=${Math.round(c.lastLatency)},minlat=${c.latencyCount ? Math.round(c.minLatency) : 0},avglat=${avg},maxlat=${Math.round(c.maxLatency)}`;
      }
      out += ')\n';
    }
    return out + '\n';
  }

  private wchs(): string {
    const byWatcher = this.server.state.watchesByWatcher();
    const e = this.server.state.stats();
    return `${byWatcher.size} connections watching ${e.dataWatchedPaths} paths\nTotal watches:${e.dataWatchCount}\n`;
  }

  private wchc(): string {
    let out = '';
    for (const [watcher, paths] of this.server.state.watchesByWatcher()) {
      const sid = (watcher as { sessionId?: bigint }).sessionId ?? 0n;
      out += `${hex(sid)}\n${paths.map((p) => `\t${p}\n`).join('')}`;
    }
    return out + '\n';
  }

  private wchp(): string {
    let out = '';
    for (const [path, watchers] of this.server.state.watchesByPath()) {
      out += `${path}\n${watchers.map((w) => `\t${hex((w as { sessionId?: bigint }).sessionId ?? 0n)}\n`).join('')}`;
    }
    return out + '\n';
  }

  private dump(): string {
    const sessions = this.server.state.sessionsInfo();
    const byExpiry = new Map<number, bigint[]>();
    for (const s of sessions) byExpiry.set(s.expiresAt, [...(byExpiry.get(s.expiresAt) ?? []), s.sessionId]);
    let out = `SessionTracker dump:\nSession Sets (${byExpiry.size})/(${sessions.length}):\n`;
    for (const [at, ids] of [...byExpiry].sort((a, b) => a[0] - b[0])) {
      out += `${ids.length} expire at ${javaDate(at)}:\n${ids.map((id) => `\t${hex(id)}\n`).join('')}`;
    }
    const withEphemerals = sessions.filter((s) => s.ephemerals.length > 0);
    out += `ephemeral nodes dump:\nSessions with Ephemerals (${withEphemerals.length}):\n`;
    for (const s of withEphemerals) out += `${hex(s.sessionId)}:\n${s.ephemerals.map((p) => `\t${p}\n`).join('')}`;
    // connections expire with their session; ones without a session after the handshake timeout
    const expiry = new Map(sessions.map((s) => [s.sessionId, s.expiresAt]));
    const conns = new Map<number, string[]>();
    for (const c of this.server.allConnections()) {
      const at = (c.sessionId ? expiry.get(c.sessionId) : undefined) ?? c.establishedAt + this.server.handshakeTimeoutMs;
      conns.set(at, [...(conns.get(at) ?? []), `\tip: /${c.remoteAddress}:${c.remotePort} sessionId: ${hex(c.sessionId)}\n`]);
    }
    out += `Connections dump:\nConnections Sets (${conns.size})/(${this.server.connectionCount}):\n`;
    for (const [at, lines] of [...conns].sort((a, b) => a[0] - b[0])) out += `${lines.length} expire at ${javaDate(at)}:\n${lines.join('')}`;
    return out;
  }

  /** ZooKeeper's version line; Zoo reports the version it is compatible with. */
  get version(): string {
    return VERSION;
  }

  private envi(): string {
    return `Environment:\n${[...this.environment()].map(([k, v]) => `${k}=${v}\n`).join('')}`;
  }

  /** The envi keys (also the admin `environment` command). */
  environment(): Map<string, string> {
    const mb = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)}MB`;
    const user = safeUserInfo();
    // ZooKeeper's keys where Node has an equivalent (java.* become node.*)
    const env: Array<[string, string]> = [
      ['zookeeper.version', VERSION],
      ['host.name', hostname()],
      ['node.version', process.version],
      ['node.execPath', process.execPath],
      ['os.tmpdir', tmpdir()],
      ['os.name', process.platform],
      ['os.arch', process.arch],
      ['os.version', release()],
      ['user.name', user.username],
      ['user.home', user.homedir],
      ['user.dir', process.cwd()],
      ['os.memory.free', mb(freemem())],
      ['os.memory.total', mb(totalmem())],
      ['process.memory.rss', mb(process.memoryUsage.rss())],
      ['pid', String(process.pid)],
    ];
    return new Map(env);
  }

  /** The conf keys (also the admin `configuration` command). */
  conf(): Map<string, string | number> {
    const o = this.server.options;
    const info = this.server.storeInfo();
    const m = new Map<string, string | number>();
    m.set('clientPort', this.server.port);
    m.set('secureClientPort', this.server.securePort ?? -1);
    m.set('dataDir', info.dataDir ?? '');
    m.set('dataDirSize', info.snapshotBytes);
    m.set('dataLogDir', info.dataLogDir ?? '');
    m.set('dataLogSize', info.logBytes);
    m.set('tickTime', this.server.state.tickTime);
    m.set('maxClientCnxns', o.maxClientCnxns ?? 60);
    m.set('minSessionTimeout', this.server.state.minSessionTimeout);
    m.set('maxSessionTimeout', this.server.state.maxSessionTimeout);
    m.set('clientPortListenBacklog', -1);
    m.set('serverId', 0);
    return m;
  }
}

function safeUserInfo(): { username: string; homedir: string } {
  try {
    const u = userInfo();
    return { username: u.username, homedir: u.homedir };
  } catch {
    // no passwd entry for this uid (containers)
    return { username: String(process.getuid?.() ?? ''), homedir: homedir() };
  }
}
