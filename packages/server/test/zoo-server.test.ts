import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeConnectRequest, encodeRequest, EventType, OpCode, OPEN_ACL_UNSAFE, ZooError, ZooErrorCode } from '@zoo/core';
import { ZooServer } from '../src/index.js';
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

async function fourLetter(port: number, word: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.write(word);
  let out = '';
  socket.on('data', (d) => (out += d.toString()));
  await new Promise((r) => socket.on('close', r));
  return out;
}

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
    expect(await fourLetter(s.port, 'ruok')).toBe('imok');
    const srvr = await fourLetter(s.port, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: /);
    expect(srvr).toMatch(/\nMode: standalone\n/);
    expect(srvr).toMatch(/\nNode count: 5\n/);
    expect(await fourLetter(s.port, 'mntr')).toMatch(/zk_znode_count\t5\n/);
    expect(await fourLetter(s.port, 'conf')).toMatch(new RegExp(`clientPort=${s.port}\\n`));
    expect(await fourLetter(s.port, 'wchs')).toBe('1 connections watching 1 paths\nTotal watches:1\n');
    expect(await fourLetter(s.port, 'cons')).toMatch(/sid=0x[0-9a-f]+,lop=exists/);
    expect(await fourLetter(s.port, 'dump')).toBe('dump is not executed because it is not in the whitelist.\n');
  });

  it('serves /commands and Prometheus /metrics on the admin port', async () => {
    const s = await server({ adminPort: 0 });
    const c = await client(s.port);
    await c.send({ op: OpCode.create, path: '/m', data: null, acl, flags: 0 });
    const base = `http://127.0.0.1:${s.adminPort}`;
    const monitor = await (await fetch(`${base}/commands/monitor`)).json();
    expect(monitor).toMatchObject({ command: 'monitor', error: null, znode_count: 6 });
    const ruok = await (await fetch(`${base}/commands/ruok`)).json();
    expect(ruok).toEqual({ command: 'ruok', error: null });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/zoo_znodes 6/);
    expect(metrics).toMatch(/zoo_request_latency_seconds_bucket\{le="[0-9.]+",op="create"\}/);
    expect((await fetch(`${base}/commands/nope`)).status).toBe(404);
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
