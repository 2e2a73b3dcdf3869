import { checkACL, isSuper } from '../acl/acl-check.js';
import { generateDigest } from '../acl/digest.js';
import { LastFixedACL } from '../acl/last-fixed-acl.js';
import { systemClock, type Clock } from '../clock.js';
import { ZooError, ZooErrorCode } from '../errors.js';
import { AddWatchMode, EventType, KeeperState, OpCode, Perms, WatcherType } from '../protocol/opcodes.js';
import type {
  ACL,
  ConnectRequest,
  ConnectResponse,
  Id,
  MultiOp,
  MultiResult,
  Request,
  Response,
  SetWatchesRequest,
  WatcherEvent,
} from '../protocol/records.js';
import { SessionTracker } from '../session/session-tracker.js';
import { DataTree, type TreeEvent } from '../tree/data-tree.js';
import { isContainerOwner, isTtlOwner, ttlOf } from '../tree/node-type.js';
import type { ZNode } from '../tree/znode.js';
import { parentPath } from '../path/validate-path.js';
import { WatchManager } from '../watch/watch-manager.js';
import type { Watcher } from '../watch/watcher.js';
import { PendingView } from './pending-view.js';
import {
  isValidCreateFlags,
  prepCheck,
  prepCreate,
  prepDelete,
  prepDeleteContainer,
  prepSetACL,
  prepSetData,
  type PrepContext,
} from './prep-write.js';
import { restoreSnapshot, SnapshotRestorer } from './snapshot-restorer.js';
import { snapshotChunks } from './snapshot-writer.js';
import type { Txn, TxnBody, TxnOp } from './txn.js';
import { UndoJournal } from './undo-journal.js';
import { CreateUndo, DeleteUndo, SetDataUndo } from './undo-steps.js';

/** One connection as the engine sees it. The identities grow with auth packets. */
export interface ConnectionContext {
  watcher: Watcher;
  sessionId: bigint;
  authInfo: Id[];
}

export interface WatchNotification {
  watcher: Watcher;
  zxid: bigint;
  event: WatcherEvent;
}

export interface ProcessResult {
  /** ReplyHeader.err */
  err: number;
  /** ReplyHeader.zxid */
  zxid: bigint;
  /** The reply body, when err is 0 and the op has one. */
  response?: Response;
  /** A write (failed writes too): log it, and reply only once it is durable. */
  txn?: Txn;
  /** Send to each watcher's connection before this reply. */
  notifications: WatchNotification[];
  /** Close the connection after the reply. */
  close?: boolean;
}

export interface ConnectResult {
  response: ConnectResponse;
  /** false: send the (expired) response, then close. */
  valid: boolean;
  /** true: close at once without any reply (e.g. the client has seen a newer zxid). */
  refuse?: boolean;
  /** createSession: log it before sending the response. */
  txn?: Txn;
}

export interface ZooEngineOptions {
  clock?: Clock;
  /** ms; default 3000 like ZooKeeper. */
  tickTime?: number;
  /** default 2 × tickTime */
  minSessionTimeout?: number;
  /** default 20 × tickTime */
  maxSessionTimeout?: number;
  /** "super:<base64 sha1>": a digest identity equal to it also gets the super identity. */
  superDigest?: string;
  /** TTL nodes; Zoo's default is on. */
  extendedTypesEnabled?: boolean;
  /** High byte of session ids; 0 standalone. */
  serverId?: number;
}

export interface EngineStats {
  nodeCount: number;
  /** Data + child watch entries (mntr's zk_watch_count). */
  watchCount: number;
  watchedPaths: number;
  /** The data table alone, which ZooKeeper's wchs summarizes. */
  dataWatchCount: number;
  dataWatchedPaths: number;
  ephemeralsCount: number;
  approximateDataSize: number;
  sessionCount: number;
}

const NO_NOTIFICATIONS: WatchNotification[] = [];
/** What a read-only server refuses (ZooKeeper's ReadOnlyRequestProcessor): every write, and sync. */
const WRITE_OPS: ReadonlySet<number> = new Set([
  OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.deleteContainer,
  OpCode.setData, OpCode.setACL, OpCode.multi, OpCode.reconfig, OpCode.closeSession, OpCode.sync, OpCode.check,
]);
const ZERO_PASSWORD = Buffer.alloc(16);

/**
 * The ZooKeeper state machine: decoded requests in, replies + watch notifications + the txn
 * to log out. Pure: no sockets, files or timers; time comes from the injected clock. A write
 * is validated against the current state, turned into a txn with the next zxid, and applied
 * at once; the server holds replies until the txn is durable.
 */
