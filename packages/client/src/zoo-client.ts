import { EventEmitter } from 'node:events';
import {
  AddWatchMode,
  CreateMode,
  EventType,
  KeeperState,
  OpCode,
  OPEN_ACL_UNSAFE,
  prependChroot,
  stripChroot,
  validatePath,
  WatcherType,
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
import { Dispatcher, type OperationOptions, type Registration } from './dispatcher.js';
import { CONFIG_NODE, SessionLoop, type ConnectionState } from './session-loop.js';
import { parseConnectionString, shuffle, type ConnectionString, type HostPort } from './connection-string.js';
import { parseEnsembleConfig, type EnsembleConfig } from './ensemble-config.js';
import { Transaction } from './transaction.js';
import { WatchRegistry, type WatchedEvent, type WatchListener } from './watch-registry.js';
import { WatchStream } from './watch-stream.js';
import type { CreateOptions, WatchOption, ZooClientEvents, ZooClientOptions } from './client-options.js';
import { EnsembleTracker } from './ensemble-tracker.js';
import { isSequential, toCreateMode } from './create-mode.js';


/**
 * A ZooKeeper client for Zoo's server and Apache ZooKeeper ensembles. One connection at a
 * time, every request pipelined on it; replies are matched in order. On connection loss it
 * moves to the next host and resumes the same session; pending requests fail with
 * CONNECTIONLOSS (never silently retried — see `retry`). Expiry is final: a new session needs
 * a new client.
 */
export class ZooClient extends EventEmitter<ZooClientEvents> implements AsyncDisposable {
  private parsed: ConnectionString;
  readonly watches = new WatchRegistry();
  private readonly dispatcher: Dispatcher;
  private readonly loop: SessionLoop;
  private readonly shuffle: (hosts: HostPort[]) => HostPort[];
  private readonly tracker?: EnsembleTracker;

  constructor(connectionString: string, options: ZooClientOptions = {}) {
    super();
    this.parsed = parseConnectionString(connectionString);
    if (options.ensembleTracker) this.tracker = new EnsembleTracker(this);
    this.shuffle = options.shuffleHosts === false ? (h) => h : (h) => shuffle(h, options.random);
    const hosts = this.shuffle(this.parsed.hosts);
    this.dispatcher = new Dispatcher(
      {
        notification: (event) => this.onNotification(event),
        register: (reg, exists) => this.register(reg, exists),
        authFailed: () => this.loop.authFailed(),
      },
      { maxInFlight: options.maxInFlight ?? 1000, requestTimeout: options.requestTimeout },
    );
    this.loop = new SessionLoop(hosts, this.parsed.chroot, { sessionTimeout: 30_000, maxFrameLength: 0xfffff, ...options }, this.dispatcher, this.watches, {
      stateChanged: (state, previous) => {
        if (state === 'connected') this.tracker?.refresh();
        this.emit('state', state, previous);
        this.emit(state);
      },
      sessionEnded: (err, keeperState) => {
        this.dispatcher.failAll(err);
        if (keeperState !== undefined) this.endWatches(keeperState);
      },
    });
  }

  /** Shorthand for `new ZooClient(...)` + `connect()`. */
  static async connect(connectionString: string, options: ZooClientOptions = {}): Promise<ZooClient> {
    const client = new ZooClient(connectionString, options);
    await client.connect();
    return client;
  }

  get state(): ConnectionState {
    return this.loop.state;
  }

  get sessionId(): bigint {
    return this.loop.sessionId;
  }

  get sessionPassword(): Buffer {
    return this.loop.sessionPassword;
  }

  /** The timeout the server granted, ms (0 before the first connection). */
  get sessionTimeout(): number {
    return this.loop.sessionTimeout;
  }

  get chroot(): string {
    return this.parsed.chroot;
  }

  /** The hosts (as given, or as updateServerList / the ensemble tracker set them) and the chroot. */
  get connection(): ConnectionString {
    return this.parsed;
  }

  /** Requests waiting in the client (`queued`: held by maxInFlight or a socket that pushes back) and on the wire (`inFlight`). */
  get pendingRequests(): { queued: number; inFlight: number } {
    return { queued: this.dispatcher.queuedCount, inFlight: this.dispatcher.inFlightCount };
  }

  /** `host:port` of the server this client is connected to now, if any. */
  get connectedTo(): string | undefined {
    const conn = this.loop.connection;
    return conn?.isOpen ? `${conn.server.host}:${conn.server.port}` : undefined;
  }

  /** Connects (resolves once a session is established). */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.loop.connect(options);
  }

  // ---- watch notifications ------------------------------------------------------------------

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

  private endWatches(state: KeeperState): void {
    for (const l of this.watches.drainAll()) this.safeCall(l, { type: EventType.None, state, path: null });
  }

  private register(reg: Registration, exists: boolean): void {
    const w = this.watches;
    const table = { child: w.child, persistent: w.persistent, recursive: w.recursive, data: w.data, 'exist-or-data': exists ? w.data : w.exist }[reg.table];
    this.watches.add(table, reg.path, reg.listener);
  }

  // ---- requests ------------------------------------------------------------------------------

  /** Sends a request on the current connection; CONNECTIONLOSS if there is none. */
  private async submit(request: Request, path?: string, options: OperationOptions = {}, registration?: Registration): Promise<Response | undefined> {
    const state = this.loop.state;
    if (this.loop.isFinal) {
      const code = state === 'expired' ? ZooErrorCode.SESSIONEXPIRED : state === 'authFailed' ? ZooErrorCode.AUTHFAILED : ZooErrorCode.CONNECTIONLOSS;
      throw new ZooError(code, `${ZooErrorCode[code]}: client is ${state}`, { path, op: OpCode[request.op] });
    }
    if (!this.loop.connection?.isOpen) throw new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: not connected (${state})`, { path, op: OpCode[request.op] });
    return this.dispatcher.submit(request, options, path, registration);
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
    const mode = toCreateMode(options.mode, CreateMode.PERSISTENT);
    const sequential = isSequential(mode);
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
    this.loop.auths.push({ scheme, auth: bytes });
    if (!this.loop.connection?.isOpen) return;
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

  // ---- dynamic reconfiguration ----------------------------------------------------------------

  /**
   * The ensemble's dynamic configuration (ZooKeeper 3.5+: the data of /zookeeper/config, read
   * outside any chroot), parsed; `watch` fires on its next change.
   */
  async getConfig(options: WatchOption = {}): Promise<EnsembleConfig & { stat: Stat }> {
    const reg: Registration | undefined = options.watch ? { table: 'data', path: CONFIG_NODE, listener: options.watch } : undefined;
    const res = (await this.submit({ op: OpCode.getData, path: CONFIG_NODE, watch: !!reg }, CONFIG_NODE, options, reg)) as { data: Buffer | null; stat: Stat };
    return { ...parseEnsembleConfig(res.data?.toString('utf8') ?? ''), stat: res.stat };
  }

  /**
   * Changes the ensemble's membership (ZooKeeper's reconfig, as ZooKeeperAdmin.reconfigure):
   * incrementally (`joining` server specs such as `server.4=host:2888:3888;2181`, `leaving`
   * server ids) or as a whole new member list (`members`). `fromConfig` makes it conditional
   * on the current config version (BADVERSION otherwise). The server must run with
   * reconfigEnabled=true and the client be allowed to (super user, or skipACL).
   */
  async reconfig(
    change: { joining?: string | string[]; leaving?: number | string | Array<number | string>; members?: string | string[]; fromConfig?: bigint },
    options: OperationOptions = {},
  ): Promise<EnsembleConfig & { stat: Stat }> {
    const list = (v: string | number | Array<string | number> | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map(String).filter((x) => x.length > 0);
    const joining = list(change.joining);
    const leaving = list(change.leaving);
    const members = list(change.members);
    const fail = (why: string) => new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: reconfig ${why}`, { op: 'reconfig' });
    if (members.length > 0 && joining.length + leaving.length > 0) throw fail('takes either joining/leaving (incremental) or members (the whole list), not both');
    if (members.length + joining.length + leaving.length === 0) throw fail('needs joining, leaving or members');
    const res = (await this.submit(
      {
        op: OpCode.reconfig,
        joiningServers: joining.length ? joining.join(',') : null,
        leavingServers: leaving.length ? leaving.join(',') : null,
        newMembers: members.length ? members.join(',') : null,
        curConfigId: change.fromConfig ?? -1n,
      },
      CONFIG_NODE,
      options,
    )) as { data: Buffer | null; stat: Stat };
    return { ...parseEnsembleConfig(res.data?.toString('utf8') ?? ''), stat: res.stat };
  }

  /**
   * Connects to these hosts from now on (ZooKeeper.updateServerList): the session stays; the
   * connection moves only if its server is no longer listed. A chroot here must be the client's.
   */
  updateServerList(connectionString: string): void {
    const next = parseConnectionString(connectionString);
    if (next.chroot && next.chroot !== this.chroot) throw new Error(`updateServerList: chroot "${next.chroot}" differs from the client's "${this.chroot}"`);
    this.loop.setHosts(this.shuffle(next.hosts));
    this.parsed = { hosts: next.hosts, chroot: this.chroot };
    this.emit('hosts', next.hosts.map((h) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`)).join(','));
  }

  /** Ends the session (its ephemerals go at once) and closes the connection. */
  close(): Promise<void> {
    return this.loop.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Drops the current TCP connection (tests and failover drills): the client reconnects. */
  dropConnection(): void {
    this.loop.drop();
  }
}

/** For calls made of several requests: `timeoutMs` bounds the whole call, not each request. */
function overall(options: OperationOptions): OperationOptions {
  if (options.timeoutMs === undefined) return { signal: options.signal };
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return { signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout };
}
