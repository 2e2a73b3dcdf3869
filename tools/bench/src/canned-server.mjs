// The ceiling: a bare Node server that answers every request with a canned getData reply
// (100-byte value, a Stat), framed by the same decoder. No engine, no disk.
import { createServer } from 'node:net';
import { encodeConnectResponse, encodeReply, FrameDecoder, OpCode } from '@zoo/core';

const stat = { czxid: 1n, mzxid: 1n, ctime: 1n, mtime: 1n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 100, numChildren: 0, pzxid: 1n };
const reply = encodeReply({ xid: 0, zxid: 1n, err: 0 }, { op: OpCode.getData, data: Buffer.alloc(100, 0x61), stat });

export function startCannedServer() {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    let handshaken = false;
    socket.on('data', (chunk) => {
      const out = [];
      for (const frame of decoder.push(chunk)) {
        if (!handshaken) {
          handshaken = true;
          out.push(encodeConnectResponse({ protocolVersion: 0, timeOut: 30000, sessionId: 1n, passwd: Buffer.alloc(16), readOnly: false }));
          continue;
        }
        const r = Buffer.from(reply);
        r.writeInt32BE(frame.readInt32BE(0), 4);
        out.push(r);
      }
      if (out.length) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, stop: () => new Promise((r) => server.close(r)) })));
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { port } = await startCannedServer();
  process.stdout.write(`${port}\n`);
}