export class ZooEngine {
  readonly tree = new DataTree();
  readonly sessions: SessionTracker;
  readonly watches = new WatchManager();
  readonly clock: Clock;
  readonly tickTime: number;
  readonly minSessionTimeout: number;
  readonly maxSessionTimeout: number;
  readonly extendedTypesEnabled: boolean;
  private readonly superDigest?: string;
  private zxid = 0n;
  /**
   * Undo steps of the live txns applied but not yet known durable (null: not kept). The server
   * applies a write at once and holds every reply until the log has it; if the log then fails,
   * rollback() takes those txns back so memory matches the disk again.
   */
  private journal: UndoJournal | null = null;
  /**
   * Reused on every request rather than made per request (they are garbage once it is
   * answered): the overlay a single write is validated against, and what it is validated as.
   */
  private readonly view = new PendingView(this.tree);
  private readonly pctx: PrepContext = { sessionId: 0n, authInfo: [], extendedTypesEnabled: true, createACL: new LastFixedACL() };
  /** Why writes are refused (the log cannot be written), or undefined. */
  private refusal: string | undefined;
  /** Identities of watchers, for the READ check before a notification is delivered. */
  private readonly watcherContexts = new Map<Watcher, ConnectionContext>();

  constructor(options: ZooEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.tickTime = options.tickTime ?? 3000;
    this.minSessionTimeout = options.minSessionTimeout && options.minSessionTimeout > 0 ? options.minSessionTimeout : 2 * this.tickTime;
    this.maxSessionTimeout = options.maxSessionTimeout && options.maxSessionTimeout > 0 ? options.maxSessionTimeout : 20 * this.tickTime;
    if (this.minSessionTimeout > this.maxSessionTimeout)
      throw new RangeError(`minSessionTimeout (${this.minSessionTimeout}) must not exceed maxSessionTimeout (${this.maxSessionTimeout})`);
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? true;
    this.superDigest = options.superDigest;
    this.sessions = new SessionTracker(this.clock, this.tickTime, options.serverId ?? 0);
  }

  get lastZxid(): bigint {
    return this.zxid;
  }

  // ---- durability ---------------------------------------------------------------------------

  /** From now on, keep what is needed to roll back live txns until durableThrough() drops it. */
  keepUndo(): void {
    this.journal ??= new UndoJournal();
  }

  /** The log holds every txn up to `zxid`: their undo steps are no longer needed. */
  durableThrough(zxid: bigint): void {
    this.journal?.dropThrough(zxid);
  }

  /**
   * Takes back every live txn after `zxid`, newest first: the log failed before they became
   * durable. Watches they fired are not re-armed (the server drops the connections that were
   * to be told), and the sequence counters go back too (nobody was told those numbers).
   */
  rollback(zxid: bigint): number {
    const j = this.journal;
    if (!j) throw new Error('rollback needs keepUndo()');
    const undone = j.undoAfter(zxid);
    if (this.zxid > zxid) this.zxid = zxid;
    return undone;
  }

  /**
   * Refuse every write (NOTREADONLY), new sessions and the txns of expiry and the reaper while
   * `reason` is set: the log cannot be written. Reads and existing sessions go on.
   */
  refuseWrites(reason: string | undefined): void {
    this.refusal = reason;
  }

  /** Why writes are refused, if they are. */
  get writesRefused(): string | undefined {
    return this.refusal;
  }

  // ---- sessions ---------------------------------------------------------------------------

  connect(req: ConnectRequest): ConnectResult {
    const readOnly = req.readOnly === undefined ? undefined : false;
    if (req.lastZxidSeen > this.zxid) {
      // The client has seen newer state than ours: it must try another server.
      return { response: invalidResponse(readOnly), valid: false, refuse: true };
    }
    const timeout = Math.min(Math.max(req.timeOut, this.minSessionTimeout), this.maxSessionTimeout);
    // A new session is a txn: a server that cannot log closes the connection without a reply,
    // as a read-only ZooKeeper does to a client that did not ask for read-only.
    if (req.sessionId === 0n && this.refusal !== undefined) return { response: invalidResponse(readOnly), valid: false, refuse: true };
    if (req.sessionId === 0n) {
      const sessionId = this.sessions.allocateId();
      const txn = this.makeTxn(sessionId, { type: OpCode.createSession, timeout });
      this.apply(txn);
      const session = this.sessions.get(sessionId)!;
      return { response: { protocolVersion: 0, timeOut: timeout, sessionId, passwd: session.passwd, readOnly }, valid: true, txn };
    }
    const session = this.sessions.get(req.sessionId);
    if (!session || session.closing || !session.passwd.equals(req.passwd)) {
      return { response: invalidResponse(readOnly), valid: false };
    }
    this.sessions.touch(session.id, timeout);
    return { response: { protocolVersion: 0, timeOut: timeout, sessionId: session.id, passwd: session.passwd, readOnly }, valid: true };
  }

