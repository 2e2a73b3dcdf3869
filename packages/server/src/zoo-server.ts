import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import pino, { type Logger } from 'pino';
import { ZooEngine, type Id, type ProcessResult, type Stat } from '@zoo/core';
import { CommitPipeline } from './commit-pipeline.js';
import type { Connection } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { InProcessApi, type CreateOptions } from './in-process-api.js';
import type { ConnectionView, ServerView } from './server-view.js';
import type { ConnectionHost } from './connection-host.js';
import { FourLetterWords } from './four-letter-words.js';
import { memoryTxnStore } from './persistence/memory-store.js';
import type { TxnStore } from './persistence/txn-store.js';
import { openTxnStore } from './persistence/file-store.js';
import { ServerStats } from './server-stats.js';
import { AdminServer } from './admin-server.js';
import { Admission, type AdmissionStats } from './admission.js';
import { SessionReaper } from './session-reaper.js';
import { ServerMetrics } from './metrics.js';
import { serverState, type ServerState } from './server-state.js';
import type { ZooServerOptions } from './server-options.js';

export type { ZooServerOptions } from './server-options.js';


type Listener = Server | TlsServer;

/**
 * A ZooKeeper wire-compatible server. Embeddable (`await ZooServer.start({ port: 0 })`) or
 * run as `zoo-server`. Durable when given a dataDir: replies go out only after their txn is
 * fsynced (group commit, see CommitPipeline); in-memory otherwise. If the log cannot be
 * written, the server turns read-only until it can.
 */
