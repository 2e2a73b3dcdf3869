import type { ConnectionOptions } from 'node:tls';
import { encodeRequest, KeeperState, OpCode, prependChroot, Xid, ZooError, ZooErrorCode } from '@zoo/core';
import { Connection } from './connection.js';
import type { HostPort } from './connection-string.js';
import type { Dispatcher } from './dispatcher.js';
import { sleep } from './retry.js';
import { DigestMd5Client } from './sasl-digest-md5.js';
import type { WatchRegistry } from './watch-registry.js';

/** ZooKeeper's dynamic configuration node (ZooDefs.CONFIG_NODE), never under a chroot. */
export const CONFIG_NODE = '/zookeeper/config';

/** Where the client's session stands; `expired`, `authFailed` and `closed` are final. */
export type ConnectionState = 'connecting' | 'connected' | 'connectedReadOnly' | 'disconnected' | 'expired' | 'authFailed' | 'closed';

export interface SessionLoopOptions {
  sessionTimeout: number;
  connectTimeout?: number;
  tls?: boolean | ConnectionOptions;
  canBeReadOnly?: boolean;
  maxFrameLength: number;
  session?: { id: bigint; password: Buffer };
  sasl?: SaslOptions;
}

/** SASL authentication on every connection, before any request (the Java client's JAAS "Client" login). */
export interface SaslOptions {
  /** Only DIGEST-MD5 (ZooKeeper's DigestLoginModule) for now. */
  mechanism?: 'DIGEST-MD5';
  username: string;
  password: string;
}

/** What the loop tells the client. */
export interface SessionLoopHost {
  stateChanged(state: ConnectionState, previous: ConnectionState): void;
  /** The session is over (`keeperState` is what watchers are told; none when it had already ended). */
  sessionEnded(err: ZooError, keeperState?: KeeperState): void;
}

/**
 * The session side of a client (the Java client's SendThread): finds a server, handshakes
 * (a new session or the same one resumed), hands the connection to the dispatcher, sends the
 * auth identities and watches again, pings, and on loss moves to the next host until the
 * session is back, expired or closed.
 */
export class SessionLoop {
  private hostIndex = 0;
  private current?: Connection;
  private currentState: ConnectionState = 'connecting';
  private sessionIdValue = 0n;
  private passwd = Buffer.alloc(16);
  private negotiatedTimeout = 0;
  private lastHeard = Date.now();
  private running?: Promise<void>;
  private pingTimer?: NodeJS.Timeout;
  private connectedWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closeRequested = false;
  /** addAuth credentials: they live on the connection, so every new one gets them again. */
  readonly auths: Array<{ scheme: string; auth: Buffer }> = [];

