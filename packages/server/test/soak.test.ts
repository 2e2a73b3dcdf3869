import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AddWatchMode, CreateMode, encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE, decodeConnectResponse, type Request } from '@zoo/core';
import { until } from '@zoo/zookeeper';
import { ZooServer } from '../src/index.js';
import { RawClient } from './raw-client.js';

/**
 * The soak (tools/bench/src/soak.mjs, 10,000 sessions) scaled down: 500 sessions, each with an
 * ephemeral and four kinds of watch, held alive by pings, then dropped without closeSession.
 * Every session must expire: sessions, connections, ephemerals and every watch table back to
 * what they were before, and the watcher that stayed sees the ephemerals go.
 */
const SESSIONS = 500;
const acl = [...OPEN_ACL_UNSAFE];

interface Lite {
  socket: Socket;
  replies: number;
  errors: number;
}

/** A bare session: handshake, then pipelined requests counted as they are answered. */
async function openLite(port: number, timeOut: number): Promise<Lite> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  const decoder = new FrameDecoder(1 << 20);
  const lite: Lite = { socket, replies: 0, errors: 0 };
  let handshake = true;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (handshake) {
          handshake = false;
          expect(decodeConnectResponse(frame).timeOut).toBeGreaterThan(0);
          resolve();
          continue;
        }
        const xid = frame.readInt32BE(0);
        if (xid === -1 || xid === -2) continue; // notification, ping
        lite.replies++;
        if (frame.readInt32BE(12) !== 0) lite.errors++;
      }
    });
    socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  });
  return lite;
}

describe('soak (scaled down): 500 sessions with watches expire cleanly', () => {
  let server: ZooServer | undefined;
  const sockets: Socket[] = [];
  let observer: RawClient | undefined;
  let pinger: NodeJS.Timeout | undefined;
  afterAll(async () => {
    clearInterval(pinger);
    for (const s of sockets) s.destroy();
    await observer?.close();
    await server?.close();
  });

  it('holds 500 sessions alive, then expires every one: counts, ephemerals and watches back to zero', async () => {
    // tickTime 200: sessions may ask for 400..4000 ms
    server = await ZooServer.start({ port: 0, tickTime: 200, maxClientCnxns: 0 });
    const engine = server.state;
    await server.create('/soak');
    await server.create('/soak/config', 'v0');
    await server.create('/soak/members');
    const baseline = engine.stats();

    // one session that stays: it watches the members come and go
    observer = await RawClient.open(server.port, { timeOut: 4000 });
    const obs = observer;
    pinger = setInterval(() => void obs.send({ op: OpCode.ping }), 400);

    const lites: Lite[] = [];
    for (let i = 0; i < SESSIONS; i += 50) {
      lites.push(...(await Promise.all(Array.from({ length: Math.min(50, SESSIONS - i) }, () => openLite(server!.port, 2000)))));
    }
    for (const l of lites) sockets.push(l.socket);
    // first every member, then the watches (a child watch set earlier would fire on later members)
    const send = async (requests: (i: number) => Request[]) => {
      const before = lites.map((l) => l.replies);
      lites.forEach((l, i) => l.socket.write(Buffer.concat(requests(i).map((r, x) => encodeRequest(x + 1, r)))));
      await until(() => lites.every((l, i) => l.replies === before[i] + requests(i).length), 20_000, 'every session to be answered');
    };
    await send((i) => [{ op: OpCode.create, path: `/soak/members/m-${i}`, data: Buffer.from(String(i)), acl, flags: CreateMode.EPHEMERAL }]);
    await send((i) => [
      { op: OpCode.getData, path: '/soak/config', watch: true },
      { op: OpCode.exists, path: `/soak/members/m-${i}`, watch: true },
      { op: OpCode.getChildren, path: '/soak/members', watch: true },
      { op: OpCode.addWatch, path: '/soak/config', mode: i % 2 ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE },
    ]);
    expect(lites.reduce((n, l) => n + l.errors, 0)).toBe(0);

    const loaded = engine.stats();
    expect(loaded.sessionCount).toBe(baseline.sessionCount + SESSIONS + 1);
    expect(loaded.ephemeralsCount).toBe(SESSIONS);
    // entries are (path, connection): the data table holds config (getData and the persistent or
    // recursive watch share it) and the member; the child table members, and config for the
    // persistent (non-recursive) half
    expect(loaded.watchCount).toBe(SESSIONS * 2 + SESSIONS + SESSIONS / 2);
    expect(server.connectionCount).toBe(SESSIONS + 1);

    // held alive by pings for a few session timeouts: nobody expires
    const ping = encodeRequest(-2, { op: OpCode.ping });
    for (let round = 0; round < 8; round++) {
      for (const l of lites) l.socket.write(ping);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(engine.stats().sessionCount).toBe(SESSIONS + 1);
    expect(engine.stats().ephemeralsCount).toBe(SESSIONS);

    // the observer watches the member list, then every client vanishes without closeSession
    const listed = await obs.send({ op: OpCode.getChildren, path: '/soak/members', watch: true });
    expect((listed.response as { children: string[] }).children).toHaveLength(SESSIONS);
    for (const l of lites) l.socket.destroy();

    await until(() => server!.connectionCount === 1, 10_000, 'connections closed');
    // the connections' watches go with them
    expect(engine.stats().watchCount).toBeLessThanOrEqual(1); // at most the observer's child watch
    await until(() => engine.stats().sessionCount === 1, 20_000, 'every dropped session to expire');
    const after = engine.stats();
    expect(after.ephemeralsCount).toBe(0);
    expect(after.nodeCount).toBe(baseline.nodeCount);
    expect(engine.sessionsInfo().map((s) => s.ephemerals.length)).toEqual([0]);
    // no watch table keeps an entry for a connection that is gone
    expect(engine.watchesByWatcher('all').size).toBe(0);
    expect(engine.watchesByPath('all').size).toBe(0);
    // the observer lived on and saw the members go (its one-shot child watch fired)
    await until(() => obs.events.some((e) => e.path === '/soak/members'), 10_000, 'the observer to be told');
    const left = await obs.send({ op: OpCode.getChildren, path: '/soak/members', watch: false });
    expect(left.header.err).toBe(0);
    expect((left.response as { children: string[] }).children).toEqual([]);
  }, 60_000);
});
