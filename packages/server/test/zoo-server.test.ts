import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fourLetterWord } from '@zoo/zookeeper';
import { encodeConnectRequest, encodeRequest, EventType, OpCode, OPEN_ACL_UNSAFE, ZooError, ZooErrorCode, type Txn } from '@zoo/core';
import { ZooServer, type TxnStore } from '../src/index.js';
import { RawClient, until } from './raw-client.js';

const acl = [...OPEN_ACL_UNSAFE];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(options: Parameters<typeof ZooServer.start>[0] = {}) {
  const s = await ZooServer.start({ port: 0, ...options });
  cleanups.push(() => s.close());
  return s;
}
async function client(port: number, options: Parameters<typeof RawClient.open>[1] = {}) {
  const c = await RawClient.open(port, options);
  cleanups.push(() => c.close());
  return c;
}

/** A durable-looking store whose fsyncs complete only when the test says so. */
function gatedStore() {
  const appended: Txn[] = [];
  let waiting: Array<() => void> = [];
  let open = true;
  const store: TxnStore = {
    durable: true,
    recover: async () => ({ snapshotZxid: 0n, replayed: 0, truncatedBytes: 0 }),
    append: (txn) => void appended.push(txn),
    sync: () => (open ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    maybeSnapshot: () => {},
    close: async () => {},
    info: () => ({ logBytes: 0, snapshotBytes: 0 }),
  };
  return {
    store,
    appended,
    hold: () => void (open = false),
    release: () => {
      open = true;
      for (const resolve of waiting) resolve();
      waiting = [];
    },
  };
}

/** A few event-loop turns with I/O in between. */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('ZooServer embedded', () => {
  it('starts on a free loopback port and serves the in-process API', async () => {
    const s = await server();
    expect(s.port).toBeGreaterThan(0);
    expect(s.connectionString).toBe(`127.0.0.1:${s.port}`);
    expect(await s.create('/service', Buffer.from('Hello Zookeeper'))).toBe('/service');
    const { data, stat } = await s.getData('/service');
    expect(data?.toString()).toBe('Hello Zookeeper');
    expect(stat.version).toBe(0);
    expect((await s.setData('/service', 'v2')).version).toBe(1);
    expect(await s.getChildren('/')).toContain('service');
    expect(await s.exists('/nope')).toBeNull();
    await s.delete('/service');
    await expect(s.getData('/service')).rejects.toSatisfy((e: unknown) => e instanceof ZooError && e.code === ZooErrorCode.NONODE);
  });
});

describe('handshake and sessions', () => {
  it('creates a session, resumes it with the password (closing the old connection), refuses a wrong password', async () => {
    const s = await server({ tickTime: 1000 });
    const a = await client(s.port, { timeOut: 5000 });
    expect(a.session!.timeOut).toBe(5000);
    expect(a.session!.passwd).toHaveLength(16);
    expect(a.session!.readOnly).toBe(false);
    const b = await client(s.port, { sessionId: a.session!.sessionId, passwd: a.session!.passwd, timeOut: 5000 });
    expect(b.session!.sessionId).toBe(a.session!.sessionId);
    await a.closed; // the server closed the old connection
    const bad = await client(s.port, { sessionId: a.session!.sessionId, passwd: Buffer.alloc(16, 7) });
    expect(bad.session!.timeOut).toBe(0);
    expect(bad.session!.sessionId).toBe(0n);
    await bad.closed;
    const unknown = await client(s.port, { sessionId: 0x1234n, passwd: Buffer.alloc(16) });
    expect(unknown.session!.timeOut).toBe(0);
  });

  it('processes requests pipelined right behind the ConnectRequest, in order', async () => {
    const s = await server();
    const socket = connect(s.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    cleanups.push(async () => void socket.destroy());
    const bytes = Buffer.concat([
      encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }),
      encodeRequest(1, { op: OpCode.create, path: '/p', data: null, acl, flags: 0 }),
      encodeRequest(2, { op: OpCode.exists, path: '/p', watch: false }),
    ]);
    socket.write(bytes);
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    await until(() => Buffer.concat(chunks).length >= 4 + 37 + 4 + 16 + 6 + 4 + 16 + 68, 3000, 'replies');
    const all = Buffer.concat(chunks);
    const second = 4 + 37;
    expect(all.readInt32BE(second + 4)).toBe(1); // xid of the create reply
    expect(all.readInt32BE(second + 4 + 12)).toBe(0); // err
  });

  it('closeSession deletes ephemerals, notifies watchers and closes the connection', async () => {
    const s = await server();
    const owner = await client(s.port);
    const watcher = await client(s.port);
    await owner.send({ op: OpCode.create, path: '/eph', data: null, acl, flags: 1 });
    await watcher.send({ op: OpCode.exists, path: '/eph', watch: true });
    const r = await owner.send({ op: OpCode.closeSession });
    expect(r.header.err).toBe(0);
    await owner.closed;
    await until(() => watcher.events.length === 1, 3000, 'NodeDeleted');
    expect(watcher.events[0]).toEqual({ type: EventType.NodeDeleted, state: 3, path: '/eph' });
  });

  it('expires a silent session and removes its ephemerals', async () => {
    const s = await server({ tickTime: 100, minSessionTimeout: 200, maxSessionTimeout: 400 });
    const dying = await client(s.port, { timeOut: 200 });
    await dying.send({ op: OpCode.create, path: '/gone', data: null, acl, flags: 1 });
    await dying.closed; // no pings: expired, connection closed by the server
    expect(await s.exists('/gone')).toBeNull();
  });
});

