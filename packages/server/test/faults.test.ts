import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateMode, OpCode, OPEN_ACL_UNSAFE, type Request } from '@zoo/core';
import { until } from '@zoo/zookeeper';
import { ZooServer } from '../src/index.js';
import { RawClient, type Reply } from './raw-client.js';

/**
 * Writes under connection faults: several sessions write (sequential creates under one shared
 * parent, setData on their own node) through a TCP proxy that keeps killing connections — whole,
 * or in the middle of a frame. Every write the server acknowledged must be there afterwards, and
 * again after the server is closed and restarted from the same dataDir; sequential names never
 * repeat, not even after the restart.
 */
const acl = [...OPEN_ACL_UNSAFE];
const WORKERS = 6;
const IN_FLIGHT = 4;
const LOAD_MS = 4000;

/** Seeded PRNG (mulberry32): the same fault schedule on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A loopback TCP proxy whose connections can be cut (both ends destroyed), optionally mid-chunk. */
class FaultyProxy {
  readonly pairs = new Set<{ client: Socket; upstream: Socket; cutNext?: boolean }>();
  cuts = 0;
  private constructor(readonly server: Server) {}

  static async start(targetPort: number): Promise<FaultyProxy> {
    const server = createServer();
    const proxy = new FaultyProxy(server);
    server.on('connection', (client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      const pair: { client: Socket; upstream: Socket; cutNext?: boolean } = { client, upstream };
      proxy.pairs.add(pair);
      const drop = () => {
        proxy.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (chunk: Buffer) => {
        if (pair.cutNext && chunk.length > 1) {
          // forward a torn frame, then cut
          upstream.write(chunk.subarray(0, 1 + Math.floor(chunk.length / 2)), () => drop());
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      for (const s of [client, upstream]) {
        s.on('error', drop);
        s.on('close', drop);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Cuts one random connection: at once, or at the next client→server chunk (torn frame). */
  cut(random: () => number): void {
    const pairs = [...this.pairs];
    if (pairs.length === 0) return;
    const pair = pairs[Math.floor(random() * pairs.length)];
    this.cuts++;
    if (random() < 0.3) pair.cutNext = true;
    else {
      this.pairs.delete(pair);
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  /** No more torn frames. */
  calm(): void {
    for (const pair of this.pairs) pair.cutNext = false;
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Acked {
  /** sequential node path → data written */
  created: Map<string, string>;
  /** worker node → highest acknowledged value */
  lastSet: Map<string, number>;
  /** acknowledged setData count per worker node */
  setCount: Map<string, number>;
  /** requests whose connection was lost before a reply (outcome unknown) */
  lost: number;
  reconnects: number;
}

/** A new session through the proxy: the chaos may cut the first handshakes too (a loaded machine is slow). */
async function openThroughChaos(port: number): Promise<RawClient> {
  for (;;) {
    try {
      return await RawClient.open(port, { timeOut: 20_000 });
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** One writer: resumes its session on every cut, keeps IN_FLIGHT writes pipelined. */
async function worker(id: number, port: number, stopAt: number, acked: Acked): Promise<void> {
  const own = `/faults/w${id}`;
  let client = await openThroughChaos(port);
  const { sessionId, passwd } = client.session!;
  let lastZxid = 0n;
  let counter = 0;
  let value = 0;
  acked.lastSet.set(own, 0);
  acked.setCount.set(own, 0);

  /** A reply, or undefined when the connection died first. */
  const send = async (c: RawClient, req: Request): Promise<Reply | undefined> => {
    const reply = await Promise.race([c.send(req), c.closed.then(() => undefined)]);
    if (reply && reply.header.zxid > lastZxid) lastZxid = reply.header.zxid;
    return reply;
  };

  const lane = async (lane: number) => {
    while (Date.now() < stopAt) {
      const c = client;
      if (c.socket.destroyed) {
        await reconnect(c);
        continue;
      }
      if (lane % 2 === 0) {
        const data = `w${id}-${counter++}`;
        const reply = await send(c, { op: OpCode.create, path: '/faults/seq/n-', data: Buffer.from(data), acl, flags: CreateMode.PERSISTENT_SEQUENTIAL });
        if (!reply) acked.lost++;
        else {
          expect(reply.header.err, `create ${data}`).toBe(0);
          const path = (reply.response as { path: string }).path;
          expect(acked.created.has(path), `sequential name ${path} handed out twice`).toBe(false);
          acked.created.set(path, data);
        }
      } else {
        const v = ++value;
        const reply = await send(c, { op: OpCode.setData, path: own, data: Buffer.from(String(v)), version: -1 });
        if (!reply) acked.lost++;
        else {
          expect(reply.header.err, `setData ${own}=${v}`).toBe(0);
          // replies on one connection come in order, so acks only grow
          acked.lastSet.set(own, Math.max(acked.lastSet.get(own)!, v));
          acked.setCount.set(own, acked.setCount.get(own)! + 1);
        }
      }
    }
  };

  let reconnecting: Promise<void> | undefined;
  const reconnect = (dead: RawClient): Promise<void> =>
    (reconnecting ??= (async () => {
      if (client !== dead) return;
      for (;;) {
        try {
          const next = await RawClient.open(port, { sessionId, passwd, lastZxidSeen: lastZxid, timeOut: 20_000 });
          // a session the server no longer knows would be a bug here (timeouts are far away)
          expect(next.session!.sessionId).toBe(sessionId);
          client = next;
          acked.reconnects++;
          return;
        } catch {
          // cut during the handshake: try again
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    })().finally(() => (reconnecting = undefined)));

  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => lane(i)));
  // close the session, however many tries it takes
  for (;;) {
    const c = client;
    if (c.socket.destroyed) await reconnect(c);
    else if (await send(c, { op: OpCode.closeSession })) break;
  }
  await client.close();
}

/** Checks every acknowledged write against what the server holds now. */
async function verify(port: number, acked: Acked): Promise<string[]> {
  const c = await RawClient.open(port);
  try {
    const children = (await c.send({ op: OpCode.getChildren, path: '/faults/seq', watch: false })).response as { children: string[] };
    const present = new Set(children.children.map((n) => `/faults/seq/${n}`));
    const missing = [...acked.created.keys()].filter((p) => !present.has(p));
    expect(missing, 'acknowledged sequential creates missing').toEqual([]);
    // the data of each acknowledged create is what that create wrote
    const replies = await Promise.all([...acked.created.keys()].map((p) => c.send({ op: OpCode.getData, path: p, watch: false })));
    const wrong = [...acked.created.entries()].filter(([, data], i) => (replies[i].response as { data: Buffer }).data.toString() !== data);
    expect(wrong).toEqual([]);
    for (const [path, last] of acked.lastSet) {
      const r = await c.send({ op: OpCode.getData, path, watch: false });
      const { data, stat } = r.response as { data: Buffer; stat: { version: number } };
      // an unacknowledged write may also have landed, never fewer than the acknowledged ones
      expect(Number(data.toString()), `${path} holds its last acknowledged value or a later one`).toBeGreaterThanOrEqual(last);
      expect(stat.version).toBeGreaterThanOrEqual(acked.setCount.get(path)!);
    }
    return children.children;
  } finally {
    await c.close();
  }
}

describe('faults: acknowledged writes survive dropped connections and a restart', () => {
  let dir: string | undefined;
  let server: ZooServer | undefined;
  let proxy: FaultyProxy | undefined;
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged create and setData; sequential names never repeat', async () => {
    dir = await mkdtemp(join(tmpdir(), 'zoo-faults-'));
    server = await ZooServer.start({ port: 0, dataDir: dir, maxClientCnxns: 0, snapCount: 500 });
    await server.create('/faults');
    await server.create('/faults/seq');
    for (let i = 0; i < WORKERS; i++) await server.create(`/faults/w${i}`, '0');
    proxy = await FaultyProxy.start(server.port);

    const acked: Acked = { created: new Map(), lastSet: new Map(), setCount: new Map(), lost: 0, reconnects: 0 };
    const random = rng(9);
    const stopAt = Date.now() + LOAD_MS;
    const p = proxy;
    const chaosLoop = (async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 20 + random() * 80));
        if (Date.now() >= stopAt) break;
        p.cut(random);
      }
      p.calm();
    })();
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i, p.port, stopAt, acked)));
    await chaosLoop;

    // the run did what it claims: writes acknowledged, connections cut, sessions resumed
    expect(acked.created.size).toBeGreaterThan(50);
    expect(proxy.cuts).toBeGreaterThan(10);
    expect(acked.reconnects).toBeGreaterThan(5);
    // every session was closed by its worker; nothing leaks on the server side
    await until(() => server!.state.stats().sessionCount === 0, 10_000, 'sessions closed');

    const before = await verify(server.port, acked);

    // restart from the same dataDir
    await proxy.close();
    proxy = undefined;
    await server.close();
    server = await ZooServer.start({ port: 0, dataDir: dir, maxClientCnxns: 0, snapCount: 500 });
    const after = await verify(server.port, acked);
    expect(after.sort()).toEqual(before.sort());

    // new sequential names continue after the old ones, never reusing one
    const c = await RawClient.open(server.port);
    try {
      const fresh: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await c.send({ op: OpCode.create, path: '/faults/seq/n-', data: null, acl, flags: CreateMode.PERSISTENT_SEQUENTIAL });
        expect(r.header.err).toBe(0);
        fresh.push((r.response as { path: string }).path.slice('/faults/seq/'.length));
      }
      for (const name of fresh) expect(before, `${name} reused after restart`).not.toContain(name);
      const seqOf = (n: string) => Number(n.slice('n-'.length));
      expect(Math.min(...fresh.map(seqOf))).toBeGreaterThan(Math.max(...before.map(seqOf)));
    } finally {
      await c.close();
    }
  }, 30_000);
});
