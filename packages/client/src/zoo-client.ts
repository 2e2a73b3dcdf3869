import { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import {
  AddWatchMode,
  CreateMode,
  encodeRequest,
  EventType,
  KeeperState,
  OpCode,
  OPEN_ACL_UNSAFE,
  prependChroot,
  stripChroot,
  validatePath,
  WatcherType,
  Xid,
  ZooError,
  ZooErrorCode,
  type ACL,
  type ClientInfo,
  type MultiOp,
  type MultiResult,
  type Request,
  type Response,
  type Stat,
  type WatcherEvent,
} from '@zoo/core';
import { Connection } from './connection.js';
import { Dispatcher, type OperationOptions, type Registration } from './dispatcher.js';
import { parseConnectionString, shuffle, type ConnectionString } from './connection-string.js';
import { sleep } from './retry.js';
import { Transaction } from './transaction.js';
import { WatchRegistry, type WatchedEvent, type WatchListener } from './watch-registry.js';
import { WatchStream } from './watch-stream.js';

/** Where the client's session stands; `expired`, `authFailed` and `closed` are final. */
export type ConnectionState = 'connecting' | 'connected' | 'connectedReadOnly' | 'disconnected' | 'expired' | 'authFailed' | 'closed';
/** The name this type had first; the same union. */
export type ZooState = ConnectionState;

/**
 * What a ZooClient emits, for typed listeners: `client.on('state', (now, before) => ...)`.
 * Every state is also an event of its own name (`client.once('connected', ...)`).
 */
export type ZooClientEvents = {
  state: [state: ConnectionState, previous: ConnectionState];
  /** Every watch notification, after the watch's own listeners ran. */
  watch: [event: WatchedEvent];
  /** A watch listener threw (the client carries on). */
  error: [error: unknown];
} & { [S in ConnectionState]: [] };

export interface ZooClientOptions {
  /** Requested session timeout, ms (the server clamps it); default 30,000. */
  sessionTimeout?: number;
  /** How long connect() keeps trying before it gives up; default the session timeout. */
  connectTimeout?: number;
  /** TLS to every server (true, or node:tls options such as ca/cert/key). */
  tls?: boolean | ConnectionOptions;
  /** Accept a read-only server. */
  canBeReadOnly?: boolean;
  /** Largest reply frame accepted; default 0xfffff like the Java client. */
  maxFrameLength?: number;
  /** Try hosts in the given order instead of shuffled. */
  shuffleHosts?: boolean;
  random?: () => number;
  /** Resume an existing session (id and password from another client's sessionId/sessionPassword). */
  session?: { id: bigint; password: Buffer };
  /** Default `timeoutMs` of every call (none by default: a call waits for its reply or the connection's loss). */
  requestTimeout?: number;
  /**
   * Requests on the wire awaiting their reply, at most (default 1000, ZooKeeper's own
   * globalOutstandingLimit); more wait in the client, in order, as they do while the socket
   * pushes back.
   */
  maxInFlight?: number;
}

export type CreateModeName = 'persistent' | 'ephemeral' | 'persistentSequential' | 'ephemeralSequential' | 'container' | 'persistentWithTTL' | 'persistentSequentialWithTTL';

export interface CreateOptions extends OperationOptions {
  mode?: CreateMode | CreateModeName;
  acl?: ACL[];
  /** ms, for the TTL modes */
  ttl?: number;
}

export interface WatchOption extends OperationOptions {
  /** A one-shot watcher, called once on the next change (Java semantics). */
  watch?: WatchListener;
}

const MODE_NAMES: Record<CreateModeName, CreateMode> = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  persistentSequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
  persistentWithTTL: CreateMode.PERSISTENT_WITH_TTL,
  persistentSequentialWithTTL: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

/**
 * A ZooKeeper client for Zoo's server and Apache ZooKeeper ensembles. One connection at a
 * time, every request pipelined on it; replies are matched in order. On connection loss it
 * moves to the next host and resumes the same session; pending requests fail with
 * CONNECTIONLOSS (never silently retried — see `retry`). Expiry is final: a new session needs
 * a new client.
 */
export class ZooClient extends EventEmitter<ZooClientEvents> implements AsyncDisposable {
  readonly connection: ConnectionString;
  private readonly options: Required<Pick<ZooClientOptions, 'sessionTimeout' | 'maxFrameLength'>> & ZooClientOptions;
  private readonly hosts: ConnectionString['hosts'];
  private hostIndex = 0;
  private current?: Connection;
  private currentState: ZooState = 'connecting';
  private sessionIdValue = 0n;
  private passwd = Buffer.alloc(16);
  private negotiatedTimeout = 0;
  private lastHeard = Date.now();
  private readonly dispatcher: Dispatcher;
  private readonly auths: Array<{ scheme: string; auth: Buffer }> = [];
  readonly watches = new WatchRegistry();
  private running?: Promise<void>;
  private pingTimer?: NodeJS.Timeout;
  private connectedWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closeRequested = false;

  constructor(connectionString: string, options: ZooClientOptions = {}) {
    super();
    this.connection = parseConnectionString(connectionString);
    this.options = { sessionTimeout: 30_000, maxFrameLength: 0xfffff, ...options };
    this.hosts = options.shuffleHosts === false ? this.connection.hosts : shuffle(this.connection.hosts, options.random);
    this.dispatcher = new Dispatcher(
      {
        notification: (event) => this.onNotification(event),
        register: (reg, exists) => this.register(reg, exists),
        authFailed: () => this.onAuthFailed(),
      },
      { maxInFlight: options.maxInFlight ?? 1000, requestTimeout: options.requestTimeout },
    );
    if (options.session) {
      this.sessionIdValue = options.session.id;
      this.passwd = Buffer.from(options.session.password);
    }
  }

  /** Shorthand for `new ZooClient(...)` + `connect()`. */
  static async connect(connectionString: string, options: ZooClientOptions = {}): Promise<ZooClient> {
    const client = new ZooClient(connectionString, options);
    await client.connect();
    return client;
  }

  get state(): ZooState {
    return this.currentState;
  }

  get sessionId(): bigint {
    return this.sessionIdValue;
  }

  get sessionPassword(): Buffer {
    return Buffer.from(this.passwd);
  }

  /** The timeout the server granted, ms (0 before the first connection). */
  get sessionTimeout(): number {
    return this.negotiatedTimeout;
  }

  get chroot(): string {
    return this.connection.chroot;
  }

  /** Requests waiting in the client (`queued`: held by maxInFlight or a socket that pushes back) and on the wire (`inFlight`). */
  get pendingRequests(): { queued: number; inFlight: number } {
    return { queued: this.dispatcher.queuedCount, inFlight: this.dispatcher.inFlightCount };
  }

  /** `host:port` of the server this client is connected to now, if any. */
  get connectedTo(): string | undefined {
    return this.current?.isOpen ? `${this.current.server.host}:${this.current.server.port}` : undefined;
  }

  /** Connects (resolves once a session is established). */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.currentState === 'connected' || this.currentState === 'connectedReadOnly') return Promise.resolve();
    if (this.isFinal()) return Promise.reject(new ZooError(ZooErrorCode.SESSIONEXPIRED, `cannot connect: client is ${this.currentState}`));
    const waiting = new Promise<void>((resolve, reject) => this.connectedWaiters.push({ resolve, reject }));
    this.running ??= this.run();
    const limit = this.options.connectTimeout ?? this.options.sessionTimeout;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = (err: ZooError) => {
      if (this.currentState === 'connected' || this.currentState === 'connectedReadOnly') return;
      for (const w of this.connectedWaiters.splice(0)) w.reject(err);
      void this.close();
    };
    timer = setTimeout(() => giveUp(new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: could not connect to ${this.describeHosts()} within ${limit} ms`)), limit);
    const onAbort = () => giveUp(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: connect aborted', { cause: options.signal?.reason }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return waiting.finally(() => {
      clearTimeout(timer);
      timer = undefined;
      options.signal?.removeEventListener('abort', onAbort);
    });
  }

  private describeHosts(): string {
    return this.hosts.map((h) => `${h.host}:${h.port}`).join(',');
  }

  private isFinal(): boolean {
    return this.currentState === 'closed' || this.currentState === 'expired' || this.currentState === 'authFailed';
  }

  private setState(state: ZooState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.emit('state', state, previous);
    this.emit(state);
  }

  // ---- the connection loop ---------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.isFinal() && !this.closeRequested) {
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
        this.setState(res.readOnly ? 'connectedReadOnly' : 'connected');
        for (const w of this.connectedWaiters.splice(0)) w.resolve();
        await conn.closed;
        this.detach(conn);
      } catch {
        conn?.close();
        failures++;
      }
      if (this.isFinal() || this.closeRequested) break;
      if (this.currentState === 'connected' || this.currentState === 'connectedReadOnly') this.setState('disconnected');
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
    // auth identities and watches live on the connection: send them again
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
    const server = (paths: Iterable<string>) => [...paths].map((p) => prependChroot(this.chroot, p));
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

  private onAuthFailed(): void {
    this.setState('authFailed');
    this.dispatcher.failAll(new ZooError(ZooErrorCode.AUTHFAILED, 'AUTHFAILED'));
    this.endWatches(KeeperState.AuthFailed);
    this.current?.close();
  }

  private onNotification(event: WatcherEvent): void {
    const path = stripChroot(this.chroot, event.path);
    const listeners = this.watches.take(event.type, path);
    const watched: WatchedEvent = { type: event.type, state: event.state, path };
    for (const l of listeners) this.safeCall(l, watched);
    this.emit('watch', watched);
  }

  private safeCall(listener: WatchListener, event: WatchedEvent): void {
    try {
      listener(event);
    } catch (err) {
      // a throwing watcher must not break the connection loop
      queueMicrotask(() => this.emit('error', err));
    }
  }

  private expire(reason: string): void {
    this.setState('expired');
    this.dispatcher.failAll(new ZooError(ZooErrorCode.SESSIONEXPIRED, `SESSIONEXPIRED: ${reason}`));
    this.endWatches(KeeperState.Expired);
    for (const w of this.connectedWaiters.splice(0)) w.reject(new ZooError(ZooErrorCode.SESSIONEXPIRED, `SESSIONEXPIRED: ${reason}`));
  }

  private endWatches(state: KeeperState): void {
    for (const l of this.watches.drainAll()) this.safeCall(l, { type: EventType.None, state, path: null });
  }

  // ---- requests ------------------------------------------------------------------------------

  /** Sends a request on the current connection; CONNECTIONLOSS if there is none. */
  private async submit(request: Request, path?: string, options: OperationOptions = {}, registration?: Registration): Promise<Response | undefined> {
    const conn = this.current;
    if (this.isFinal()) {
      const code = this.currentState === 'expired' ? ZooErrorCode.SESSIONEXPIRED : this.currentState === 'authFailed' ? ZooErrorCode.AUTHFAILED : ZooErrorCode.CONNECTIONLOSS;
      throw new ZooError(code, `${ZooErrorCode[code]}: client is ${this.currentState}`, { path, op: OpCode[request.op] });
    }
    if (!conn || !conn.isOpen) throw new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: not connected (${this.currentState})`, { path, op: OpCode[request.op] });
    return this.dispatcher.submit(request, { ...options, path, registration });
  }

  private register(reg: Registration, exists: boolean): void {
    const w = this.watches;
    const table = { child: w.child, persistent: w.persistent, recursive: w.recursive, data: w.data, 'exist-or-data': exists ? w.data : w.exist }[reg.table];
    this.watches.add(table, reg.path, reg.listener);
  }

  private server(path: string, sequential = false): string {
    validatePath(path, sequential);
    return prependChroot(this.chroot, path);
  }

  private client(path: string): string {
    return stripChroot(this.chroot, path);
  }

  /** Creates a node; returns its path (with the sequence suffix) and Stat. */
  async create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const mode = typeof options.mode === 'string' ? MODE_NAMES[options.mode] : (options.mode ?? CreateMode.PERSISTENT);
    if (MODE_NAMES[options.mode as CreateModeName] === undefined && typeof options.mode === 'string') throw new TypeError(`unknown create mode "${options.mode}"`);
    const sequential = mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    const serverPath = this.server(path, sequential);
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const acl = options.acl ?? [...OPEN_ACL_UNSAFE];
    let request: Request;
    if (mode === CreateMode.CONTAINER) request = { op: OpCode.createContainer, path: serverPath, data: body, acl, flags: mode };
    else if (mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) {
      if (!options.ttl || options.ttl <= 0) throw new ZooError(ZooErrorCode.BADARGUMENTS, 'BADARGUMENTS: TTL modes need a positive ttl', { path, op: 'create' });
      request = { op: OpCode.createTTL, path: serverPath, data: body, acl, flags: mode, ttl: BigInt(options.ttl) };
    } else {
      if (options.ttl !== undefined) throw new ZooError(ZooErrorCode.BADARGUMENTS, 'BADARGUMENTS: ttl needs a TTL create mode', { path, op: 'create' });
      request = { op: OpCode.create2, path: serverPath, data: body, acl, flags: mode };
    }
    const res = (await this.submit(request, path, options)) as { path: string; stat: Stat };
    return { path: this.client(res.path), stat: res.stat };
  }

  async delete(path: string, version = -1, options: OperationOptions = {}): Promise<void> {
    await this.submit({ op: OpCode.delete, path: this.server(path), version }, path, options);
  }

  /** The node's Stat, or null if it does not exist. A watcher is set either way. */
  async exists(path: string, options: WatchOption = {}): Promise<Stat | null> {
    const reg: Registration | undefined = options.watch ? { table: 'exist-or-data', path, listener: options.watch } : undefined;
    try {
      return ((await this.submit({ op: OpCode.exists, path: this.server(path), watch: !!reg }, path, options, reg)) as { stat: Stat }).stat;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return null;
      throw err;
    }
  }

  async getData(path: string, options: WatchOption = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    const reg: Registration | undefined = options.watch ? { table: 'data', path, listener: options.watch } : undefined;
    const res = (await this.submit({ op: OpCode.getData, path: this.server(path), watch: !!reg }, path, options, reg)) as { data: Buffer | null; stat: Stat };
    // copy: the reply frame is shared with other replies
    return { data: res.data && Buffer.from(res.data), stat: res.stat };
  }

  async setData(path: string, data: Buffer | string | null, version = -1, options: OperationOptions = {}): Promise<Stat> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    return ((await this.submit({ op: OpCode.setData, path: this.server(path), data: body, version }, path, options)) as { stat: Stat }).stat;
  }

  async getChildren(path: string, options: WatchOption = {}): Promise<{ children: string[]; stat: Stat }> {
    const reg: Registration | undefined = options.watch ? { table: 'child', path, listener: options.watch } : undefined;
    const res = (await this.submit({ op: OpCode.getChildren2, path: this.server(path), watch: !!reg }, path, options, reg)) as { children: string[]; stat: Stat };
    return { children: res.children, stat: res.stat };
  }

  async getACL(path: string, options: OperationOptions = {}): Promise<{ acl: ACL[]; stat: Stat }> {
    const res = (await this.submit({ op: OpCode.getACL, path: this.server(path) }, path, options)) as { acl: ACL[]; stat: Stat };
    return { acl: res.acl, stat: res.stat };
  }

  async setACL(path: string, acl: ACL[], version = -1, options: OperationOptions = {}): Promise<Stat> {
    return ((await this.submit({ op: OpCode.setACL, path: this.server(path), acl, version }, path, options)) as { stat: Stat }).stat;
  }

  /** Waits until this server has caught up with the leader (for reads after another client's write). */
  async sync(path = '/', options: OperationOptions = {}): Promise<string> {
    return this.client(((await this.submit({ op: OpCode.sync, path: this.server(path) }, path, options)) as { path: string }).path);
  }

  transaction(): Transaction {
    return new Transaction((ops, options) => this.multi(ops, options), (p, s) => this.server(p, s), (p) => this.client(p));
  }

  private async multi(ops: MultiOp[], options: OperationOptions): Promise<MultiResult[]> {
    if (ops.length === 0) return [];
    return ((await this.submit({ op: OpCode.multi, ops }, undefined, options)) as { results: MultiResult[] }).results;
  }

  /** Several reads in one round trip; each result is the data/children or that op's error. */
  async multiRead(ops: Array<{ op: 'getData' | 'getChildren'; path: string }>, options: OperationOptions = {}): Promise<Array<{ data: Buffer | null; stat: Stat } | { children: string[] } | ZooError>> {
    if (ops.length === 0) return [];
    const request: MultiOp[] = ops.map((o) => (o.op === 'getData' ? { op: OpCode.getData, path: this.server(o.path), watch: false } : { op: OpCode.getChildren, path: this.server(o.path), watch: false }));
    const res = (await this.submit({ op: OpCode.multiRead, ops: request }, undefined, options)) as { results: MultiResult[] };
    return res.results.map((r, i) => {
      if (r.type === OpCode.getData) return { data: r.data && Buffer.from(r.data), stat: r.stat };
      if (r.type === OpCode.getChildren) return { children: r.children };
      return new ZooError(r.err, undefined, { path: ops[i].path, op: ops[i].op });
    });
  }

  /**
   * A persistent (optionally recursive) watch: `listener` gets every event until removed. It is
   * registered the moment the reply is read, so an event right behind the reply is not missed.
   */
  async addWatch(path: string, listener: WatchListener, mode: AddWatchMode | 'persistent' | 'persistentRecursive' = AddWatchMode.PERSISTENT, options: OperationOptions = {}): Promise<void> {
    const m = mode === 'persistentRecursive' ? AddWatchMode.PERSISTENT_RECURSIVE : mode === 'persistent' ? AddWatchMode.PERSISTENT : mode;
    const reg: Registration = { table: m === AddWatchMode.PERSISTENT_RECURSIVE ? 'recursive' : 'persistent', path, listener };
    await this.submit({ op: OpCode.addWatch, path: this.server(path), mode: m }, path, options, reg);
  }

  /** Removes watches on the server and locally (NOWATCHER if there were none). */
  async removeWatches(path: string, type: WatcherType = WatcherType.Any, listener?: WatchListener, options: OperationOptions = {}): Promise<void> {
    const local = this.localTables(type);
    await this.watchOp(OpCode.removeWatches, path, type, options);
    this.watches.remove(local, path, listener);
  }

  /** Resolves if the server holds a watch of `type` on `path` for this client; NOWATCHER otherwise. */
  async checkWatches(path: string, type: WatcherType = WatcherType.Any, options: OperationOptions = {}): Promise<void> {
    await this.watchOp(OpCode.checkWatches, path, type, options);
  }

  /** ZooKeeper before 3.9 knows only types 1-3 (and 3 covers persistent watches there). */
  private async watchOp(op: OpCode.checkWatches | OpCode.removeWatches, path: string, type: WatcherType, options: OperationOptions): Promise<void> {
    try {
      await this.submit({ op, path: this.server(path), type }, path, options);
    } catch (err) {
      const persistentType = type === WatcherType.Persistent || type === WatcherType.PersistentRecursive;
      if (!(persistentType && err instanceof ZooError && err.code === ZooErrorCode.MARSHALLINGERROR)) throw err;
      await this.submit({ op, path: this.server(path), type: WatcherType.Any }, path, options);
    }
  }

  private localTables(type: WatcherType) {
    const w = this.watches;
    switch (type) {
      case WatcherType.Children:
        return [w.child];
      case WatcherType.Data:
        return [w.data, w.exist];
      case WatcherType.Persistent:
        return [w.persistent];
      case WatcherType.PersistentRecursive:
        return [w.recursive];
      default:
        return [w.data, w.exist, w.child, w.persistent, w.recursive];
    }
  }

  /** This session's ephemeral nodes under `prefix`. */
  async getEphemerals(prefix = '/', options: OperationOptions = {}): Promise<string[]> {
    const serverPrefix = prefix === '/' ? this.chroot || '/' : prependChroot(this.chroot, prefix);
    const res = (await this.submit({ op: OpCode.getEphemerals, prefixPath: serverPrefix }, prefix, options)) as { ephemerals: string[] };
    return res.ephemerals.map((p) => this.client(p));
  }

  async getAllChildrenNumber(path: string, options: OperationOptions = {}): Promise<number> {
    return ((await this.submit({ op: OpCode.getAllChildrenNumber, path: this.server(path) }, path, options)) as { totalNumber: number }).totalNumber;
  }

  async whoAmI(options: OperationOptions = {}): Promise<ClientInfo[]> {
    return ((await this.submit({ op: OpCode.whoAmI }, undefined, options)) as { clientInfo: ClientInfo[] }).clientInfo;
  }

  /** Adds credentials to this connection (and every later one). */
  async addAuth(scheme: string, auth: Buffer | string, options: OperationOptions = {}): Promise<void> {
    const bytes = typeof auth === 'string' ? Buffer.from(auth) : auth;
    this.auths.push({ scheme, auth: bytes });
    if (!this.current?.isOpen) return;
    await this.dispatcher.auth(scheme, bytes, options);
  }

  /** Creates `path` and any missing parents (persistent); existing nodes are fine. */
  async mkdirp(path: string, data: Buffer | string | null = null, options: { acl?: ACL[] } & OperationOptions = {}): Promise<void> {
    validatePath(path);
    const op = overall(options);
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      try {
        await this.create(p, i === parts.length ? data : null, { acl: options.acl, ...op });
      } catch (err) {
        if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
      }
    }
  }

  /** Deletes `path` and everything under it (children first); a missing node is fine. */
  async deleteRecursive(path: string, options: OperationOptions = {}): Promise<void> {
    validatePath(path);
    const op = overall(options);
    let children: string[];
    try {
      children = (await this.getChildren(path, op)).children;
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return;
      throw err;
    }
    await Promise.all(children.map((c) => this.deleteRecursive(path === '/' ? `/${c}` : `${path}/${c}`, op)));
    if (path === '/') return;
    try {
      await this.delete(path, -1, op);
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return;
      if (err instanceof ZooError && err.code === ZooErrorCode.NOTEMPTY) return this.deleteRecursive(path, op); // children appeared meanwhile
      throw err;
    }
  }

  /**
   * Events of a persistent watch as an async iterator; ends when closed, aborted, or the client
   * ends. `await stream.armed` resolves once the server holds the watch (rejects if refused).
   */
  watch(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): WatchStream {
    return new WatchStream(this, path, options.recursive ?? false, options.signal);
  }

  /** Ends the session (its ephemerals go at once) and closes the connection. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.closeRequested = true;
    const conn = this.current;
    if (conn?.isOpen && (this.currentState === 'connected' || this.currentState === 'connectedReadOnly')) {
      await Promise.race([this.dispatcher.submit({ op: OpCode.closeSession }).catch(() => {}), sleep(Math.min(2000, this.negotiatedTimeout || 2000))]);
    }
    conn?.close();
    if (this.pingTimer) clearInterval(this.pingTimer);
    const wasFinal = this.isFinal();
    this.setState('closed');
    this.dispatcher.failAll(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: client closed'));
    if (!wasFinal) this.endWatches(KeeperState.Closed);
    for (const w of this.connectedWaiters.splice(0)) w.reject(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: client closed'));
    await this.running;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Drops the current TCP connection (tests and failover drills): the client reconnects. */
  dropConnection(): void {
    this.current?.close(new Error('dropped on request'));
  }
}

/** For calls made of several requests: `timeoutMs` bounds the whole call, not each request. */
function overall(options: OperationOptions): OperationOptions {
  if (options.timeoutMs === undefined) return { signal: options.signal };
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return { signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout };
}