describe('durability gate', () => {
  it('shows a write to nobody (reply, notifications, other clients’ reads) until its txn is durable', async () => {
    const gate = gatedStore();
    const s = await server({ store: gate.store });
    cleanups.push(async () => gate.release());
    const writer = await client(s.port);
    const watcher = await client(s.port);
    const reader = await client(s.port);
    await writer.send({ op: OpCode.create, path: '/d', data: Buffer.from('old'), acl, flags: 0 });
    await watcher.send({ op: OpCode.getData, path: '/d', watch: true });

    gate.hold();
    const before = gate.appended.length;
    const write = writer.send({ op: OpCode.setData, path: '/d', data: Buffer.from('new'), version: -1 });
    await until(() => gate.appended.length === before + 1, 3000, 'the txn to be appended');
    const read = reader.send({ op: OpCode.getData, path: '/d', watch: false });
    const ping = watcher.send({ op: OpCode.ping });
    await settle();
    expect(writer.frames).toEqual([{ kind: 'reply', xid: 1 }]); // the create's reply, nothing since
    expect(watcher.events).toEqual([]);
    expect(reader.frames).toEqual([]);

    gate.release();
    expect((await write).header.err).toBe(0);
    expect(((await read).response as { data: Buffer }).data.toString()).toBe('new');
    await ping;
    expect(watcher.frames.map((f) => f.kind)).toEqual(['reply', 'event', 'reply']);
  });

  it('holds the handshake reply and pipelined requests until createSession is durable', async () => {
    const gate = gatedStore();
    const s = await server({ store: gate.store });
    cleanups.push(async () => gate.release());
    gate.hold();
    const opening = RawClient.open(s.port);
    await until(() => gate.appended.length === 1, 3000, 'createSession to be appended');
    await settle();
    let opened = false;
    void opening.then(() => (opened = true));
    await settle();
    expect(opened).toBe(false);
    gate.release();
    const c = await opening;
    cleanups.push(() => c.close());
    expect(c.session!.timeOut).toBeGreaterThan(0);
  });

  it('in-process writes resolve once durable', async () => {
    const gate = gatedStore();
    const s = await server({ store: gate.store });
    cleanups.push(async () => gate.release());
    gate.hold();
    let done = false;
    const created = s.create('/inproc', 'v').then((p) => ((done = true), p));
    await settle();
    expect(done).toBe(false);
    gate.release();
    expect(await created).toBe('/inproc');
  });
});

