import { createServer, type Server, type Socket } from 'node:net';
import { decodeConnectRequest, decodeRequest, encodeConnectResponse, encodeReply, FrameDecoder, OpCode, Xid, type Request, type RequestHeader } from '@zoo/core';

/** One request the fake server received, and the socket to answer on. */
export interface Received {
  header: RequestHeader;
  request: Request;
  socket: Socket;
}

/**
 * A scripted ZooKeeper server on a raw socket, for wire-level corner cases no real server
 * produces on demand (a reply and a notification in one TCP write, a reply that never comes,
 * a socket that stops reading). It handshakes, answers pings and closeSession itself, and
 * hands every other request to `onRequest`.
 */
export class FakeServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly sockets: Set<Socket>,
    /** Every request handed to `onRequest`, in arrival order. */
    readonly received: Received[],
  ) {}

  static async start(onRequest: (r: Received) => void = () => {}): Promise<FakeServer> {
    const sockets = new Set<Socket>();
    const received: Received[] = [];
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      const decoder = new FrameDecoder(1 << 20);
      let handshaken = false;
      socket.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk)) {
          if (!handshaken) {
            handshaken = true;
            const req = decodeConnectRequest(frame);
            socket.write(encodeConnectResponse({ protocolVersion: 0, timeOut: req.timeOut, sessionId: 0x1234n, passwd: Buffer.alloc(16, 7), readOnly: false }));
            continue;
          }
          const { header, request } = decodeRequest(frame);
          if (header.xid === Xid.ping || header.type === OpCode.closeSession) {
            socket.write(encodeReply({ xid: header.xid, zxid: 0n, err: 0 }));
            continue;
          }
          const r = { header, request, socket };
          received.push(r);
          onRequest(r);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeServer(server, (server.address() as { port: number }).port, sockets, received);
  }

  get connectionString(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
