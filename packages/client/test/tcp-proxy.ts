import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server, to make network trouble on demand:
 * `drop()` closes current connections (the client reconnects), `blackhole()` stops
 * forwarding and accepting (a partition), `heal()` ends that.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private holed = false;
  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => {
      if (proxy.holed) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('close', () => proxy.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('data', (d) => !proxy.holed && upstream.write(d));
      upstream.on('data', (d) => !proxy.holed && client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  drop(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Silently stop forwarding (nothing is closed: the client must notice by itself). */
  blackhole(): void {
    this.holed = true;
  }

  heal(): void {
    this.holed = false;
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
