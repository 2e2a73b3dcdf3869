import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainOptions {
  /** How long in-flight requests may run once draining starts; then their sockets are destroyed. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Drains a node:http server the way gajus/http-terminator does: stop accepting connections,
 * close idle keep-alive sockets at once, answer requests still running with `Connection: close`
 * and close each socket when its last response is out, destroy whatever is left at the deadline.
 * Create it before the server accepts the connections it has to know about.
 */
export class HttpDrainer {
  /** Open sockets with the responses they are writing; 'upgraded' for WebSocket and the like. */
  private readonly sockets = new Map<Socket, Set<ServerResponse> | 'upgraded'>();
  private draining?: Promise<void>;

  constructor(private readonly server: Server) {
    server.on('connection', this.onConnection);
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
  }

  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  private readonly onConnection = (socket: Socket): void => {
    if (this.draining) {
      socket.destroy();
      return;
    }
    this.sockets.set(socket, new Set());
    socket.once('close', () => this.sockets.delete(socket));
  };

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const active = this.sockets.get(req.socket);
    if (!active || active === 'upgraded') return;
    active.add(res);
    // the app's own listener ran first and may have answered already
    if (this.draining && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      if (this.draining && active.size === 0) req.socket.destroySoon();
    });
  };

  private readonly onUpgrade = (req: IncomingMessage): void => {
    if (this.sockets.has(req.socket)) this.sockets.set(req.socket, 'upgraded');
  };

  /** Stops the server; resolves once every connection is gone (at the latest, at the deadline). */
  drain(options: DrainOptions = {}): Promise<void> {
    this.draining ??= new Promise<void>((resolve) => {
      const closed = new Promise<void>((r) => (this.server.listening ? this.server.close(() => r()) : r()));
      for (const [socket, active] of this.sockets) {
        if (active === 'upgraded') continue;
        if (active.size === 0) socket.destroySoon();
        // responses that have not started yet tell the client this connection ends with them
        for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
      }
      const deadline = setTimeout(() => {
        for (const socket of this.sockets.keys()) socket.destroy();
      }, options.timeoutMs ?? 10_000);
      deadline.unref();
      const gone = [...this.sockets.keys()].map((s) => new Promise((r) => (s.destroyed ? r(undefined) : s.once('close', r))));
      void Promise.all([closed, ...gone]).then(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
    return this.draining;
  }
}