describe('ordering', () => {
  it('replies in request order; a write’s notifications reach watchers before its reply', async () => {
    const s = await server();
    const c = await client(s.port);
    await c.send({ op: OpCode.create, path: '/o', data: null, acl, flags: 0 });
    await c.send({ op: OpCode.getData, path: '/o', watch: true });
    c.frames.length = 0;
    const replies = await Promise.all([
      c.send({ op: OpCode.setData, path: '/o', data: Buffer.from('1'), version: -1 }),
      c.send({ op: OpCode.getData, path: '/o', watch: false }),
      c.send({ op: OpCode.getChildren, path: '/', watch: false }),
    ]);
    expect(replies.map((r) => r.header.err)).toEqual([0, 0, 0]);
    expect(c.frames.map((f) => (f.kind === 'event' ? `event ${EventType[f.event.type]}` : `reply ${f.xid}`))).toEqual([
      'event NodeDataChanged',
      `reply ${replies[0].header.xid}`,
      `reply ${replies[1].header.xid}`,
      `reply ${replies[2].header.xid}`,
    ]);
    expect((replies[1].response as { data: Buffer }).data.toString()).toBe('1');
  });

  it('setWatches on a new connection catches up with what changed, events before its reply', async () => {
    const s = await server();
    const c = await client(s.port);
    const { header } = await c.send({ op: OpCode.create, path: '/sw', data: null, acl, flags: 0 });
    await c.send({ op: OpCode.create, path: '/sw-gone', data: null, acl, flags: 0 });
    const seen = header.zxid + 1n;
    // while "disconnected": a data change, a child, a deletion, and a node that appears
    await s.setData('/sw', 'changed');
    await s.create('/sw/kid');
    await s.delete('/sw-gone');
    await s.create('/sw-new');
    c.frames.length = 0;
    const reply = await c.send({
      op: OpCode.setWatches,
      relativeZxid: seen,
      dataWatches: ['/sw', '/sw-gone'],
      existWatches: ['/sw-new', '/sw-missing'],
      childWatches: ['/sw'],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    });
    expect(reply.header.err).toBe(0);
    const events = c.frames.slice(0, -1).map((f) => (f.kind === 'event' ? `${EventType[f.event.type]} ${f.event.path}` : 'reply'));
    expect(events.sort()).toEqual(['NodeChildrenChanged /sw', 'NodeCreated /sw-new', 'NodeDataChanged /sw', 'NodeDeleted /sw-gone']);
    expect(c.frames.at(-1)).toEqual({ kind: 'reply', xid: reply.header.xid });
    // /sw-missing stays registered
    c.events.length = 0;
    await s.create('/sw-missing');
    await until(() => c.events.length === 1, 3000, 'NodeCreated');
    expect(c.events[0]).toMatchObject({ type: EventType.NodeCreated, path: '/sw-missing' });
  });

  it('answers pings with xid -2 and auth with xid -4', async () => {
    const s = await server();
    const c = await client(s.port);
    expect((await c.send({ op: OpCode.ping })).header).toMatchObject({ xid: -2, err: 0 });
    expect((await c.send({ op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('u:p') })).header).toMatchObject({ xid: -4, err: 0 });
  });
});