  touch(sessionId: bigint): void {
    this.sessions.touch(sessionId);
  }

  /** Ms until `expireSessions()` has work again at the earliest: the next tick boundary. */
  msUntilSessionExpiry(): number {
    return this.sessions.waitTime();
  }

  /** Closes every session whose deadline passed: one closeSession result each. */
  expireSessions(): ProcessResult[] {
    const results: ProcessResult[] = [];
    // expiry is a txn: sessions stay until it can be logged
    if (this.refusal !== undefined) return results;
    for (const session of this.sessions.expired()) {
      results.push(this.closeSession(session.id));
    }
    return results;
  }

  private closeSession(sessionId: bigint): ProcessResult {
    this.sessions.setClosing(sessionId);
    const paths = [...(this.tree.ephemerals.get(sessionId) ?? [])].sort();
    const txn = this.makeTxn(sessionId, { type: OpCode.closeSession, paths });
    const events = this.apply(txn);
    return { err: 0, zxid: txn.zxid, txn, notifications: this.notify(events, txn.zxid) };
  }

  /** Deletes empty containers that once had a child, and TTL nodes idle past their TTL. */
  reapContainers(): ProcessResult[] {
    if (this.refusal !== undefined) return [];
    const now = this.clock.now();
    const doomed: string[] = [];
    for (const path of this.tree.containers) {
      const node = this.tree.get(path);
      if (node && node.numChildren === 0 && node.childCreates > 0) doomed.push(path);
    }
    for (const path of this.tree.ttls) {
      const node = this.tree.get(path);
      if (node && node.numChildren === 0 && now - node.mtime > ttlOf(node.ephemeralOwner)) doomed.push(path);
    }
    const results: ProcessResult[] = [];
    for (const path of doomed) {
      try {
        const op = prepDeleteContainer(path, new PendingView(this.tree));
        const txn = this.makeTxn(0n, op);
        results.push({ err: 0, zxid: txn.zxid, txn, notifications: this.notify(this.apply(txn), txn.zxid) });
      } catch {
        // raced with a create: leave it for the next round
      }
    }
    return results;
  }

  // ---- requests -----------------------------------------------------------------------------

  process(ctx: ConnectionContext, xid: number, request: Request): ProcessResult {
    void xid;
    if (ctx.sessionId !== 0n) {
      const session = this.sessions.get(ctx.sessionId);
      if (!session || session.closing) return { err: ZooErrorCode.SESSIONEXPIRED, zxid: this.zxid, notifications: NO_NOTIFICATIONS, close: true };
    }
    if (this.refusal !== undefined && WRITE_OPS.has(request.op)) {
      // ZooKeeper's read-only answer; a closeSession just closes (the session expires later)
      if (request.op === OpCode.closeSession) return { err: 0, zxid: this.zxid, notifications: NO_NOTIFICATIONS, close: true };
      return this.error(ZooErrorCode.NOTREADONLY);
    }
    switch (request.op) {
      case OpCode.ping:
        return this.ok();
      case OpCode.auth:
        return this.auth(ctx, request.scheme, request.auth);
      case OpCode.sasl:
        return { err: ZooErrorCode.AUTHFAILED, zxid: 0n, notifications: NO_NOTIFICATIONS, close: true };
      case OpCode.closeSession:
        if (ctx.sessionId === 0n) return this.ok();
        return { ...this.closeSession(ctx.sessionId), close: true };
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
      case OpCode.delete:
      case OpCode.setData:
      case OpCode.setACL:
      case OpCode.deleteContainer:
        return this.write(ctx, request);
      case OpCode.multi:
        return this.multi(ctx, request.ops);
      case OpCode.reconfig:
        return this.failWrite(ctx, ZooErrorCode.RECONFIGDISABLED);
      case OpCode.check:
        // check is only valid inside multi; standalone it is an unknown op
        return { err: ZooErrorCode.UNIMPLEMENTED, zxid: -1n, notifications: NO_NOTIFICATIONS, close: true };
      case OpCode.setWatches:
      case OpCode.setWatches2:
        return this.setWatches(ctx, request);
      default:
        return this.read(ctx, request);
    }
  }

  /** The connection is gone: drop its watches (its session lives on). */
  removeWatcher(watcher: Watcher): void {
    this.watches.removeWatcher(watcher);
    this.watcherContexts.delete(watcher);
  }

  private ok(response?: Response): ProcessResult {
    return { err: 0, zxid: this.zxid, response, notifications: NO_NOTIFICATIONS };
  }

