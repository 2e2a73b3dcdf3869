import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  decodeConnectRequest,
  encodeConnectResponse,
  encodeReply,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  readRequestBody,
  writeReply,
  Xid,
  ZooError,
  ZooErrorCode,
  type ConnectionContext,
  type ProcessResult,
  type ReplyHeader,
  type Request,
  type Response,
  type Watcher,
} from '@zoo/core';
import type { AdmissionWaiter } from './admission.js';
import type { ConnectionHost } from './connection-host.js';
import { ownBytes } from './own-bytes.js';

interface Outgoing {
  frame: Buffer;
  /** Sent only once the log is durable up to this zxid. */
  zxid: bigint;
  /** Receipt time of the request this replies to (for latency stats); 0 for notifications. */
  startedAt: number;
  op: number;
}

/** First size of the buffer a turn's replies are encoded into (it grows as needed). */
const BATCH_BYTES = 16 * 1024;

let nextConnectionId = 1;

/** ZooKeeper's short operation names (FinalRequestProcessor's lastOp), shown by `cons`. */
const SHORT_OP_NAMES: Partial<Record<number, string>> = {
  [OpCode.createSession]: 'SESS',
  [OpCode.ping]: 'PING',
  [OpCode.multi]: 'MULT',
  [OpCode.multiRead]: 'MLTR',
  [OpCode.create]: 'CREA',
  [OpCode.create2]: 'CREA',
  [OpCode.createTTL]: 'CREA',
  [OpCode.createContainer]: 'CREA',
  [OpCode.delete]: 'DELE',
  [OpCode.deleteContainer]: 'DELE',
  [OpCode.setData]: 'SETD',
  [OpCode.reconfig]: 'RECO',
  [OpCode.setACL]: 'SETA',
  [OpCode.closeSession]: 'CLOS',
  [OpCode.sync]: 'SYNC',
  [OpCode.check]: 'CHEC',
  [OpCode.exists]: 'EXIS',
  [OpCode.getData]: 'GETD',
  [OpCode.setWatches]: 'SETW',
  [OpCode.setWatches2]: 'STW2',
  [OpCode.addWatch]: 'ADDW',
  [OpCode.getACL]: 'GETA',
  [OpCode.getChildren]: 'GETC',
  [OpCode.getChildren2]: 'GETC',
  [OpCode.getAllChildrenNumber]: 'GETACN',
  [OpCode.checkWatches]: 'CHKW',
  [OpCode.removeWatches]: 'REMW',
  [OpCode.whoAmI]: 'HOMI',
  [OpCode.getEphemerals]: 'GETE',
};

/** How long a connection that ended its side may stay half-open before it is dropped. */
const END_GRACE_MS = 5000;

/**
 * One client connection: frames in, replies and notifications out, strictly in order. The
 * engine applies a write at once; what anyone may see of it waits until its txn is durable,
 * so every outgoing frame carries the zxid the log must reach first.
 */
export class Connection implements Watcher, AdmissionWaiter {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly establishedAt = Date.now();
  ctx: ConnectionContext | undefined;
  sessionTimeout = 0;
  packetsReceived = 0;
  packetsSent = 0;
  lastOp = 'NA';
  lastCxid = 0;
  lastZxid = -1n;
  lastLatency = 0;
  lastResponseAt = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  latencyCount = 0;

  private readonly decoder: FrameDecoder;
  private readonly queue: Outgoing[] = [];
  /** Bytes of the frames in `queue`. */
  private queuedBytes = 0;
  /**
   * Frames received but not run yet: admission stopped partway through a chunk. They stay
   * undecoded (views on the chunk) and the socket stays paused until they have run.
   */
  private pending: Buffer[] | null = null;
  private pendingIndex = 0;
  /** Receipt time of the chunk the pending frames came in. */
  private pendingAt = 0;
  /** Requests run whose replies have not been handed to the socket. */
  private inFlight = 0;
  /** Output bytes this connection last reported to the server-wide count. */
  private accounted = 0;
  /** Reading is paused by admission control (or by a socket that needs to drain). */
  private readPaused = false;
  /** Paused until this connection's own output falls below the soft limit. */
  private waitingForOutput = false;
  /** Set while output is over the hard limit: closes the connection when it fires. */
  private hardLimitTimer?: NodeJS.Timeout;
  /** Called when a write reached the kernel: output held falls. */
  private readonly onWritten = (): void => this.outputDrained();
  /**
   * Replies that may go out at once, encoded back to back into one buffer during this turn
   * and written before the queue. Only used while the queue is empty, so order is kept.
   */
  private batch: JuteWriter | null = null;
  /** Receipt time and op of each reply in `batch` (latency stats at flush). */
  private readonly batchStartedAt: number[] = [];
  private readonly batchOps: number[] = [];
  private state: 'handshake' | 'open' | 'closing' | 'closed' = 'handshake';
  private closeAfterFlush = false;
  private handshakeTimer?: NodeJS.Timeout;

