import type { Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, type Request } from '@zoo/core';
import { ZooServer, type ZooServerOptions } from '../src/index.js';
import { deafClient as deafClientOf, RawClient, until } from './raw-client.js';

const acl = [...OPEN_ACL_UNSAFE];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(options: ZooServerOptions = {}) {
  const s = await ZooServer.start({ port: 0, ...options });
  cleanups.push(() => s.close());
  return s;
}

/** A client that never reads (raw-client's deafClient), destroyed after the test. */
async function deafClient(port: number, requests: Request[]): Promise<Socket> {
  const socket = await deafClientOf(port, requests);
  cleanups.push(() => void socket.destroy());
  return socket;
}

const BIG = 1_000_000;

describe('admission control', () => {
  it('stops reading a client that pipelines large gets and does not read; others are served; it catches up once it reads', async () => {
    const s = await server();
    await s.create('/big', Buffer.alloc(BIG, 7));
    await s.create('/small', 'x');
    const gets = 300;
    const deaf = await deafClient(s.port, Array.from({ length: gets }, () => ({ op: OpCode.getData, path: '/big', watch: false }) as Request));
    const localPort = deaf.localPort ?? 0;
    await until(() => s.allConnections().some((c) => c.remotePort === localPort && c.sessionId !== 0n), 5000, 'the deaf client to connect');
    const conn = s.allConnections().find((c) => c.remotePort === localPort)!;
    // let it fill the kernel's buffers and stall
    await until(() => conn.packetsReceived > 1 && conn.outputBytes > 0, 10_000, 'the deaf client to stall');

    const other = await RawClient.open(s.port);
    cleanups.push(() => other.close());
    for (let i = 0; i < 100; i++) expect((await other.send({ op: OpCode.getData, path: '/small', watch: false })).header.err).toBe(0);

    const limits = s.admissionStats.limits;
    // reading stopped well before the pipeline ran: the kernel holds a few replies, we hold about one
    expect(conn.packetsReceived).toBeLessThan(gets / 2);
    expect(conn.outputBytes).toBeLessThanOrEqual(limits.clientOutputSoftLimit + BIG + 1024);
    expect(s.admissionStats.outstanding).toBeLessThanOrEqual(limits.globalOutstandingLimit);

    // the client reads at last: every reply arrives, in order
    let received = 0;
    let expectedXid = 1;
    let buffered = Buffer.alloc(0);
    let inOrder = true;
    deaf.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const length = buffered.readInt32BE(0);
        if (received > 0) {
          // after the ConnectResponse: reply headers
          const xid = buffered.readInt32BE(4);
          if (xid !== expectedXid++) inOrder = false;
        }
        received++;
        buffered = buffered.subarray(4 + length);
      }
    });
    deaf.resume();
    await until(() => received === gets + 1, 60_000, 'every reply');
    expect(inOrder).toBe(true);
    expect(conn.outstanding).toBe(0);
  }, 90_000);

  it('runs a chunk of thousands of pipelined requests in slices of globalOutstandingLimit, answering each in order', async () => {
    const s = await server({ globalOutstandingLimit: 50 });
    await s.create('/n', 'v');
    const c = await RawClient.open(s.port);
    cleanups.push(() => c.close());
    const n = 3000;
    const replies: Promise<unknown>[] = [];
    c.socket.cork();
    for (let i = 0; i < n; i++) replies.push(c.send({ op: OpCode.exists, path: '/n', watch: false }));
    c.socket.uncork();
    await Promise.all(replies);
    const xids = c.frames.flatMap((f) => (f.kind === 'reply' ? [f.xid] : []));
    expect(xids).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // the chunks held more than 50 requests each: decoding stopped and resumed
    expect(s.admissionStats.throttled).toBeGreaterThan(0);
    expect(await s.metrics.registry.metrics()).toMatch(/\nzoo_reads_throttled_total [1-9]\d*\n/);
    expect(s.admissionStats.outstanding).toBe(0);
  });

  it('closes a client whose output stays over clientOutputHardLimit past clientOutputTimeoutMs, naming it in the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const s = await server({ clientOutputSoftLimit: 64 * 1024, clientOutputHardLimit: 256 * 1024, clientOutputTimeoutMs: 300, logger });
    await s.create('/big', Buffer.alloc(BIG, 1));
    const deaf = await deafClient(s.port, Array.from({ length: 50 }, () => ({ op: OpCode.getData, path: '/big', watch: false }) as Request));
    const closed = new Promise<void>((resolve) => deaf.once('close', () => resolve()));
    const localPort = deaf.localPort ?? 0;
    // a reader that keeps up is over the hard limit only for moments, and stays
    const reader = await RawClient.open(s.port);
    cleanups.push(() => reader.close());
    for (let i = 0; i < 20; i++) expect((await reader.send({ op: OpCode.getData, path: '/big', watch: false })).header.err).toBe(0);
    await until(() => s.admissionStats.slowClientsClosed === 1, 30_000, 'the deaf client to be closed');
    deaf.resume();
    await closed;
    const line = lines.map((l) => JSON.parse(l) as { msg: string; remoteAddress?: string; sessionId?: string }).find((l) => l.msg.includes('client does not read'));
    expect(line?.remoteAddress).toBe(`127.0.0.1:${localPort}`);
    expect(line?.sessionId).toMatch(/^0x[0-9a-f]+$/);
    expect(line?.msg).toContain(`127.0.0.1:${localPort} session ${line?.sessionId}`);
    expect((await reader.send({ op: OpCode.exists, path: '/big', watch: false })).header.err).toBe(0);
    expect(s.connectionCount).toBe(1);
    expect(await s.metrics.registry.metrics()).toMatch(/\nzoo_slow_clients_closed_total 1\n/);
  }, 60_000);

  it('refuses limits that are not positive integers, or a hard limit below the soft one', async () => {
    await expect(ZooServer.start({ port: 0, globalOutstandingLimit: 0 })).rejects.toThrow(/globalOutstandingLimit must be a positive integer, got 0/);
    await expect(ZooServer.start({ port: 0, clientOutputSoftLimit: 1000, clientOutputHardLimit: 10 })).rejects.toThrow(/clientOutputHardLimit \(10\) must not be below clientOutputSoftLimit \(1000\)/);
  });

  it('holds writes behind a log that does not sync within globalOutstandingLimit', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let hold = false;
    const s = await server({
      globalOutstandingLimit: 20,
      store: {
        durable: true,
        recover: async () => ({ snapshotZxid: 0n, replayed: 0, truncatedBytes: 0 }),
        append: () => {},
        sync: () => (hold ? gate : Promise.resolve()),
        maybeSnapshot: () => {},
        close: async () => {},
        info: () => ({ logBytes: 0, snapshotBytes: 0 }),
      },
    });
    const c = await RawClient.open(s.port);
    cleanups.push(() => c.close());
    hold = true;
    const writes = Array.from({ length: 200 }, (_, i) => c.send({ op: OpCode.create, path: `/w${i}`, data: null, acl, flags: 0 }));
    await until(() => s.admissionStats.waiting === 1, 5000, 'reading to pause');
    // exactly the limit was read; the other 180 wait unread behind it
    expect(s.admissionStats.outstanding).toBe(20);
    expect(c.replies).toHaveLength(0);
    release();
    const results = await Promise.all(writes);
    expect(results.every((r) => r.header.err === 0)).toBe(true);
  });
});
