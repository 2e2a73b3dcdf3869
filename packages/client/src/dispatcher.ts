import { encodeRequest, JuteReader, OpCode, readReplyHeader, readResponseBody, readWatcherEvent, Xid, ZooError, ZooErrorCode, type Request, type Response, type WatcherEvent } from '@zoo/core';
import { isTimeoutReason, ZooAbortError } from './abort-error.js';
import type { Connection } from './connection.js';
import type { WatchListener } from './watch-registry.js';

/** What every call accepts: give up on it by signal or after `timeoutMs`. */
export interface OperationOptions {
  /** Aborting rejects the call with ZooAbortError (APIERROR); if it was sent, its reply is ignored. */
  signal?: AbortSignal;
  /** Rejects with ZooAbortError (OPERATIONTIMEOUT) if no reply came by then; default the client's `requestTimeout`. */
  timeoutMs?: number;
}

/** A watch a call leaves on success (or NONODE for exists), registered as its reply is read. */
export type Registration = { table: 'data' | 'exist-or-data' | 'child' | 'persistent' | 'recursive'; path: string; listener: WatchListener };

/** What the dispatcher tells its owner. */
export interface DispatcherHost {
  notification(event: WatcherEvent): void;
  register(reg: Registration, exists: boolean): void;
  authFailed(err: ZooError): void;
}

interface Call {
  request: Request;
  /** auth packets carry xid -4 and are answered apart from the xid-ordered replies */
  auth: boolean;
  path?: string;
  registration?: Registration;
  xid: number;
  sent: boolean;
  /** settled (answered, failed or given up): a reply still to come is read and dropped */
  done: boolean;
  resolve: (r: Response | undefined) => void;
  reject: (err: ZooError) => void;
  cleanup: (() => void) | undefined;
}

const NO_OPTIONS: OperationOptions = {};

function opName(request: Request, auth: boolean): string {
  return auth ? 'addAuth' : OpCode[request.op];
}

/**
 * The request side of a connection (undici's Dispatcher to ZooClient's API): numbers
 * requests, sends them in order, matches replies to them, and hands notifications on.
 * At most `maxInFlight` requests are on the wire; the rest wait here, in order, as do all of
 * them while the socket pushes back. Calls can be given up on (signal, timeout) without
 * disturbing the xid order of the connection.
 */
export class Dispatcher {
  private conn?: Connection;
  private xid = 1;
  private queued: Call[] = [];
  /** Calls that go ahead of `queued` and past a hold (SASL's exchange before any request). */
  private priority: Call[] = [];
  private held = false;
  private inFlight: Call[] = [];
  private authInFlight: Call[] = [];
  /** The last zxid the server reported (for the handshake and setWatches). */
  lastZxid = 0n;