  constructor(
    private hosts: HostPort[],
    private readonly chroot: string,
    private readonly options: SessionLoopOptions,
    private readonly dispatcher: Dispatcher,
    private readonly watches: WatchRegistry,
    private readonly host: SessionLoopHost,
  ) {
    if (options.session) {
      this.sessionIdValue = options.session.id;
      this.passwd = Buffer.from(options.session.password);
    }
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get sessionId(): bigint {
    return this.sessionIdValue;
  }

  get sessionPassword(): Buffer {
    return Buffer.from(this.passwd);
  }

  get sessionTimeout(): number {
    return this.negotiatedTimeout;
  }

  get connection(): Connection | undefined {
    return this.current;
  }

  get isConnected(): boolean {
    return this.currentState === 'connected' || this.currentState === 'connectedReadOnly';
  }

  get isFinal(): boolean {
    return this.currentState === 'closed' || this.currentState === 'expired' || this.currentState === 'authFailed';
  }

  /** Starts the loop if needed; resolves once a session is established. */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    if (this.isFinal) return Promise.reject(new ZooError(ZooErrorCode.SESSIONEXPIRED, `cannot connect: client is ${this.currentState}`));
    const waiting = new Promise<void>((resolve, reject) => this.connectedWaiters.push({ resolve, reject }));
    this.running ??= this.run();
    const limit = this.options.connectTimeout ?? this.options.sessionTimeout;
    const giveUp = (err: ZooError) => {
      if (this.isConnected) return;
      for (const w of this.connectedWaiters.splice(0)) w.reject(err);
      void this.close();
    };
    const timer = setTimeout(() => giveUp(new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: could not connect to ${this.describeHosts()} within ${limit} ms`)), limit);
    const onAbort = () => giveUp(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: connect aborted', { cause: options.signal?.reason }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return waiting.finally(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    });
  }

  private describeHosts(): string {
    return this.hosts.map((h) => `${h.host}:${h.port}`).join(',');
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.host.stateChanged(state, previous);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.isFinal && !this.closeRequested) {
      const server = this.hosts[this.hostIndex++ % this.hosts.length];
      const T = this.negotiatedTimeout || this.options.sessionTimeout;
      let conn: Connection | undefined;
      try {
        conn = await Connection.open(server, { timeoutMs: Math.max(1000, Math.floor(T / this.hosts.length)), tls: this.options.tls, maxFrameLength: this.options.maxFrameLength });
        const res = await conn.handshake(
          {
            protocolVersion: 0,
            lastZxidSeen: this.dispatcher.lastZxid,
            timeOut: this.options.sessionTimeout,
            sessionId: this.sessionIdValue,
            passwd: this.passwd,
            readOnly: this.options.canBeReadOnly ?? false,
          },
          Math.max(1000, T),
        );
        if (this.closeRequested) {
          conn.close();
          break;
        }
        if (res.timeOut <= 0) {
          conn.close();
          this.expire('the server reports the session expired');
          break;
        }
        failures = 0;
        this.sessionIdValue = res.sessionId;
        this.passwd = Buffer.from(res.passwd);
        this.negotiatedTimeout = res.timeOut;
        this.lastHeard = Date.now();
        this.attach(conn);
        const saslError = this.options.sasl ? await this.authenticate(this.options.sasl).then(() => undefined, (err: unknown) => err ?? new Error('SASL failed')) : undefined;
        if (saslError instanceof ZooError && (saslError.code === ZooErrorCode.CONNECTIONLOSS || saslError.code === ZooErrorCode.OPERATIONTIMEOUT)) {
          conn.close(); // the connection went or stalled: try the next one
          failures++;
        } else if (saslError !== undefined) {
          this.authFailed(`SASL ${this.options.sasl?.mechanism ?? 'DIGEST-MD5'} authentication failed: ${saslError instanceof Error ? saslError.message : String(saslError)}`);
          await conn.closed;
          this.detach(conn);
          break;
        } else {
          this.setState(res.readOnly ? 'connectedReadOnly' : 'connected');
          for (const w of this.connectedWaiters.splice(0)) w.resolve();
        }
        await conn.closed;
        this.detach(conn);
      } catch {
        conn?.close();
        failures++;
      }
      if (this.isFinal || this.closeRequested) break;
      if (this.isConnected) this.setState('disconnected');
      // The server expires a session it has not heard from in T; without any server for 4/3 T,
      // the session is gone (as the Java client concludes since 3.9.3).
      if (this.sessionIdValue !== 0n && this.negotiatedTimeout > 0 && Date.now() - this.lastHeard > (this.negotiatedTimeout * 4) / 3) {
        this.expire(`no server reachable for ${Date.now() - this.lastHeard} ms`);
        break;
      }
      if (failures > 0 && failures % this.hosts.length === 0) {
        const backoff = Math.min(1000, 50 * 2 ** Math.min(failures / this.hosts.length, 5));
        await sleep(backoff * (0.5 + Math.random() * 0.5));
      }
    }
  }

  private attach(conn: Connection): void {
    this.current = conn;
    this.dispatcher.attach(conn);
    if (this.options.sasl) this.dispatcher.hold(); // nothing goes out before SASL is through
    // auth identities and watches live on the connection: send them again, ahead of any request
    for (const { scheme, auth } of this.auths) this.dispatcher.auth(scheme, auth).catch(() => {});
    this.resendWatches();
    const T = this.negotiatedTimeout;
    const readTimeout = (T * 2) / 3;
    this.pingTimer = setInterval(() => {
      const now = Date.now();
      if (now - conn.lastReceived > readTimeout) {
        conn.close(new Error(`no reply from ${conn.server.host}:${conn.server.port} for ${now - conn.lastReceived} ms`));
        return;
      }
      if (now - conn.lastSent >= Math.min(readTimeout / 2, 10_000)) conn.send(encodeRequest(Xid.ping, { op: OpCode.ping }));
    }, Math.max(50, Math.floor(T / 10)));
    this.pingTimer.unref();
  }

  private detach(conn: Connection): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    if (this.current === conn) this.current = undefined;
    this.lastHeard = Math.max(this.lastHeard, conn.lastReceived);
    this.dispatcher.detach(conn, new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: connection to ${conn.server.host}:${conn.server.port} lost`));
  }

