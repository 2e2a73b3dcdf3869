import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from '@zoo/zookeeper';
import { encodeNotification, encodeReply, OpCode, type Response } from '@zoo/core';
import { EventType, isRetryable, KeeperState, ZooAbortError, ZooClient, ZooErrorCode, type WatchedEvent, type ZooClientOptions } from '../src/index.js';
import { FakeServer, type Received } from './fake-server.js';

/** Client behaviour that depends on how bytes arrive, against a scripted server on a raw socket. */
describe('ZooClient against a scripted server', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = async (onRequest: (r: Received) => void, options: ZooClientOptions = {}) => {
    const server = await FakeServer.start(onRequest);
    cleanup.push(() => server.close());
    const client = await ZooClient.connect(server.connectionString, { sessionTimeout: 10_000, ...options });
    cleanup.push(() => client.close());
    return { server, client };
  };

  /** Answers addWatch with its reply and, in the same write, a change on the watched node. */
  const replyThenEvent = ({ header, request, socket }: Received) => {
    if (request.op !== OpCode.addWatch) {
      socket.write(encodeReply({ xid: header.xid, zxid: 5n, err: 0 })); // removeWatches: no body
      return;
    }
    const reply = encodeReply({ xid: header.xid, zxid: 5n, err: 0 });
    const event = encodeNotification(6n, { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: `${request.path}/child` });
    socket.write(Buffer.concat([reply, event]));
  };

  it('a persistent watch sees a notification that arrives in the same chunk as the addWatch reply', async () => {
    const { client } = await start(replyThenEvent);
    const events: WatchedEvent[] = [];
    await client.addWatch('/app', (e) => events.push(e), 'persistentRecursive');
    expect(events).toEqual([{ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/app/child' }]);
  });

  it('watch() is armed when the reply is read, and yields the event that came with it', async () => {
    const { client } = await start(replyThenEvent);
    const stream = client.watch('/app', { recursive: true });
    await stream.armed;
    const first = await stream.next();
    expect(first).toEqual({ done: false, value: { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/app/child' } });
    await stream.return();
  });

  it('watch().armed rejects (and the stream throws) when the server refuses the watch', async () => {
    const { client } = await start(({ header, socket }) => socket.write(encodeReply({ xid: header.xid, zxid: 0n, err: -102 })));
    const stream = client.watch('/secret');
    await expect(stream.armed).rejects.toMatchObject({ codeName: 'NOAUTH', path: '/secret' });
    await expect(stream.next()).rejects.toMatchObject({ codeName: 'NOAUTH' });
  });

  const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0, pzxid: 1n };
  const answer = ({ header, request, socket }: Received, data = 'x') => {
    const response: Response | undefined = request.op === OpCode.getData ? { op: OpCode.getData, data: Buffer.from(data), stat } : request.op === OpCode.setData ? { op: OpCode.setData, stat } : undefined;
    socket.write(encodeReply({ xid: header.xid, zxid: 9n, err: 0 }, response));
  };

  it('an aborted call rejects with ZooAbortError at once; its late reply is dropped and the next call gets its own', async () => {
    const { server, client } = await start(() => {}); // answers nothing until told
    const ac = new AbortController();
    const first = client.getData('/a', { signal: ac.signal });
    await until(() => server.received.length === 1);
    ac.abort();
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooAbortError);
    expect(err).toMatchObject({ code: ZooErrorCode.APIERROR, sent: true, timedOut: false, path: '/a', op: 'getData' });
    expect(isRetryable(err)).toBe(false);
    const second = client.getData('/b');
    await until(() => server.received.length === 2);
    answer(server.received[0], 'late');
    answer(server.received[1], 'mine');
    expect((await second).data?.toString()).toBe('mine');
    expect(client.state).toBe('connected');
    expect(client.pendingRequests).toEqual({ queued: 0, inFlight: 0 });
  });

  it('timeoutMs (and requestTimeout) reject with a retryable OPERATIONTIMEOUT; an already aborted signal sends nothing', async () => {
    const { server, client } = await start(() => {}, { requestTimeout: 20 });
    const err = await client.exists('/slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooAbortError);
    expect(err).toMatchObject({ code: ZooErrorCode.OPERATIONTIMEOUT, timedOut: true, sent: true, path: '/slow' });
    expect(isRetryable(err)).toBe(true);
    await expect(client.setData('/slow', 'x', -1, { timeoutMs: 10 })).rejects.toMatchObject({ code: ZooErrorCode.OPERATIONTIMEOUT });
    await expect(client.mkdirp('/a/b/c', null, { timeoutMs: 10 })).rejects.toMatchObject({ code: ZooErrorCode.OPERATIONTIMEOUT });
    await expect(client.getData('/x', { signal: AbortSignal.abort(new Error('no need')) })).rejects.toMatchObject({ code: ZooErrorCode.APIERROR, sent: false });
    await expect(client.transaction().create('/t').commit({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ZooErrorCode.APIERROR, op: 'multi' });
    expect(server.received.map((r) => r.request.op)).toEqual([OpCode.exists, OpCode.setData, OpCode.create2]);
    await expect(client.getData('/x', { timeoutMs: -1 })).rejects.toMatchObject({ code: ZooErrorCode.BADARGUMENTS, message: expect.stringContaining('timeoutMs') });
    expect(() => new ZooClient(server.connectionString, { maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => new ZooClient(server.connectionString, { requestTimeout: Number.NaN })).toThrow(/requestTimeout/);
  });

  it('at most maxInFlight requests are on the wire; the rest go out as replies come back, and one aborted while queued is never sent', async () => {
    const { server, client } = await start(() => {}, { maxInFlight: 2 });
    const ac = new AbortController();
    const calls = ['/1', '/2', '/3', '/4'].map((p) => client.getData(p, { signal: p === '/3' ? ac.signal : undefined }));
    await until(() => server.received.length === 2);
    expect(client.pendingRequests).toEqual({ queued: 2, inFlight: 2 });
    ac.abort();
    await expect(calls[2]).rejects.toMatchObject({ sent: false });
    answer(server.received[0], 'one');
    await until(() => server.received.length === 3);
    answer(server.received[1], 'two');
    answer(server.received[2], 'four');
    const got = await Promise.all([calls[0], calls[1], calls[3]]);
    expect(got.map((r) => r.data?.toString())).toEqual(['one', 'two', 'four']);
    expect(server.received.map((r) => (r.request as { path: string }).path)).toEqual(['/1', '/2', '/4']);
  });

  it('a socket that stops reading makes requests wait in the client (write() returning false is respected), then all go out in order', async () => {
    // every write on the client's socket is watched: none may follow a write() that returned false before 'drain'
    let serverPort = -1;
    const blocked = new WeakSet<Socket>();
    const seen = new WeakSet<Socket>();
    let refused = 0;
    let violations = 0;
    const write = Socket.prototype.write;
    const spy = vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
      if (this.remotePort !== serverPort) return (write as (...a: unknown[]) => boolean).apply(this, args);
      if (!seen.has(this)) {
        seen.add(this);
        this.prependListener('drain', () => blocked.delete(this));
      }
      if (blocked.has(this)) violations++;
      const ok = (write as (...a: unknown[]) => boolean).apply(this, args);
      if (!ok) {
        refused++;
        blocked.add(this);
      }
      return ok;
    });
    cleanup.push(async () => spy.mockRestore());
    const server = await FakeServer.start((r) => answer(r));
    cleanup.push(() => server.close());
    serverPort = server.port;
    const client = await ZooClient.connect(server.connectionString, { sessionTimeout: 10_000 });
    cleanup.push(() => client.close());
    const socket = [...server.sockets][0];
    socket.pause(); // the server stops reading: the kernel buffers fill, then the client's socket
    const big = Buffer.alloc(256 * 1024, 1);
    const calls = Array.from({ length: 64 }, (_, i) => client.setData(`/n${i}`, big));
    await until(() => refused > 0 && client.pendingRequests.queued > 0);
    expect(client.pendingRequests.queued + client.pendingRequests.inFlight).toBe(64);
    socket.resume();
    await Promise.all(calls);
    expect(violations).toBe(0);
    expect(server.received.map((r) => (r.request as { path: string }).path)).toEqual(Array.from({ length: 64 }, (_, i) => `/n${i}`));
    expect(client.pendingRequests).toEqual({ queued: 0, inFlight: 0 });
  });

  it('updateServerList keeps a listed connection, moves off an unlisted one with the same session, and emits hosts', async () => {
    const { server: a, client } = await start(() => {});
    const b = await FakeServer.start(() => {});
    cleanup.push(() => b.close());
    const hosts: string[] = [];
    client.on('hosts', (h) => hosts.push(h));
    const sessionId = client.sessionId;
    client.updateServerList(`${a.connectionString},${b.connectionString}`);
    expect(client.connectedTo).toBe(a.connectionString);
    client.updateServerList(b.connectionString);
    await until(() => client.connectedTo === b.connectionString);
    expect(client.sessionId).toBe(sessionId);
    expect(client.connection.hosts).toEqual([{ host: '127.0.0.1', port: b.port }]);
    expect(hosts).toEqual([`${a.connectionString},${b.connectionString}`, b.connectionString]);
    expect(() => client.updateServerList(`${b.connectionString}/other`)).toThrow(/chroot/);
  });

  it('with sasl, no request leaves before the SASL exchange is through; a refusal fails them with AUTHFAILED', async () => {
    const server = await FakeServer.start(() => {}); // never answers the SASL token until told
    cleanup.push(() => server.close());
    const client = new ZooClient(server.connectionString, { sessionTimeout: 10_000, sasl: { username: 'bob', password: 'pw' } });
    cleanup.push(() => client.close());
    const connecting = client.connect().catch((e: unknown) => e);
    await until(() => server.received.length === 1);
    expect(server.received[0].request).toEqual({ op: OpCode.sasl, token: Buffer.alloc(0) }); // DIGEST-MD5 starts empty
    const held = client.getData('/x').catch((e: unknown) => e);
    expect(client.pendingRequests).toEqual({ queued: 1, inFlight: 1 });
    const { header, socket } = server.received[0];
    socket.write(encodeReply({ xid: header.xid, zxid: 0n, err: ZooErrorCode.AUTHFAILED }));
    expect(await connecting).toMatchObject({ code: ZooErrorCode.AUTHFAILED });
    expect(await held).toMatchObject({ code: ZooErrorCode.AUTHFAILED, path: '/x' });
    expect(client.state).toBe('authFailed');
    expect(server.received).toHaveLength(1);
  });
});