export class ZooServer implements ServerView, AsyncDisposable {
  /** Read-only view of the state, for observers; writes go through the commit pipeline only. */
  readonly state: ServerState;
  private readonly engine: ZooEngine;
  private readonly pipeline: CommitPipeline;
  readonly logger: Logger;
  readonly stats = new ServerStats();
  readonly maxBuffer: number;
  readonly handshakeTimeoutMs: number;
  readonly options: Readonly<ZooServerOptions>;
  readonly metrics: ServerMetrics;
  private readonly admission: Admission;
  private readonly store: TxnStore;
  private readonly connections: ConnectionRegistry;
  private readonly api: InProcessApi;
  private readonly listeners: Listener[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly reaper = new SessionReaper(() => this.engine.msUntilSessionExpiry(), () => this.expireSessions());
  private readonly fourLetter: FourLetterWords;
  private admin?: AdminServer;
  private closing?: Promise<void>;
  /** What a connection may call back into; kept off ZooServer's public surface. */
  private readonly host: ConnectionHost<Connection>;

  private constructor(options: ZooServerOptions, store: TxnStore, admission: Admission) {
    this.options = options;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.maxBuffer = options.maxBuffer ?? 0xfffff;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.store = store;
    this.admission = admission;
    this.engine = new ZooEngine({
      clock: options.clock,
      tickTime: options.tickTime ?? 3000,
      minSessionTimeout: options.minSessionTimeout,
      maxSessionTimeout: options.maxSessionTimeout,
      superDigest: options.superDigest,
      extendedTypesEnabled: options.extendedTypesEnabled ?? true,
    });
    this.connections = new ConnectionRegistry({
      maxPerIp: options.maxClientCnxns ?? 60,
      logger: this.logger,
      stats: this.stats,
      onClosed: (conn) => {
        this.engine.removeWatcher(conn);
        this.pipeline.forget(conn);
      },
    });
    this.pipeline = new CommitPipeline({
      store,
      engine: this.engine,
      logger: this.logger,
      connections: () => this.connections.live(),
      probeIntervalMs: options.logRetryIntervalMs,
    });
    this.api = new InProcessApi(this.engine, this.pipeline, (result) => this.applyInternal(result), () => this.closing !== undefined);
    this.state = serverState(this.engine, this.pipeline);
    this.fourLetter = new FourLetterWords(this, options.fourLetterWordWhitelist ?? ['srvr']);
    this.metrics = new ServerMetrics(this, () => this.fourLetter.monitor());
    this.host = {
      engine: this.engine,
      maxBuffer: this.maxBuffer,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      logger: this.logger,
      stats: this.stats,
      admission: this.admission,
      commit: (txn) => this.pipeline.commit(txn),
      durableZxid: () => this.pipeline.durableZxid,
      dispatch: (notifications, zxid) => this.connections.dispatch(notifications, zxid),
      waitForDurable: (conn) => this.pipeline.waitForDurable(conn),
      sessionOpened: (conn) => this.connections.sessionOpened(conn),
      connectionClosed: (conn) => this.connections.connectionClosed(conn),
      fourLetterWord: (word) => this.fourLetterWord(word),
      initialIdentities: (conn) => this.initialIdentities(conn),
      observe: (op, result) => this.metrics.observe(op, result),
      observeLatency: (op, ms) => this.metrics.observeLatency(op, ms),
    };
  }

  /** Starts a server: recovers from dataDir if given, then listens. */
  static async start(options: ZooServerOptions = {}): Promise<ZooServer> {
    // bad limits fail before anything is opened
    const admission = Admission.fromOptions(options);
    // the store exists before the server (and its metrics) do
    const fsyncSink: { observe?: (ms: number) => void } = {};
    const store = options.store
      ? options.store
      : options.dataDir
      ? await openTxnStore({
          dataDir: options.dataDir,
          dataLogDir: options.dataLogDir,
          snapCount: options.snapCount,
          preAllocBytes: options.preAllocSize === undefined ? undefined : options.preAllocSize * 1024,
          snapRetainCount: options.snapRetainCount,
          purgeIntervalHours: options.purgeInterval,
          logger: options.logger,
          onFsync: (ms) => fsyncSink.observe?.(ms),
        })
      : memoryTxnStore();
    const server = new ZooServer(options, store, admission);
    fsyncSink.observe = (ms) => {
      server.metrics.observeFsync(ms);
      server.stats.recordFsync(ms);
    };
    try {
      const report = await store.recover(server.engine);
      server.pipeline.start();
      if (options.dataDir)
        server.logger.info({ dataDir: options.dataDir, zxid: `0x${server.engine.lastZxid.toString(16)}`, ...report, snapshotZxid: `0x${report.snapshotZxid.toString(16)}` }, 'recovered');
      await server.listen();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const plain = createServer((socket) => this.connections.accept(socket, this.host));
    await listenOn(plain, this.options.port ?? 2181, host);
    this.listeners.push(plain);
    if (this.options.secureClientPort !== undefined) {
      if (!this.options.tls) throw new Error('secureClientPort needs tls options (key, cert)');
      const secure = createTlsServer(this.options.tls, (socket) => this.connections.accept(socket, this.host));
      await listenOn(secure, this.options.secureClientPort, host);
      this.listeners.push(secure);
    }
    this.reaper.start();
    this.timers.push(setInterval(() => this.reap(), this.options.containerCheckIntervalMs ?? 1000).unref());
    if (this.options.adminPort !== undefined) {
      this.admin = new AdminServer(this, this.fourLetter, this.metrics.registry);
      await this.admin.listen(this.options.adminPort, this.options.adminHost ?? host);
    }
    this.logger.info({ address: this.connectionString }, 'serving');
  }

  /** The client port actually bound. */
  get port(): number {
    const address = this.listeners[0]?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get securePort(): number | undefined {
    const address = this.listeners[1]?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  get adminPort(): number | undefined {
    return this.admin?.port;
  }

  /** `host:port` for clients. */
  get connectionString(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  allConnections(): readonly ConnectionView[] {
    return this.connections.all();
  }

  /** Admission control now: requests outstanding, output held for clients, throttling so far. */
  get admissionStats(): AdmissionStats {
    return this.admission.stats();
  }

  storeInfo() {
    return this.store.info();
  }

  // ---- ConnectionHost ------------------------------------------------------------------

  /** Runs a four-letter word (subject to the whitelist) as a client connection would. */
  fourLetterWord(word: string): string | Promise<string> {
    return this.fourLetter.run(word);
  }

  private initialIdentities(conn: Connection): Id[] {
    const socket = conn.socket as TLSSocket;
    if (!socket.encrypted || !socket.authorized) return [];
    const cert = socket.getPeerCertificate();
    if (!cert?.subject) return [];
    // RFC 2253 order (most specific first), as Java's X500Principal.getName() gives it
    const subject = Object.entries(cert.subject)
      .reverse()
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
      .join(',');
    return [{ scheme: 'x509', id: subject }];
  }

  // ---- timers ------------------------------------------------------------------------------

  private expireSessions(): void {
    for (const result of this.engine.expireSessions()) {
      const sessionId = result.txn!.sessionId;
      this.logger.info({ sessionId: `0x${sessionId.toString(16)}` }, 'session expired');
      this.applyInternal(result);
      this.connections.session(sessionId)?.closeSoon();
    }
  }

  private reap(): void {
    for (const result of this.engine.reapContainers()) this.applyInternal(result);
  }

  /** A txn the server made on its own (expiry, reaper): log it and deliver its notifications. */
  private applyInternal(result: ProcessResult): void {
    if (result.txn) this.pipeline.commit(result.txn);
    if (result.notifications.length) this.connections.dispatch(result.notifications, result.txn?.zxid ?? this.engine.lastZxid);
  }

  // ---- in-process API (see InProcessApi) ----------------------------------------------------

  /** Creates a node as the super user; resolves with its path once durable. */
  create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): Promise<string> {
    return this.api.create(path, data, options);
  }

  getData(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.api.getData(path);
  }

  setData(path: string, data: Buffer | string | null, version = -1): Promise<Stat> {
    return this.api.setData(path, data, version);
  }

  exists(path: string): Promise<Stat | null> {
    return this.api.exists(path);
  }

  getChildren(path: string): Promise<string[]> {
    return this.api.getChildren(path);
  }

  delete(path: string, version = -1): Promise<void> {
    return this.api.delete(path, version);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Stops listening and reading, flushes the log, sends every reply that is now durable, closes
   * every connection (without waiting for clients) and closes the log.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      this.reaper.stop();
      // net.Server#close calls back only once every connection is gone
      const listenersClosed = Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      this.connections.stopAccepting();
      await this.pipeline.close();
      this.connections.shutdown();
      await this.admin?.close();
      await listenersClosed;
      await this.store.close();
      this.logger.info('stopped');
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function listenOn(server: Listener, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
