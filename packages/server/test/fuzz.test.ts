import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeConnectRequest, encodeRequest, OpCode, OPEN_ACL_UNSAFE, type Request } from '@zoo/core';
import { ZooServer } from '../src/index.js';
import { RawClient } from './raw-client.js';

/**
 * Random and mutated frames over real sockets: the server must never crash, must keep serving
 * a well-behaved client throughout, and must not keep the bad connections around.
 */
const valid: Request[] = [
  { op: OpCode.create, path: '/fz', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], flags: 0 },
  { op: OpCode.getData, path: '/fz', watch: true },
  { op: OpCode.setData, path: '/fz', data: Buffer.from('y'), version: -1 },
  { op: OpCode.getChildren2, path: '/', watch: true },
  { op: OpCode.multi, ops: [{ op: OpCode.create, path: '/fz/a', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 2 }, { op: OpCode.check, path: '/fz', version: -1 }] },
  { op: OpCode.setWatches2, relativeZxid: 0n, dataWatches: ['/fz'], existWatches: [], childWatches: ['/'], persistentWatches: [], persistentRecursiveWatches: ['/fz'] },
  { op: OpCode.addWatch, path: '/', mode: 1 },
  { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('a:b') },
];

function sendRaw(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 50);
    socket.on('connect', () => socket.write(bytes));
    socket.on('error', done);
    socket.on('close', done);
  });
}

describe('fuzzing the server over sockets', () => {
  let server: ZooServer;
  let good: RawClient;
  beforeAll(async () => {
    server = await ZooServer.start({ port: 0, maxClientCnxns: 0 });
    good = await RawClient.open(server.port);
    await good.send({ op: OpCode.create, path: '/fz', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
  });
  afterAll(async () => {
    await good?.close();
    await server?.close();
  });

  it('survives random bytes before and after a valid handshake', async () => {
    const handshake = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 5000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 300 }), async (withHandshake, bytes) => {
        await sendRaw(server.port, withHandshake ? Buffer.concat([handshake, Buffer.from(bytes)]) : Buffer.from(bytes));
        expect((await good.send({ op: OpCode.exists, path: '/fz', watch: false })).header.err).toBe(0);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('survives valid frames with mutated bytes', async () => {
    const handshake = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 5000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length - 1), fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (which, mutations) => {
        const frame = Buffer.from(encodeRequest(1, valid[which]));
        for (const [at, value] of mutations) if (at >= 4 && at < frame.length) frame[at] = value; // keep the length prefix honest
        await sendRaw(server.port, Buffer.concat([handshake, frame]));
        expect((await good.send({ op: OpCode.getData, path: '/fz', watch: false })).header.err).toBe(0);
      }),
      { numRuns: 120 },
    );
  }, 60_000);

  it('leaves no bad connection behind and stays within memory bounds', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(server.connectionCount).toBe(1); // only the well-behaved client
    const heap = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100; i++) await sendRaw(server.port, Buffer.from([0, 0, 0, 50, 1, 2, 3]));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.connectionCount).toBe(1);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);
});