  /** Re-registers every watch with setWatches2 (setWatches when no persistent ones), in ~128 KiB batches. */
  private resendWatches(): void {
    if (this.watches.isEmpty) return;
    // the config node is outside any chroot (getConfig asks for it as is)
    const server = (paths: Iterable<string>) => [...paths].map((p) => (p === CONFIG_NODE ? p : prependChroot(this.chroot, p)));
    const lists = {
      dataWatches: server(this.watches.data.keys()),
      existWatches: server(this.watches.exist.keys()),
      childWatches: server(this.watches.child.keys()),
      persistentWatches: server(this.watches.persistent.keys()),
      persistentRecursiveWatches: server(this.watches.recursive.keys()),
    };
    const v2 = lists.persistentWatches.length + lists.persistentRecursiveWatches.length > 0;
    const keys = ['dataWatches', 'existWatches', 'childWatches', 'persistentWatches', 'persistentRecursiveWatches'] as const;
    const batch = () => ({ dataWatches: [] as string[], existWatches: [] as string[], childWatches: [] as string[], persistentWatches: [] as string[], persistentRecursiveWatches: [] as string[] });
    let current = batch();
    let size = 0;
    const flush = () => {
      this.dispatcher.submit({ op: v2 ? OpCode.setWatches2 : OpCode.setWatches, relativeZxid: this.dispatcher.lastZxid, ...current }).catch(() => {});
      current = batch();
      size = 0;
    };
    for (const key of keys) {
      for (const path of lists[key]) {
        if (size + path.length > 128 * 1024) flush();
        current[key].push(path);
        size += path.length;
      }
    }
    flush();
  }

  /** Runs the SASL exchange on the attached connection; its packets go ahead of the held requests. */
  private async authenticate(sasl: SaslOptions): Promise<void> {
    const mechanism = new DigestMd5Client(sasl.username, sasl.password);
    let token: Buffer | null = mechanism.initial();
    while (token !== null) {
      const res = (await this.dispatcher.submit({ op: OpCode.sasl, token }, { timeoutMs: Math.max(1000, this.negotiatedTimeout) }, undefined, undefined, true)) as { token: Buffer };
      token = mechanism.evaluate(res.token);
    }
    this.dispatcher.release();
  }

  /** The server refused the credentials: final, like the Java client. */
  authFailed(reason = 'AUTHFAILED: the server refused the credentials'): void {
    this.setState('authFailed');
    const err = new ZooError(ZooErrorCode.AUTHFAILED, reason);
    this.host.sessionEnded(err, KeeperState.AuthFailed);
    for (const w of this.connectedWaiters.splice(0)) w.reject(err);
    this.current?.close();
  }

  private expire(reason: string): void {
    this.setState('expired');
    const err = new ZooError(ZooErrorCode.SESSIONEXPIRED, `SESSIONEXPIRED: ${reason}`);
    this.host.sessionEnded(err, KeeperState.Expired);
    for (const w of this.connectedWaiters.splice(0)) w.reject(err);
  }

  /** Ends the session (closeSession, so its ephemerals go at once) and stops the loop. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.closeRequested = true;
    const conn = this.current;
    if (conn?.isOpen && this.isConnected) {
      // the wait is cut short by the reply: a pending timer would keep the process alive ~2 s
      const replied = new AbortController();
      await Promise.race([
        this.dispatcher.submit({ op: OpCode.closeSession }).catch(() => {}),
        sleep(Math.min(2000, this.negotiatedTimeout || 2000), replied.signal).catch(() => {}),
      ]);
      replied.abort();
    }
    conn?.close();
    if (this.pingTimer) clearInterval(this.pingTimer);
    const wasFinal = this.isFinal;
    this.setState('closed');
    const err = new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: client closed');
    this.host.sessionEnded(err, wasFinal ? undefined : KeeperState.Closed);
    for (const w of this.connectedWaiters.splice(0)) w.reject(err);
    await this.running;
  }

  /**
   * Connects to these hosts from now on. The current connection is kept if its server is
   * still listed; otherwise it is dropped and the session moves to a listed one.
   */
  setHosts(hosts: HostPort[]): void {
    if (hosts.length === 0) throw new Error('updateServerList: no hosts');
    this.hosts = [...hosts];
    this.hostIndex = 0;
    const conn = this.current;
    if (conn && !hosts.some((h) => h.host === conn.server.host && h.port === conn.server.port)) conn.close(new Error('server no longer in the host list'));
  }

  get hostList(): readonly HostPort[] {
    return this.hosts;
  }

  /** Drops the current TCP connection (tests and failover drills): the loop reconnects. */
  drop(): void {
    this.current?.close(new Error('dropped on request'));
  }
}