  private error(err: number): ProcessResult {
    return { err, zxid: this.zxid, notifications: NO_NOTIFICATIONS };
  }

  private auth(ctx: ConnectionContext, scheme: string, auth: Buffer): ProcessResult {
    if (scheme === 'digest') {
      const id = generateDigest(auth.toString('utf8'));
      addIdentity(ctx.authInfo, { scheme: 'digest', id });
      if (this.superDigest && id === this.superDigest) addIdentity(ctx.authInfo, { scheme: 'super', id: '' });
      return { err: 0, zxid: 0n, notifications: NO_NOTIFICATIONS };
    }
    if (scheme === 'ip') {
      return { err: 0, zxid: 0n, notifications: NO_NOTIFICATIONS };
    }
    return { err: ZooErrorCode.AUTHFAILED, zxid: 0n, notifications: NO_NOTIFICATIONS, close: true };
  }

  private prepContext(ctx: ConnectionContext): PrepContext {
    const pctx = this.pctx;
    pctx.sessionId = ctx.sessionId;
    pctx.authInfo = ctx.authInfo;
    pctx.extendedTypesEnabled = this.extendedTypesEnabled;
    return pctx;
  }

  private prepOne(op: MultiOp | Request, pctx: PrepContext, view: PendingView): TxnOp {
    switch (op.op) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return prepCreate(op, pctx, view);
      case OpCode.delete:
        return prepDelete(op, pctx, view);
      case OpCode.setData:
        return prepSetData(op, pctx, view);
      case OpCode.setACL:
        return prepSetACL(op, pctx, view);
      case OpCode.check:
        return prepCheck(op, pctx, view);
      case OpCode.deleteContainer:
        return prepDeleteContainer(op.path, view);
      default:
        throw new ZooError(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: op ${OpCode[op.op] ?? op.op} is not a write`);
    }
  }

  private write(ctx: ConnectionContext, request: Request): ProcessResult {
    let op: TxnOp;
    const view = this.view;
    view.reset();
    try {
      op = this.prepOne(request, this.prepContext(ctx), view);
    } catch (err) {
      return this.failWrite(ctx, codeOf(err));
    } finally {
      view.reset();
    }
    const txn = this.makeTxn(ctx.sessionId, op);
    const events = this.apply(txn);
    return { err: 0, zxid: txn.zxid, txn, response: this.writeResponse(request.op, op), notifications: this.notify(events, txn.zxid) };
  }

  /** A failed write consumes a zxid (an error txn is logged), as in ZooKeeper. */
  private failWrite(ctx: ConnectionContext, err: number): ProcessResult {
    const txn = this.makeTxn(ctx.sessionId, { type: OpCode.error, err });
    this.apply(txn);
    return { err, zxid: txn.zxid, txn, notifications: NO_NOTIFICATIONS };
  }

  private writeResponse(requestOp: OpCode, op: TxnOp): Response | undefined {
    switch (requestOp) {
      case OpCode.create:
        return { op: OpCode.create, path: (op as { path: string }).path };
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const path = (op as { path: string }).path;
        return { op: requestOp, path, stat: this.tree.get(path)!.stat() };
      }
      case OpCode.setData:
      case OpCode.setACL:
        return { op: requestOp, stat: this.tree.get((op as { path: string }).path)!.stat() };
      default:
        return undefined;
    }
  }

  private multi(ctx: ConnectionContext, ops: MultiOp[]): ProcessResult {
    for (const op of ops) {
      const allowed =
        op.op === OpCode.create || op.op === OpCode.create2 || op.op === OpCode.createContainer || op.op === OpCode.createTTL ||
        op.op === OpCode.delete || op.op === OpCode.setData || op.op === OpCode.check;
      const badFlags = 'flags' in op && !isValidCreateFlags(op.flags);
      if (!allowed || badFlags) return this.error(ZooErrorCode.MARSHALLINGERROR);
    }
    const pctx = this.prepContext(ctx);
    const view = new PendingView(this.tree);
    const txnOps: TxnOp[] = [];
    for (let i = 0; i < ops.length; i++) {
      try {
        txnOps.push(this.prepOne(ops[i], pctx, view));
      } catch (err) {
        const code = codeOf(err);
        const results: MultiResult[] = ops.map((_, j) => ({
          type: OpCode.error,
          err: j < i ? 0 : j === i ? code : ZooErrorCode.RUNTIMEINCONSISTENCY,
        }));
        const txn = this.makeTxn(ctx.sessionId, { type: OpCode.error, err: code });
        this.apply(txn);
        return { err: 0, zxid: txn.zxid, txn, response: { op: OpCode.multi, results }, notifications: NO_NOTIFICATIONS };
      }
    }
    const txn = this.makeTxn(ctx.sessionId, { type: OpCode.multi, ops: txnOps });
    // Each result shows the state right after its own op, as ZooKeeper's do.
    const events = this.eventsWanted();
    const undo = this.undoFor(txn);
    const results: MultiResult[] = txnOps.map((op, i) => {
      this.applyBody(txn, op, events, undo);
      return this.multiResult(ops[i], op);
    });
    this.zxid = txn.zxid;
    return { err: 0, zxid: txn.zxid, txn, response: { op: OpCode.multi, results }, notifications: this.notify(events, txn.zxid) };
  }

  private multiResult(op: MultiOp, txnOp: TxnOp): MultiResult {
    switch (op.op) {
      case OpCode.create:
      case OpCode.create2:
        // ZooKeeper answers a create2 inside a multi with a plain create result (path only)
        return { type: OpCode.create, err: 0, path: (txnOp as { path: string }).path };
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const path = (txnOp as { path: string }).path;
        return { type: OpCode.create2, err: 0, path, stat: this.tree.get(path)?.stat() ?? emptyStat() };
      }
      case OpCode.delete:
        return { type: OpCode.delete, err: 0 };
      case OpCode.setData:
        return { type: OpCode.setData, err: 0, stat: this.tree.get(op.path)?.stat() ?? emptyStat() };
      default:
        return { type: OpCode.check, err: 0 };
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  private read(ctx: ConnectionContext, request: Request): ProcessResult {
    try {
      return this.ok(this.readResponse(ctx, request));
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.UNIMPLEMENTED) {
        return { err: ZooErrorCode.UNIMPLEMENTED, zxid: -1n, notifications: NO_NOTIFICATIONS, close: true };
      }
      return this.error(codeOf(err));
    }
  }

  /** Reads resolve "" to the root and do not validate syntax: a bad path is simply NONODE. */
  private node(path: string): ZNode {
    const node = this.tree.get(path === '' ? '/' : path);
    if (!node) throw new ZooError(ZooErrorCode.NONODE, undefined, { path });
    return node;
  }

  private requireRead(ctx: ConnectionContext, node: ZNode, path: string, perm: number = Perms.READ): void {
    if (!checkACL(node.acl, perm, ctx.authInfo)) throw new ZooError(ZooErrorCode.NOAUTH, undefined, { path });
  }

  private registerWatcher(ctx: ConnectionContext): void {
    this.watcherContexts.set(ctx.watcher, ctx);
  }

  private readResponse(ctx: ConnectionContext, request: Request): Response {
    switch (request.op) {
      case OpCode.exists: {
        const { path } = request;
        if (path.includes('\0')) throw new ZooError(ZooErrorCode.BADARGUMENTS, undefined, { path, op: 'exists' });
        const node = this.tree.get(path === '' ? '/' : path);
        if (node) this.requireRead(ctx, node, path);
        if (request.watch) {
          this.registerWatcher(ctx);
          this.watches.addDataWatch(path, ctx.watcher);
        }
        if (!node) throw new ZooError(ZooErrorCode.NONODE, undefined, { path });
        return { op: OpCode.exists, stat: node.stat() };
      }
      case OpCode.getData: {
        const node = this.node(request.path);
        this.requireRead(ctx, node, request.path);
        if (request.watch) {
          this.registerWatcher(ctx);
          this.watches.addDataWatch(request.path, ctx.watcher);
        }
        return { op: OpCode.getData, data: node.data, stat: node.stat() };
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const node = this.node(request.path);
        this.requireRead(ctx, node, request.path);
        if (request.watch) {
          this.registerWatcher(ctx);
          this.watches.addChildWatch(request.path, ctx.watcher);
        }
        const children = node.children ? node.children.toArray() : [];
        return request.op === OpCode.getChildren ? { op: OpCode.getChildren, children } : { op: OpCode.getChildren2, children, stat: node.stat() };
      }
      case OpCode.getACL: {
        const node = this.node(request.path);
        this.requireRead(ctx, node, request.path, Perms.READ | Perms.ADMIN);
        const admin = checkACL(node.acl, Perms.ADMIN, ctx.authInfo);
        // Without ADMIN, digest hashes are not shown (ZooKeeper masks them as user:x).
        const acl: ACL[] = node.acl.map((a) =>
          !admin && a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: `${a.id.id.split(':')[0]}:x` } } : { perms: a.perms, id: { ...a.id } },
        );
        return { op: OpCode.getACL, acl, stat: node.stat() };
      }
      case OpCode.sync:
        return { op: OpCode.sync, path: request.path };
      case OpCode.getAllChildrenNumber: {
        const path = request.path === '' ? '/' : request.path;
        const node = this.node(path);
        this.requireRead(ctx, node, path);
        return { op: OpCode.getAllChildrenNumber, totalNumber: this.tree.countDescendants(path) };
      }
      case OpCode.getEphemerals: {
        const prefix = request.prefixPath ?? '';
        const mine = this.tree.ephemerals.get(ctx.sessionId);
        const ephemerals = mine ? [...mine].filter((p) => prefix === '' || prefix === '/' || p.startsWith(prefix)) : [];
        return { op: OpCode.getEphemerals, ephemerals };
      }
      case OpCode.whoAmI:
        // (ZooKeeper's order is its hash set's; ours is the order identities were added)
        return { op: OpCode.whoAmI, clientInfo: ctx.authInfo.map((id) => ({ authScheme: id.scheme, user: id.scheme === 'digest' ? id.id.split(':')[0] : id.id })) };
      case OpCode.multiRead:
        return { op: OpCode.multiRead, results: request.ops.map((op) => this.multiReadOne(ctx, op)) };
      case OpCode.addWatch: {
        if (request.mode !== AddWatchMode.PERSISTENT && request.mode !== AddWatchMode.PERSISTENT_RECURSIVE)
          throw new ZooError(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: invalid addWatch mode ${request.mode}`, { path: request.path });
        this.registerWatcher(ctx);
        this.watches.addPersistentWatch(request.path, ctx.watcher, request.mode === AddWatchMode.PERSISTENT_RECURSIVE);
        return { op: OpCode.addWatch, err: 0 };
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        if (!(request.type in WatcherType)) throw new ZooError(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: invalid watcher type ${request.type}`);
        const found =
          request.op === OpCode.checkWatches
            ? this.watches.has(request.path, ctx.watcher, request.type)
            : this.watches.remove(request.path, ctx.watcher, request.type);
        if (!found) throw new ZooError(ZooErrorCode.NOWATCHER, undefined, { path: request.path });
        return { op: request.op };
      }
      default:
        throw new ZooError(ZooErrorCode.UNIMPLEMENTED, `UNIMPLEMENTED: opcode ${request.op}`);
    }
  }

  private multiReadOne(ctx: ConnectionContext, op: MultiOp): MultiResult {
    try {
      if (op.op === OpCode.getData) {
        const node = this.node(op.path);
        this.requireRead(ctx, node, op.path);
        return { type: OpCode.getData, err: 0, data: node.data, stat: node.stat() };
      }
      if (op.op === OpCode.getChildren) {
        const node = this.node(op.path);
        this.requireRead(ctx, node, op.path);
        return { type: OpCode.getChildren, err: 0, children: node.children ? node.children.toArray() : [] };
      }
      return { type: OpCode.error, err: ZooErrorCode.MARSHALLINGERROR };
    } catch (err) {
      return { type: OpCode.error, err: codeOf(err) };
    }
  }

  /** Re-registers a reconnecting client's watches, firing those whose change it missed. */
  private setWatches(ctx: ConnectionContext, req: SetWatchesRequest): ProcessResult {
    const notifications: WatchNotification[] = [];
    const send = (type: EventType, path: string) =>
      notifications.push({ watcher: ctx.watcher, zxid: -1n, event: { type, state: KeeperState.SyncConnected, path } });
    const rel = req.relativeZxid;
    this.registerWatcher(ctx);
    for (const path of req.dataWatches) {
      const node = this.tree.get(path);
      if (!node) send(EventType.NodeDeleted, path);
      else if (node.mzxid > rel) send(EventType.NodeDataChanged, path);
      else this.watches.addDataWatch(path, ctx.watcher);
    }
    for (const path of req.existWatches) {
      if (this.tree.get(path)) send(EventType.NodeCreated, path);
      else this.watches.addDataWatch(path, ctx.watcher);
    }
    for (const path of req.childWatches) {
      const node = this.tree.get(path);
      if (!node) send(EventType.NodeDeleted, path);
      else if (node.pzxid > rel) send(EventType.NodeChildrenChanged, path);
      else this.watches.addChildWatch(path, ctx.watcher);
    }
    for (const path of req.persistentWatches) this.watches.addPersistentWatch(path, ctx.watcher, false);
    for (const path of req.persistentRecursiveWatches) this.watches.addPersistentWatch(path, ctx.watcher, true);
    return { err: 0, zxid: this.zxid, notifications };
  }

  // ---- applying txns -----------------------------------------------------------------------------

  private makeTxn(sessionId: bigint, body: TxnBody): Txn {
    return { zxid: this.zxid + 1n, time: this.clock.now(), sessionId, body };
  }

  /** Where a live txn's tree events go: nowhere (null) while no watch is set, as no event could reach anyone. */
  private eventsWanted(): TreeEvent[] | null {
    return this.watches.empty ? null : [];
  }

  /** Applies a live txn (advancing lastZxid) and returns the tree events it caused (null: none wanted). */
  private apply(txn: Txn): TreeEvent[] | null {
    const events = this.eventsWanted();
    this.applyBody(txn, txn.body, events, this.undoFor(txn));
    if (txn.zxid > this.zxid) this.zxid = txn.zxid;
    return events;
  }

  /** Recovery: applies a logged txn. Txns a fuzzy snapshot already holds change nothing. */
  applyTxn(txn: Txn): void {
    this.applyBody(txn, txn.body, undefined, undefined);
    if (txn.zxid > this.zxid) this.zxid = txn.zxid;
  }

  /** The journal, with an entry begun for a live txn, when undo is kept. */
  private undoFor(txn: Txn): UndoJournal | undefined {
    const journal = this.journal;
    if (!journal) return undefined;
    journal.begin(txn.zxid);
    return journal;
  }

  /**
   * Applies a txn body. The undo steps are made by the undo* methods, not here: a closure in
   * this method would make its scope an object on every call, undo or not.
   */
  private applyBody(txn: Txn, body: TxnBody, events: TreeEvent[] | null | undefined, undo: UndoJournal | undefined): void {
    const tree = this.tree;
    switch (body.type) {
      case OpCode.create:
        if (undo) this.undoCreate(body.path, undo);
        tree.create(body.path, body.data, body.acl, body.owner, txn.zxid, txn.time, body.parentCreates, events);
        break;
      case OpCode.delete:
        if (undo) this.undoDelete(body.path, undo);
        tree.delete(body.path, txn.zxid, events);
        break;
      case OpCode.setData:
        if (undo) this.undoSetData(body.path, undo);
        tree.setData(body.path, body.data, body.version, txn.zxid, txn.time, events);
        break;
      case OpCode.setACL:
        if (undo) this.undoSetACL(body.path, undo);
        tree.setACL(body.path, body.acl, body.version);
        break;
      case OpCode.multi:
        for (let i = 0; i < body.ops.length; i++) this.applyBody(txn, body.ops[i], events, undo);
        break;
      case OpCode.createSession:
        if (undo) this.undoSessionCreate(txn.sessionId, undo);
        this.sessions.add(txn.sessionId, body.timeout);
        break;
      case OpCode.closeSession:
        if (undo) this.undoSessionClose(txn.sessionId, undo);
        for (const path of body.paths) {
          if (undo) this.undoDelete(path, undo);
          tree.delete(path, txn.zxid, events);
        }
        this.sessions.remove(txn.sessionId);
        break;
      case OpCode.check:
      case OpCode.error:
        break;
    }
  }

  /** Before a setData: how to put the data, version, mzxid and mtime back. */
  private undoSetData(path: string, undo: UndoJournal): void {
    const node = this.tree.get(path);
    if (node) undo.push(new SetDataUndo(this.tree, path, node));
  }

  /** Before a setACL: how to put the ACL and aversion back. */
  private undoSetACL(path: string, undo: UndoJournal): void {
    const tree = this.tree;
    const node = tree.get(path);
    if (!node) return;
    const { acl, aversion } = node;
    undo.push(() => tree.setACL(path, acl, aversion));
  }

  /** Before a createSession: how to take the new session away again. */
  private undoSessionCreate(sessionId: bigint, undo: UndoJournal): void {
    const sessions = this.sessions;
    if (!sessions.get(sessionId)) undo.push(() => sessions.remove(sessionId));
  }

  /** Before a closeSession: how to bring the session back. */
  private undoSessionClose(sessionId: bigint, undo: UndoJournal): void {
    const sessions = this.sessions;
    const session = sessions.get(sessionId);
    if (!session) return;
    const timeout = session.timeout;
    undo.push(() => sessions.add(sessionId, timeout));
  }


  /** Before a create: how to take the node away and put its parent's create counter and pzxid back. */
  private undoCreate(path: string, undo: UndoJournal): void {
    const tree = this.tree;
    undo.push(new CreateUndo(tree, path, tree.get(parentPath(path)), tree.get(path) === undefined));
  }

  /** Before a delete: how to put the node (same object) and its parent's pzxid back. */
  private undoDelete(path: string, undo: UndoJournal): void {
    const tree = this.tree;
    undo.push(new DeleteUndo(tree, path, tree.get(path), tree.get(parentPath(path))));
  }

  /** Tree events → one notification per watcher per event, filtered by the watcher's READ permission. */
  private notify(events: TreeEvent[] | null, zxid: bigint): WatchNotification[] {
    if (events === null) return NO_NOTIFICATIONS;
    // (most writes meet no watch: then nothing is made here, not even the result array)
    let out: WatchNotification[] | null = null;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const watchers = this.watches.trigger(event);
      if (watchers.size === 0) continue;
      const wire: WatcherEvent = { type: event.type, state: KeeperState.SyncConnected, path: event.path };
      for (const watcher of watchers) {
        const ctx = this.watcherContexts.get(watcher);
        if (ctx && !checkACL(event.acl, Perms.READ, ctx.authInfo)) continue;
        (out ??= []).push({ watcher, zxid, event: wire });
      }
    }
    return out ?? NO_NOTIFICATIONS;
  }

  // ---- snapshots and introspection ------------------------------------------------------------

  /**
   * A fuzzy snapshot: see snapshot-format.ts and snapshot-writer.ts. `chunkBytes` sizes the pieces
   * (default 256 KiB). With `reuseChunks`, each chunk is valid only until the next is asked for
   * (it is written into the same memory): for a caller that writes each out before going on.
   */
  snapshot(chunkBytes?: number, options: { reuseChunks?: boolean } = {}): { zxid: bigint; chunks: Iterable<Buffer> } {
    return { zxid: this.zxid, chunks: snapshotChunks(this.zxid, this.tree, this.sessions, chunkBytes, undefined, options.reuseChunks ?? false) };
  }

  restoreSnapshot(data: Buffer): void {
    this.zxid = restoreSnapshot(data, this.tree, this.sessions);
  }

  /**
   * restoreSnapshot for a snapshot read in pieces (a file read in chunks): push each piece in
   * order (it may be reused once push returns), then end(), which throws if it was not whole;
   * or abort(), which leaves the engine as fresh as it was (the file turned out to be damaged).
   */
  snapshotRestorer(): { push(piece: Buffer): void; end(): void; abort(): void } {
    const restorer = new SnapshotRestorer(this.tree, this.sessions);
    return {
      push: (piece) => restorer.push(piece),
      end: () => {
        this.zxid = restorer.end();
      },
      abort: () => restorer.abort(),
    };
  }

  stats(): EngineStats {
    return {
      // ZooKeeper's node map also holds "" as an alias of the root, and its counts include it:
      // a fresh server reports 5. Monitoring built for ZooKeeper expects the same number.
      nodeCount: this.tree.nodeCount + 1,
      watchCount: this.watches.count,
      watchedPaths: this.watches.watchedPaths,
      dataWatchCount: this.watches.data.size,
      dataWatchedPaths: this.watches.data.byPath.size,
      ephemeralsCount: this.tree.ephemeralCount,
      approximateDataSize: this.tree.approximateDataSize,
      sessionCount: this.sessions.size,
    };
  }

  sessionsInfo(): Array<{ sessionId: bigint; timeout: number; expiresAt: number; ephemerals: string[] }> {
    return [...this.sessions.sessions.values()].map((s) => ({
      sessionId: s.id,
      timeout: s.timeout,
      expiresAt: s.expiresAt,
      ephemerals: [...(this.tree.ephemerals.get(s.id) ?? [])],
    }));
  }

  /** Data (exists/getData/persistent) watches per connection, as ZooKeeper's wchc; `all` adds child watches. */
  watchesByWatcher(which: 'data' | 'all' = 'data'): Map<Watcher, string[]> {
    return this.watches.byWatcher(which);
  }

  /** Connections per watched path, as ZooKeeper's wchp; `all` adds child watches. */
  watchesByPath(which: 'data' | 'all' = 'data'): Map<string, Watcher[]> {
    return this.watches.byPath(which);
  }

  /** Is the node at `path` a container or TTL node? (Not visible to clients; for tools and tests.) */
  nodeKind(path: string): 'persistent' | 'ephemeral' | 'container' | 'ttl' | undefined {
    const node = this.tree.get(path);
    if (!node) return undefined;
    if (isContainerOwner(node.ephemeralOwner)) return 'container';
    if (isTtlOwner(node.ephemeralOwner)) return 'ttl';
    return node.ephemeralOwner === 0n ? 'persistent' : 'ephemeral';
  }

  /** Is this context a super user (for admin tooling)? */
  static isSuper(ctx: ConnectionContext): boolean {
    return isSuper(ctx.authInfo);
  }
}

function addIdentity(authInfo: Id[], id: Id): void {
  if (!authInfo.some((a) => a.scheme === id.scheme && a.id === id.id)) authInfo.push(id);
}

function codeOf(err: unknown): number {
  if (err instanceof ZooError) return err.code;
  throw err;
}

function invalidResponse(readOnly: boolean | undefined): ConnectResponse {
  return { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: ZERO_PASSWORD, readOnly };
}

function emptyStat() {
  return { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n };
}