  constructor(
    readonly socket: Socket | TLSSocket,
    private readonly host: ConnectionHost<Connection>,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder(host.maxBuffer, true);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => host.logger.debug({ err, conn: this.describe() }, 'connection error'));
    socket.on('close', () => this.closed());
    socket.on('drain', () => this.outputDrained());
    // ZooKeeper's sessionlessCnxnTimeout: a socket that never completes the handshake must not
    // hold a connection slot (maxClientCnxns) forever.
    if (host.handshakeTimeoutMs > 0) {
      this.handshakeTimer = setTimeout(() => {
        if (this.state !== 'handshake') return;
        host.stats.sessionlessExpired++;
        host.logger.info({ conn: this.describe(), ms: host.handshakeTimeoutMs }, 'closing connection: no handshake in time');
        this.destroy();
      }, host.handshakeTimeoutMs).unref();
    }
  }

  get sessionId(): bigint {
    return this.ctx?.sessionId ?? 0n;
  }

  /** Requests received whose replies have not gone out yet. */
  get outstanding(): number {
    return this.inFlight;
  }

  /** Bytes of replies and notifications held for this client (queued, batched, in the socket). */
  get outputBytes(): number {
    return this.queuedBytes + this.socket.writableLength + (this.batch ? this.batch.length : 0);
  }

  describe(): string {
    return `${this.remoteAddress}:${this.remotePort}${this.ctx ? ` session 0x${this.ctx.sessionId.toString(16)}` : ''}`;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const receivedAt = performance.now();
    this.host.stats.bytesIn += chunk.length;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // a frame over jute.maxbuffer (or a negative length): ZooKeeper just drops the connection
      this.host.logger.warn({ conn: this.describe(), err: (err as Error).message }, 'closing connection: bad frame length');
      this.destroy();
      return;
    }
    if (this.decoder.fourLetterWord) {
      this.answerFourLetterWord(this.decoder.fourLetterWord);
      return;
    }
    if (this.pending) {
      // a chunk that was already on its way when reading paused: behind what waits
      this.pending = this.pending.slice(this.pendingIndex).concat(frames);
      this.pendingIndex = 0;
    } else {
      this.pending = frames;
      this.pendingIndex = 0;
      this.pendingAt = receivedAt;
    }
    this.pump();
  }

  /**
   * Runs received frames for as long as admission allows, sends what may go, and pauses or
   * resumes reading. Requests past a limit stay in `pending` until output drains.
   */
  private pump(): void {
    const frames = this.pending;
    if (frames) {
      const admission = this.host.admission;
      // the socket's buffer only changes at flush, so one read per pump
      const backlog = this.socket.writableLength;
      const receivedAt = this.pendingAt;
      let i = this.pendingIndex;
      for (; i < frames.length; i++) {
        const state = this.state;
        if (state === 'open') {
          if (!admission.admits(backlog + this.queuedBytes + (this.batch ? this.batch.length : 0))) break;
          this.packetsReceived++;
          this.host.stats.packetsReceived++;
          this.inFlight++;
          admission.outstanding++;
          this.request(frames[i], receivedAt);
        } else if (state === 'handshake') {
          this.packetsReceived++;
          this.host.stats.packetsReceived++;
          this.handshake(frames[i]);
        } else {
          i = frames.length;
        }
      }
      if (i >= frames.length) this.pending = null;
      else this.pendingIndex = i;
    }
    this.flush();
    this.settleReading();
  }

  /** Pauses reading while frames wait or the socket must drain; resumes once neither holds. */
  private settleReading(): void {
    if (this.state !== 'open' && this.state !== 'handshake') return;
    const waiting = this.pending !== null;
    if (!waiting && !this.socket.writableNeedDrain) {
      if (this.readPaused) {
        this.readPaused = false;
        this.socket.resume();
      }
      return;
    }
    if (!this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
      if (waiting) this.host.admission.throttled++;
    }
    // a socket that must drain says so with 'drain'
    if (!waiting || this.socket.writableNeedDrain) return;
    if (this.outputBytes >= this.host.admission.limits.clientOutputSoftLimit) this.waitingForOutput = true;
    else {
      this.host.admission.wait(this);
      // the limit may have cleared already (this connection's own flush freed it)
      this.host.admission.released();
    }
  }

  /** Admission has room again (or output drained): run what waits and read on. */
  resumeReading(): void {
    if (this.state !== 'open' && this.state !== 'handshake') return;
    this.waitingForOutput = false;
    this.pump();
  }

  /** A write reached the kernel or the socket drained. */
  private outputDrained(): void {
    if (this.state === 'closed') return;
    this.account();
    if (!this.readPaused || this.socket.writableNeedDrain) return;
    if (this.pending === null || this.outputBytes < this.host.admission.limits.clientOutputSoftLimit) this.resumeReading();
  }

  /**
   * Reports this connection's held output to the server-wide count, and arms (or disarms) the
   * hard limit: a client whose output stays over it past the deadline is cut off.
   */
  private account(): void {
    const held = this.queuedBytes + this.socket.writableLength;
    const admission = this.host.admission;
    const before = this.accounted;
    if (held !== before) {
      admission.outputBytes += held - before;
      this.accounted = held;
      if (held < before) admission.released();
    }
    if (held > admission.limits.clientOutputHardLimit) {
      if (!this.hardLimitTimer) {
        this.hardLimitTimer = setTimeout(() => this.hardLimitExpired(), admission.limits.clientOutputTimeoutMs);
        this.hardLimitTimer.unref();
      }
    } else if (this.hardLimitTimer) {
      clearTimeout(this.hardLimitTimer);
      this.hardLimitTimer = undefined;
    }
  }

  private hardLimitExpired(): void {
    this.hardLimitTimer = undefined;
    if (this.state === 'closed') return;
    const held = this.queuedBytes + this.socket.writableLength;
    const { clientOutputHardLimit, clientOutputTimeoutMs } = this.host.admission.limits;
    if (held <= clientOutputHardLimit) return;
    this.host.admission.slowClientsClosed++;
    this.host.logger.warn(
      {
        conn: this.describe(),
        remoteAddress: `${this.remoteAddress}:${this.remotePort}`,
        sessionId: this.ctx ? `0x${this.ctx.sessionId.toString(16)}` : undefined,
        heldBytes: held,
        clientOutputHardLimit,
        clientOutputTimeoutMs,
      },
      `closing connection ${this.describe()}: client does not read; ${held} bytes of output held, over clientOutputHardLimit for ${clientOutputTimeoutMs} ms`,
    );
    this.destroy();
  }

  private answerFourLetterWord(word: string): void {
    this.state = 'closing';
    clearTimeout(this.handshakeTimer);
    // ZooKeeper counts the command as a received packet
    this.packetsReceived++;
    this.host.stats.packetsReceived++;
    Promise.resolve(this.host.fourLetterWord(word))
      .then((text) => {
        this.socket.end(text);
        this.dropIfHalfOpen();
      })
      .catch((err) => {
        this.host.logger.warn({ err, word }, 'four-letter word failed');
        this.destroy();
      });
  }

  private handshake(frame: Buffer): void {
    let req;
    try {
      req = decodeConnectRequest(frame);
    } catch (err) {
      this.host.logger.warn({ conn: this.describe(), err: (err as Error).message }, 'closing connection: bad ConnectRequest');
      this.destroy();
      return;
    }
    clearTimeout(this.handshakeTimer);
    const result = this.host.engine.connect(req);
    if (result.refuse) {
      // two reasons to refuse: the client saw a zxid this server does not have, or the server is
      // read-only (a new session is a txn it cannot log)
      const reason = req.sessionId === 0n && this.host.engine.writesRefused !== undefined ? `the server is read-only (${this.host.engine.writesRefused}): no new sessions` : 'the client has seen a newer zxid';
      this.host.logger.info({ conn: this.describe(), lastZxidSeen: req.lastZxidSeen }, `refusing client: ${reason}`);
      this.destroy();
      return;
    }
    let zxid = this.host.engine.lastZxid;
    if (result.txn) {
      this.host.commit(result.txn);
      zxid = result.txn.zxid;
    }
    this.push({ frame: encodeConnectResponse(result.response), zxid, startedAt: 0, op: OpCode.createSession });
    if (!result.valid) {
      this.host.logger.info({ conn: this.describe(), sessionId: `0x${req.sessionId.toString(16)}` }, 'session expired or invalid password');
      this.state = 'closing';
      this.closeAfterFlush = true;
      return;
    }
    this.sessionTimeout = result.response.timeOut;
    this.ctx = { watcher: this, sessionId: result.response.sessionId, authInfo: [{ scheme: 'ip', id: this.remoteAddress }, ...this.host.initialIdentities(this)] };
    this.host.sessionOpened(this);
    this.state = 'open';
  }

  /** `startedAt`: when the chunk holding this request arrived (one clock read per chunk). */
  private request(frame: Buffer, startedAt: number): void {
    const ctx = this.ctx!;
    this.host.engine.touch(ctx.sessionId);
    if (frame.length < 8) {
      this.host.logger.warn({ conn: this.describe() }, 'closing connection: frame shorter than a RequestHeader');
      this.destroy();
      return;
    }
    const xid = frame.readInt32BE(0);
    const type = frame.readInt32BE(4);
    let request: Request;
    try {
      request = readRequestBody(new JuteReader(frame, 8), type, frame);
    } catch (err) {
      const code = err instanceof ZooError ? err.code : ZooErrorCode.MARSHALLINGERROR;
      this.host.logger.warn({ conn: this.describe(), xid, type, err: (err as Error).message }, 'closing connection: bad request');
      this.push({ frame: encodeReply({ xid, zxid: code === ZooErrorCode.UNIMPLEMENTED ? -1n : this.host.engine.lastZxid, err: code }), zxid: this.host.engine.lastZxid, startedAt, op: type });
      this.state = 'closing';
      this.closeAfterFlush = true;
      return;
    }
    if (request.op === OpCode.ping) {
      // answered in pipeline order with the current zxid, whatever xid was sent
      const zxid = this.host.engine.lastZxid;
      this.lastOp = 'PING';
      this.lastZxid = zxid;
      this.reply({ xid: Xid.ping, zxid, err: 0 }, undefined, zxid, startedAt, OpCode.ping);
      return;
    }
    const result = this.host.engine.process(ctx, xid, request);
    this.host.observe(request.op, result);
    this.respond(xid, request.op, result, startedAt);
  }

  private respond(xid: number, op: OpCode, result: ProcessResult, startedAt: number): void {
    let zxid = this.host.engine.lastZxid;
    if (result.txn) {
      this.host.commit(result.txn);
      zxid = result.txn.zxid;
    }
    if (result.notifications.length > 0) this.host.dispatch(result.notifications, zxid);
    // cons shows what ZooKeeper's FinalRequestProcessor records: auth is answered before it,
    // and only ordinary xids (not -8) count as the last cxid
    if (op !== OpCode.auth && op !== OpCode.sasl) {
      if (xid >= 0) this.lastCxid = xid;
      this.lastZxid = result.zxid;
      this.lastOp = SHORT_OP_NAMES[op] ?? 'NA';
    }
    // every reply carries its request's xid, auth included (ZooKeeper answers auth with the
    // xid sent: -4 from the Java and C clients, an ordinary one from others, e.g. Go's)
    this.reply({ xid, zxid: result.zxid, err: result.err }, result.response, zxid, startedAt, op);
    if (result.close) {
      this.state = 'closing';
      this.closeAfterFlush = true;
    }
  }

  /**
   * A reply that may leave once the log holds `zxid`: straight into this turn's batch when
   * nothing is waiting ahead of it, else into the queue behind what is.
   */
  private reply(header: ReplyHeader, response: Response | undefined, zxid: bigint, startedAt: number, op: number): void {
    if (this.queue.length > 0 || zxid > this.host.durableZxid()) {
      this.push({ frame: encodeReply(header, response), zxid, startedAt, op });
      return;
    }
    const w = (this.batch ??= new JuteWriter(BATCH_BYTES));
    const start = w.beginFrame();
    try {
      writeReply(w, header, response);
    } catch (err) {
      w.truncate(start);
      throw err;
    }
    w.endFrame(start);
    this.batchStartedAt.push(startedAt);
    this.batchOps.push(op);
  }

  /** Queues a notification (or any frame) for this connection. */
  push(out: Outgoing): void {
    if (this.state === 'closed') return;
    out.frame = ownBytes(out.frame);
    this.queue.push(out);
    this.queuedBytes += out.frame.length;
  }

  /** Sends every queued frame the log allows, as one write. */
  flush(): void {
    if (this.state === 'closed') return;
    const durable = this.host.durableZxid();
    let n = 0;
    while (n < this.queue.length && this.queue[n].zxid <= durable) n++;
    const batch = this.batch;
    if (batch || n > 0) {
      const now = performance.now();
      const latencies = this.latencyCount;
      const parts: Buffer[] = [];
      let bytes = 0;
      let frames = n;
      if (batch) {
        // a new writer each turn: the socket may hold on to these bytes until they are sent
        this.batch = null;
        const started = this.batchStartedAt;
        for (let i = 0; i < started.length; i++) if (started[i]) this.recordLatency(now - started[i], this.batchOps[i]);
        frames += started.length;
        started.length = 0;
        this.batchOps.length = 0;
        parts.push(batch.toBuffer());
        bytes += batch.length;
      }
      let queued = 0;
      const queue = this.queue;
      for (let i = 0; i < n; i++) {
        const o = queue[i];
        parts.push(o.frame);
        bytes += o.frame.length;
        queued += o.frame.length;
        if (o.startedAt) this.recordLatency(now - o.startedAt, o.op);
      }
      // (each write's reply waits here for its sync: no array of removed frames when all go)
      if (n === queue.length) queue.length = 0;
      else queue.splice(0, n);
      this.queuedBytes -= queued;
      const replies = this.latencyCount - latencies;
      if (replies !== 0) {
        this.lastResponseAt = Date.now();
        this.inFlight -= replies;
        this.host.admission.outstanding -= replies;
      }
      this.packetsSent += frames;
      this.host.stats.packetsSent += frames;
      this.host.stats.bytesOut += bytes;
      const ok = this.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes), this.onWritten);
      // a client that does not read must not make us buffer without bound: read on after 'drain'
      if (!ok && !this.readPaused) {
        this.readPaused = true;
        this.socket.pause();
      }
      this.account();
      if (replies !== 0) this.host.admission.released();
    }
    if (this.queue.length === 0 && this.closeAfterFlush) this.end();
    else if (this.queue.length > 0) this.host.waitForDurable(this);
  }

  private recordLatency(ms: number, op: number): void {
    this.host.observeLatency(op, ms);
    this.lastLatency = ms;
    this.minLatency = Math.min(this.minLatency, ms);
    this.maxLatency = Math.max(this.maxLatency, ms);
    this.totalLatency += ms;
    this.latencyCount++;
    this.host.stats.recordLatency(ms);
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.latencyCount = 0;
  }

  /** Flushes what may go, then closes (closeSession, expiry, session moved). */
  end(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.socket.end();
    this.dropIfHalfOpen();
    this.closed();
  }

  /** Stops reading: the server is shutting down and will not take more requests. */
  stopReading(): void {
    this.socket.pause();
    if (this.state === 'handshake' || this.state === 'open') this.state = 'closing';
  }

  /** Server shutdown: sends what the log allows, then closes without waiting for the client. */
  shutdown(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.flush();
    const socket = this.socket;
    socket.end(() => socket.destroy());
    this.dropIfHalfOpen();
    this.closed();
  }

  /** A client that never closes its side must not keep the socket forever. */
  private dropIfHalfOpen(): void {
    const socket = this.socket;
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  destroy(): void {
    if (this.state === 'closed') return;
    this.socket.destroy();
    this.closed();
  }

  /** Closes after the queued frames are out (or at once if nothing is queued). */
  closeSoon(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.closeAfterFlush = true;
    this.flush();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.hardLimitTimer);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.pending = null;
    this.batch = null;
    const admission = this.host.admission;
    admission.forget(this);
    admission.outstanding -= this.inFlight;
    admission.outputBytes -= this.accounted;
    this.inFlight = 0;
    this.accounted = 0;
    admission.released();
    this.batchStartedAt.length = 0;
    this.batchOps.length = 0;
    this.host.connectionClosed(this);
  }
}