  constructor(
    private readonly host: DispatcherHost,
    private readonly options: { maxInFlight: number; requestTimeout?: number },
  ) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) throw new RangeError(`maxInFlight must be an integer >= 1, not ${options.maxInFlight}`);
    const t = options.requestTimeout;
    if (t !== undefined && !(Number.isFinite(t) && t >= 0)) throw new RangeError(`requestTimeout must be a finite number >= 0, not ${t}`);
  }

  get queuedCount(): number {
    return this.queued.length + this.priority.length;
  }

  get inFlightCount(): number {
    return this.inFlight.length + this.authInFlight.length;
  }

  get connection(): Connection | undefined {
    return this.conn;
  }

  /** Sends on `conn` from now on. */
  attach(conn: Connection): void {
    this.conn = conn;
    this.held = false;
    conn.setFrameHandler((frame) => this.onFrame(conn, frame));
    conn.setDrainHandler(() => this.pump());
  }

  /** `conn` is gone: everything queued or in flight fails with `err`. */
  detach(conn: Connection, err: ZooError): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.failAll(err);
  }

  /** Holds every call but priority ones (until release()), as the Java client does while SASL runs. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.pump();
  }

  failAll(err: ZooError): void {
    const calls = [...this.authInFlight, ...this.inFlight, ...this.priority, ...this.queued];
    this.queued = [];
    this.priority = [];
    this.inFlight = [];
    this.authInFlight = [];
    for (const c of calls) {
      if (c.done) continue;
      this.settle(c);
      c.reject(c.auth ? err : new ZooError(err.code, undefined, { path: c.path, op: OpCode[c.request.op], cause: err }));
    }
  }

  /**
   * Queues a request; resolves with its response (undefined for ops without a body). `path`
   * names it in errors; `registration` is the watch its reply sets; `priority` sends it ahead
   * of everything queued and past a hold.
   */
  submit(request: Request, options: OperationOptions = NO_OPTIONS, path?: string, registration?: Registration, priority = false): Promise<Response | undefined> {
    return this.call(request, false, options, path, registration, priority);
  }

  /** Sends credentials (addAuth); rejects if the server refuses them. */
  auth(scheme: string, auth: Buffer, options: OperationOptions = {}): Promise<void> {
    return this.call({ op: OpCode.auth, type: 0, scheme, auth }, true, options, undefined, undefined, false).then(() => undefined);
  }

  private call(request: Request, auth: boolean, options: OperationOptions, path: string | undefined, registration: Registration | undefined, priority: boolean): Promise<Response | undefined> {
    const conn = this.conn;
    if (!conn?.isOpen) return Promise.reject(new ZooError(ZooErrorCode.CONNECTIONLOSS, 'CONNECTIONLOSS: not connected', { path, op: opName(request, auth) }));
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeout;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      return Promise.reject(new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: timeoutMs must be a finite number >= 0, not ${timeoutMs}`, { path, op: opName(request, auth) }));
    }
    if (signal?.aborted) return Promise.reject(this.abortError(signal.reason, false, path, opName(request, auth)));
    return new Promise((resolve, reject) => {
      const call: Call = { request, auth, path, registration, xid: 0, sent: false, done: false, resolve, reject, cleanup: undefined };
      if (timeoutMs !== undefined || signal) this.arm(call, signal, timeoutMs);
      // the common case: nothing waits and there is room, so it goes straight out
      if (!priority && !this.held && this.queued.length === 0 && this.priority.length === 0 && this.inFlight.length < this.options.maxInFlight && conn.writable) this.send(conn, call);
      else {
        (priority ? this.priority : this.queued).push(call);
        this.pump();
      }
    });
  }

  /** Gives up on `call` when `signal` aborts or `timeoutMs` passes. */
  private arm(call: Call, signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    const op = opName(call.request, call.auth);
    const onAbort = () => this.giveUp(call, this.abortError(signal!.reason, call.sent, call.path, op));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.giveUp(call, this.abortError(new DOMException(`no reply within ${timeoutMs} ms`, 'TimeoutError'), call.sent, call.path, op)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    call.cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
  }

  private abortError(reason: unknown, sent: boolean, path: string | undefined, op: string): ZooAbortError {
    const timedOut = isTimeoutReason(reason);
    const what = [op, path].filter(Boolean).join(' ');
    const why = timedOut ? `OPERATIONTIMEOUT: ${what} ${reason instanceof Error ? reason.message : 'timed out'}` : `${what} aborted`;
    return new ZooAbortError(timedOut, sent, reason, sent ? `${why} (it was sent: the server may still apply it)` : why, { path, op });
  }

  /** Rejects a call now; one still queued is never sent, one in flight has its reply dropped. */
  private giveUp(call: Call, err: ZooError): void {
    if (call.done) return;
    this.settle(call);
    if (!call.sent) {
      for (const queue of [this.priority, this.queued]) {
        const i = queue.indexOf(call);
        if (i >= 0) queue.splice(i, 1);
      }
    }
    call.reject(err);
  }

  private settle(call: Call): void {
    call.done = true;
    call.cleanup?.();
  }

  /** Writes queued calls while there is room in flight and the socket takes them. */
  private pump(): void {
    const conn = this.conn;
    if (!conn) return;
    while (this.inFlight.length < this.options.maxInFlight && conn.writable) {
      const call = this.priority.shift() ?? (this.held ? undefined : this.queued.shift());
      if (!call) break;
      this.send(conn, call);
    }
  }

  private send(conn: Connection, call: Call): void {
    call.sent = true;
    if (call.auth) {
      this.authInFlight.push(call);
      conn.send(encodeRequest(Xid.auth, call.request));
      return;
    }
    call.xid = this.xid;
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    this.inFlight.push(call);
    conn.send(encodeRequest(call.xid, call.request));
  }

  private onFrame(conn: Connection, frame: Buffer): void {
    const r = new JuteReader(frame);
    let header;
    try {
      header = readReplyHeader(r);
    } catch (err) {
      conn.close(err as Error);
      return;
    }
    if (header.xid === Xid.notification) {
      this.host.notification(readWatcherEvent(r));
      return;
    }
    if (header.xid === Xid.ping) return;
    if (header.xid === Xid.auth) {
      const call = this.authInFlight.shift();
      if (header.err !== 0) {
        const err = new ZooError(header.err, 'AUTHFAILED: the server refused the credentials', { op: 'addAuth' });
        if (call && !call.done) {
          this.settle(call);
          call.reject(err);
        }
        this.host.authFailed(err);
      } else if (call && !call.done) {
        this.settle(call);
        call.resolve(undefined);
      }
      return;
    }
    const p = this.inFlight[0];
    if (!p || p.xid !== header.xid) {
      conn.close(new Error(`Xid out of order: got ${header.xid}, expected ${p?.xid}`));
      return;
    }
    this.inFlight.shift();
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    if (this.queued.length + this.priority.length > 0) this.pump();
    if (p.done) return; // given up on: the reply only keeps the order
    this.settle(p);
    if (p.registration) {
      if (header.err === 0) this.host.register(p.registration, true);
      else if (header.err === ZooErrorCode.NONODE && p.registration.table === 'exist-or-data') this.host.register(p.registration, false);
    }
    const op = p.request.op;
    if (header.err !== 0 && op !== OpCode.multi && op !== OpCode.multiRead) {
      p.reject(new ZooError(header.err, undefined, { path: p.path, op: OpCode[op] }));
      return;
    }
    try {
      p.resolve(readResponseBody(op, r));
    } catch (err) {
      p.reject(err instanceof ZooError ? err : new ZooError(ZooErrorCode.MARSHALLINGERROR, String(err)));
    }
  }
}
