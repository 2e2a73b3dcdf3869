import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { decodeConnectResponse, encodeConnectRequest, FrameDecoder, type ConnectRequest, type ConnectResponse } from '@zoo/core';
import type { HostPort } from './connection-string.js';

/** Past this many bytes queued for one write, `writable` is false until the write goes out. */
const MAX_BATCH_BYTES = 1 << 20;

/**
 * One TCP (or TLS) connection to one server: the handshake, then frames both ways. It knows
 * nothing of sessions or requests; the client decides what a lost connection means.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private onFrame: (frame: Buffer) => void = () => {};
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  /** socket.write() returned false: the kernel and Node's buffer are full until 'drain'. */
  private needDrain = false;
  private onDrain: () => void = () => {};
  lastReceived = Date.now();
  lastSent = Date.now();
  readonly closed: Promise<Error | undefined>;
  private resolveClosed!: (err: Error | undefined) => void;
  private isClosed = false;

  private constructor(
    readonly socket: Socket,
    readonly server: HostPort,
    maxFrameLength: number,
  ) {
    this.decoder = new FrameDecoder(maxFrameLength);
    this.closed = new Promise((r) => (this.resolveClosed = r));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.lastReceived = Date.now();
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.close(err as Error);
        return;
      }
      for (const f of frames) {
        if (this.isClosed) return;
        this.onFrame(f);
      }
    });
    socket.on('drain', () => {
      this.needDrain = false;
      this.onDrain();
    });
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close(new Error(`connection to ${server.host}:${server.port} closed`)));
  }

  /** Opens a connection, or rejects after `timeoutMs`. */
  static open(server: HostPort, options: { timeoutMs: number; tls?: boolean | ConnectionOptions; maxFrameLength: number; signal?: AbortSignal }): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const tlsOptions = options.tls === true ? {} : options.tls || undefined;
      const socket = tlsOptions
        ? tlsConnect({ host: server.host, port: server.port, servername: server.host, ...tlsOptions })
        : netConnect({ host: server.host, port: server.port });
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`timed out connecting to ${server.host}:${server.port}`)), options.timeoutMs);
      socket.once('error', fail);
      socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(new Connection(socket, server, options.maxFrameLength));
      });
    });
  }

  /** Sends the ConnectRequest and resolves with the server's ConnectResponse. */
  handshake(req: ConnectRequest, timeoutMs: number): Promise<ConnectResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(new Error('handshake timed out'));
        reject(new Error(`no ConnectResponse from ${this.server.host}:${this.server.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      void this.closed.then((err) => {
        clearTimeout(timer);
        reject(err ?? new Error('closed during handshake'));
      });
      this.onFrame = (frame) => {
        clearTimeout(timer);
        try {
          resolve(decodeConnectResponse(frame));
        } catch (err) {
          this.close(err as Error);
          reject(err);
        }
      };
      this.socket.write(encodeConnectRequest(req));
    });
  }

  /** Frames after the handshake go here. */
  setFrameHandler(handler: (frame: Buffer) => void): void {
    this.onFrame = handler;
  }

  /** Called when the socket has drained after `writable` went false. */
  setDrainHandler(handler: () => void): void {
    this.onDrain = handler;
  }

  /**
   * False while the socket pushes back (its last write() returned false and no 'drain' yet) or
   * a lot is queued for the next write: callers hold further requests until the drain handler.
   */
  get writable(): boolean {
    return !this.isClosed && !this.needDrain && this.queuedBytes < MAX_BATCH_BYTES;
  }

  /** Queues a frame; frames queued in the same tick leave in one write. */
  send(frame: Buffer): void {
    if (this.isClosed) return;
    this.queued.push(frame);
    this.queuedBytes += frame.length;
    this.lastSent = Date.now();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.isClosed || this.queued.length === 0) return;
    const frames = this.queued;
    const wasFull = this.queuedBytes >= MAX_BATCH_BYTES;
    this.queued = [];
    this.queuedBytes = 0;
    if (!this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames))) this.needDrain = true;
    else if (wasFull) this.onDrain(); // the batch limit held requests back: they may go now
  }

  close(err?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket.destroy();
    this.resolveClosed(err);
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }
}
