import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import {
  decodeConnectResponse,
  encodeConnectRequest,
  encodeRequest,
  FrameDecoder,
  JuteReader,
  OpCode,
  readReplyHeader,
  readResponseBody,
  readWatcherEvent,
  type ConnectResponse,
  type ReplyHeader,
  type Request,
  type Response,
  type WatcherEvent,
} from '@zoo/core';

export interface Reply {
  header: ReplyHeader;
  response?: Response;
}

/**
 * A deliberately small ZooKeeper client over node:net for server tests: it pipelines, and
 * records every frame in arrival order so tests can check ordering (notifications before
 * the reply that caused them).
 */
export class RawClient {
  readonly frames: Array<{ kind: 'reply'; xid: number } | { kind: 'event'; event: WatcherEvent }> = [];
  readonly events: WatcherEvent[] = [];
  /** Every reply header (not notifications), in arrival order. */
  readonly replies: ReplyHeader[] = [];
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly pending = new Map<number, { op: OpCode; resolve: (r: Reply) => void }>();
  private handshake?: (r: ConnectResponse) => void;
  private xid = 1;
  private closedResolve!: () => void;
  readonly closed = new Promise<void>((r) => (this.closedResolve = r));
  session?: ConnectResponse;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
    });
    socket.on('close', () => this.closedResolve());
    socket.on('error', () => {});
  }

  static async open(
    port: number,
    options: { sessionId?: bigint; passwd?: Buffer; timeOut?: number; lastZxidSeen?: bigint; pipeline?: Request[] } = {},
    tls?: ConnectionOptions,
  ): Promise<RawClient> {
    const socket = tls ? connectTls({ ...tls, port, host: '127.0.0.1' }) : connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once(tls ? 'secureConnect' : 'connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    client.session = await client.connect(options);
    return client;
  }

  connect(options: { sessionId?: bigint; passwd?: Buffer; timeOut?: number; lastZxidSeen?: bigint } = {}): Promise<ConnectResponse> {
    const p = new Promise<ConnectResponse>((resolve, reject) => {
      this.handshake = resolve;
      // a server that drops the connection instead of answering (TLS refusal, limits)
      void this.closed.then(() => this.handshake && reject(new Error('connection closed before the ConnectResponse')));
    });
    this.socket.write(
      encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: options.lastZxidSeen ?? 0n, timeOut: options.timeOut ?? 10_000, sessionId: options.sessionId ?? 0n, passwd: options.passwd ?? Buffer.alloc(16), readOnly: false }),
    );
    return p;
  }

  private onFrame(frame: Buffer): void {
    if (this.handshake) {
      const h = this.handshake;
      this.handshake = undefined;
      h(decodeConnectResponse(frame));
      return;
    }
    const r = new JuteReader(frame);
    const header = readReplyHeader(r);
    if (header.xid === -1) {
      const event = readWatcherEvent(r);
      this.events.push(event);
      this.frames.push({ kind: 'event', event });
      return;
    }
    this.frames.push({ kind: 'reply', xid: header.xid });
    this.replies.push(header);
    const key = header.xid === -2 ? -2 : header.xid === -4 ? -4 : header.xid;
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const response = header.err === 0 || p.op === OpCode.multi ? readResponseBody(p.op, r) : undefined;
    p.resolve({ header, response });
  }

  /** Sends a request; resolves with its reply. */
  send(request: Request, xid?: number): Promise<Reply> {
    const id = xid ?? (request.op === OpCode.ping ? -2 : request.op === OpCode.auth ? -4 : this.xid++);
    return new Promise((resolve) => {
      this.pending.set(id, { op: request.op, resolve });
      this.socket.write(encodeRequest(id, request));
    });
  }

  /** Writes raw bytes (for malformed-input tests). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}

/** Waits until `check()` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A client that connects, sends its handshake and `requests` in one write, and never reads a byte. Destroy it when done. */
export async function deafClient(port: number, requests: Request[]): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.pause();
  const handshake = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
  socket.write(Buffer.concat([handshake, ...requests.map((r, i) => encodeRequest(i + 1, r))]));
  return socket;
}