describe('bad input', () => {
  it('closes a connection that sends a frame over jute.maxbuffer; others keep working', async () => {
    const s = await server({ maxBuffer: 4096 });
    const good = await client(s.port);
    const bad = await client(s.port);
    bad.send({ op: OpCode.create, path: '/big', data: Buffer.alloc(5000), acl, flags: 0 });
    await bad.closed;
    expect((await good.send({ op: OpCode.getChildren, path: '/', watch: false })).header.err).toBe(0);
  });

  it('replies -6 to an unknown opcode and closes only that connection', async () => {
    const s = await server();
    const good = await client(s.port);
    const bad = await client(s.port);
    const header = Buffer.alloc(12);
    header.writeInt32BE(8, 0);
    header.writeInt32BE(5, 4);
    header.writeInt32BE(10, 8); // opcode 10 is unused
    bad.writeRaw(header);
    await bad.closed;
    const unknown = bad.frames.length;
    expect(unknown).toBe(1);
    expect((await good.send({ op: OpCode.exists, path: '/', watch: false })).header.err).toBe(0);
  });

  it('closes a connection whose request body is garbage', async () => {
    const s = await server();
    const bad = await client(s.port);
    const frame = Buffer.from('0000000c00000005000000047fffffff', 'hex'); // create with a huge path length
    bad.writeRaw(frame);
    await bad.closed;
    expect(s.connectionCount).toBe(0);
  });

  it('closes a connection that never sends its ConnectRequest', async () => {
    const s = await server({ handshakeTimeoutMs: 100, fourLetterWordWhitelist: ['mntr'] });
    const socket = connect(s.port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    await new Promise((r) => socket.once('connect', r));
    await new Promise((r) => socket.once('close', r));
    expect(await fourLetterWord(s.port, 'mntr')).toMatch(/zk_sessionless_connections_expired\t1\n/);
  });

  it('limits connections per IP (maxClientCnxns)', async () => {
    const s = await server({ maxClientCnxns: 2 });
    await client(s.port);
    await client(s.port);
    const socket = connect(s.port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    await new Promise((r) => socket.on('close', r));
    expect(s.connectionCount).toBe(2);
  });
});

describe('four-letter words and admin', () => {
  it('answers whitelisted words in ZooKeeper’s formats and refuses others', async () => {
    const s = await server({ fourLetterWordWhitelist: ['ruok', 'srvr', 'mntr', 'conf', 'wchs', 'cons'] });
    const c = await client(s.port);
    await c.send({ op: OpCode.exists, path: '/w', watch: true });
    expect(await fourLetterWord(s.port, 'ruok')).toBe('imok');
    const srvr = await fourLetterWord(s.port, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: /);
    expect(srvr).toMatch(/\nMode: standalone\n/);
    expect(srvr).toMatch(/\nNode count: 5\n/);
    expect(await fourLetterWord(s.port, 'mntr')).toMatch(/zk_znode_count\t5\n/);
    expect(await fourLetterWord(s.port, 'conf')).toMatch(new RegExp(`clientPort=${s.port}\\n`));
    expect(await fourLetterWord(s.port, 'wchs')).toBe('1 connections watching 1 paths\nTotal watches:1\n');
    expect(await fourLetterWord(s.port, 'cons')).toMatch(/sid=0x[0-9a-f]+,lop=EXIS/);
    expect(await fourLetterWord(s.port, 'dump')).toBe('dump is not executed because it is not in the whitelist.\n');
  });

  it('serves /commands and Prometheus /metrics on the admin port', async () => {
    const s = await server({ adminPort: 0 });
    const c = await client(s.port);
    await c.send({ op: OpCode.create, path: '/m', data: null, acl, flags: 0 });
    await c.send({ op: OpCode.create, path: '/m', data: null, acl, flags: 0 }).catch(() => undefined); // NODEEXISTS
    await c.send({ op: OpCode.getData, path: '/m', watch: false });
    await c.send({ op: OpCode.getData, path: '/m', watch: false });
    const base = `http://127.0.0.1:${s.adminPort}`;
    const monitor = await (await fetch(`${base}/commands/monitor`)).json();
    expect(monitor).toMatchObject({ command: 'monitor', error: null, znode_count: 6 });
    const ruok = await (await fetch(`${base}/commands/ruok`)).json();
    expect(ruok).toEqual({ command: 'ruok', error: null });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/zoo_znodes 6/);
    expect(metrics).toMatch(/zoo_request_latency_seconds_bucket\{le="[0-9.]+",op="create"\}/);
    expect(metrics).toMatch(/# TYPE zoo_received_bytes_total counter\nzoo_received_bytes_total [1-9]\d*\n/);
    expect(metrics).toMatch(/zoo_sessions 1\n/);
    expect(metrics).toMatch(/zoo_requests_total\{op="create",result="0"\} 1\n/);
    expect(metrics).toMatch(/zoo_requests_total\{op="create",result="-110"\} 1\n/);
    expect(metrics).toMatch(/zoo_requests_total\{op="getData",result="0"\} 2\n/);
    // a second scrape reports the same totals (not doubled)
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/zoo_requests_total\{op="getData",result="0"\} 2\n/);
    expect(metrics).toMatch(/zoo_outstanding_requests 0\n/);
    expect((await fetch(`${base}/commands/nope`)).status).toBe(404);
  });

  it('answers admin commands in ZooKeeper AdminServer’s JSON shapes, whatever the 4lw whitelist', async () => {
    const s = await server({ adminPort: 0 }); // default whitelist: srvr only
    const c = await client(s.port);
    await c.send({ op: OpCode.create, path: '/a', data: null, acl, flags: 1 });
    await c.send({ op: OpCode.exists, path: '/a', watch: true });
    const sid = String(c.session!.sessionId);
    const get = async (name: string) => (await fetch(`http://127.0.0.1:${s.adminPort}/commands/${name}`)).json();
    const list = (await get('')) as { commands: string[] };
    expect(list.commands).toEqual(expect.arrayContaining(['/commands/monitor', '/commands/server_stats', '/commands/watches']));
    expect(await get('srvr')).toMatchObject({ command: 'server_stats', error: null, read_only: false, node_count: 6, server_stats: { server_state: 'standalone', num_alive_client_connections: 1 } });
    const stats = (await get('stats')) as { connections: Array<Record<string, unknown>> };
    expect(stats.connections).toEqual([expect.objectContaining({ remote_socket_address: `127.0.0.1:${c.socket.localPort}`, packets_received: 3 })]);
    const cons = (await get('connections')) as { connections: Array<Record<string, unknown>>; secure_connections: unknown[] };
    expect(cons.connections[0]).toMatchObject({ session_id: `0x${c.session!.sessionId.toString(16)}`, last_operation: 'EXIS', session_timeout: 10000 });
    expect(cons.secure_connections).toEqual([]);
    expect(await get('wchs')).toMatchObject({ command: 'watch_summary', num_connections: 1, num_paths: 1, num_total_watches: 1 });
    expect(await get('watches')).toMatchObject({ session_id_to_watched_paths: { [sid]: ['/a'] } });
    expect(await get('watches_by_path')).toMatchObject({ path_to_session_ids: { '/a': [sid] } });
    expect(await get('dump')).toMatchObject({ session_id_to_ephemeral_paths: { [sid]: ['/a'] } });
    expect(await get('gtmk')).toEqual({ command: 'get_trace_mask', error: null, tracemask: 306 });
    expect(await get('conf')).toMatchObject({ command: 'configuration', clientPort: s.port, secureClientPort: -1 });
    expect(await get('env')).toMatchObject({ command: 'environment', 'os.name': process.platform });
    expect(await get('isro')).toEqual({ command: 'is_read_only', error: null, read_only: false });
    expect(await get('zabstate')).toEqual({ command: 'zabstate', error: null, voting: false, zabstate: '' });
    expect(await get('nope')).toEqual({ command: 'nope', error: 'Unknown command: nope' });
  });
});

describe('containers and TTL nodes', () => {
  it('reaps an emptied container and an expired TTL node on the configured interval, notifying watchers', async () => {
    const s = await server({ containerCheckIntervalMs: 20 });
    const c = await client(s.port);
    expect((await c.send({ op: OpCode.createContainer, path: '/box', data: null, acl, flags: 4 })).header.err).toBe(0);
    await c.send({ op: OpCode.create, path: '/box/item', data: null, acl, flags: 0 });
    await c.send({ op: OpCode.createTTL, path: '/ttl', data: null, acl, flags: 5, ttl: 50n });
    await c.send({ op: OpCode.exists, path: '/box', watch: true });
    await c.send({ op: OpCode.exists, path: '/ttl', watch: true });
    await c.send({ op: OpCode.delete, path: '/box/item', version: -1 });
    await until(() => c.events.length === 2, 5000, 'both nodes reaped');
    expect(c.events.map((e) => `${EventType[e.type]} ${e.path}`).sort()).toEqual(['NodeDeleted /box', 'NodeDeleted /ttl']);
    expect(await s.exists('/box')).toBeNull();
    expect(await s.exists('/ttl')).toBeNull();
  });

  it('refuses TTL nodes when extended types are off, keeping the connection', async () => {
    const s = await server({ extendedTypesEnabled: false });
    const c = await client(s.port);
    const r = await c.send({ op: OpCode.createTTL, path: '/ttl', data: null, acl, flags: 5, ttl: 1000n });
    expect(r.header.err).toBe(ZooErrorCode.UNIMPLEMENTED);
    expect((await c.send({ op: OpCode.exists, path: '/', watch: false })).header.err).toBe(0);
  });
});

describe('close', () => {
  it('closes with clients still connected, sending what was already answered', async () => {
    const s = await ZooServer.start({ port: 0 });
    const a = await RawClient.open(s.port);
    const b = await RawClient.open(s.port);
    await a.send({ op: OpCode.create, path: '/c', data: null, acl, flags: 0 });
    await s.close();
    await Promise.all([a.closed, b.closed]);
    expect(s.connectionCount).toBe(0);
  });
});

describe('lifecycle errors', () => {
  it('rejects start on a port in use, and the in-process API after close', async () => {
    const s = await server();
    await expect(ZooServer.start({ port: s.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const t = await ZooServer.start({ port: 0 });
    await t.close();
    await expect(t.create('/late')).rejects.toSatisfy((e: unknown) => e instanceof ZooError && e.code === ZooErrorCode.CONNECTIONLOSS);
    await expect(t.exists('/')).rejects.toSatisfy((e: unknown) => e instanceof ZooError && e.code === ZooErrorCode.CONNECTIONLOSS);
  });
});

describe('durability', () => {
  it('keeps data and sessions across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoo-server-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await ZooServer.start({ port: 0, dataDir: dir });
    const c = await RawClient.open(first.port, { timeOut: 30000 });
    await c.send({ op: OpCode.create, path: '/kept', data: Buffer.from('v'), acl, flags: 0 });
    await c.send({ op: OpCode.create, path: '/eph', data: null, acl, flags: 1 });
    const { sessionId, passwd } = c.session!;
    await c.close();
    await first.close();

    const second = await server({ dataDir: dir });
    expect((await second.getData('/kept')).data?.toString()).toBe('v');
    expect(await second.exists('/eph')).not.toBeNull();
    const resumed = await client(second.port, { sessionId, passwd });
    expect(resumed.session!.sessionId).toBe(sessionId);
    const z = await resumed.send({ op: OpCode.create, path: '/next', data: null, acl, flags: 0 });
    expect(z.header.zxid).toBeGreaterThan(3n);
  });
});
