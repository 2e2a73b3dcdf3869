import { describe, expect, it } from 'vitest';
import { generateDigest } from '../acl/digest.js';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { ZooErrorCode } from '../errors.js';
import { AddWatchMode, CreateMode, EventType, OpCode, Perms, WatcherType } from '../protocol/opcodes.js';
import type { GetDataResponse, MultiResponse, Stat } from '../protocol/records.js';
import { engineKit } from './test-kit.js';

describe('fresh tree', () => {
  it('has the reserved nodes with ZooKeeper’s stats', () => {
    const { connect, stat, children, ok } = engineKit();
    const c = connect();
    expect(children(c, '/')).toEqual(['zookeeper']);
    expect(children(c, '/zookeeper')).toEqual(['config', 'quota']);
    expect(stat(c, '/')!.cversion).toBe(-1);
    expect(stat(c, '/zookeeper')!.cversion).toBe(-2);
    expect(ok(c, { op: OpCode.getAllChildrenNumber, path: '/' })).toEqual({ op: OpCode.getAllChildrenNumber, totalNumber: 3 });
    const acl = ok(c, { op: OpCode.getACL, path: '/zookeeper/config' }) as { acl: unknown };
    expect(acl.acl).toEqual([{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]);
    expect(stat(c, '/zookeeper/config')!.aversion).toBe(-1);
  });

  it('refuses to delete reserved nodes', () => {
    const { connect, run } = engineKit();
    const c = connect();
    for (const path of ['/zookeeper', '/zookeeper/quota', '/zookeeper/config']) {
      expect(run(c, { op: OpCode.delete, path, version: -1 }).err).toBe(ZooErrorCode.BADARGUMENTS);
    }
    expect(run(c, { op: OpCode.delete, path: '/', version: -1 }).err).toBe(ZooErrorCode.BADARGUMENTS);
  });
});

describe('Stat semantics', () => {
  it('tracks czxid/mzxid/pzxid, versions and cversion = creates + deletes', () => {
    const { connect, create, stat, run, clock } = engineKit();
    const c = connect();
    const r = create(c, '/a', 'x');
    expect(r.err).toBe(0);
    const a0 = stat(c, '/a')!;
    expect(a0).toMatchObject({ version: 0, cversion: 0, aversion: 0, numChildren: 0, dataLength: 1, ephemeralOwner: 0n });
    expect(a0.czxid).toBe(r.zxid);
    expect(a0.mzxid).toBe(r.zxid);
    expect(a0.pzxid).toBe(r.zxid);
    expect(a0.ctime).toBe(BigInt(clock.now()));

    const b = create(c, '/a/b');
    let a = stat(c, '/a')!;
    expect(a).toMatchObject({ cversion: 1, numChildren: 1 });
    expect(a.pzxid).toBe(b.zxid);
    expect(a.mzxid).toBe(r.zxid); // children do not touch mzxid

    clock.advance(5);
    const set = run(c, { op: OpCode.setData, path: '/a', data: Buffer.from('yy'), version: 0 });
    expect(set.err).toBe(0);
    a = stat(c, '/a')!;
    expect(a).toMatchObject({ version: 1, dataLength: 2 });
    expect(a.mzxid).toBe(set.zxid);
    expect(a.mtime).toBe(BigInt(clock.now()));
    expect(a.ctime).toBe(a0.ctime);

    const del = run(c, { op: OpCode.delete, path: '/a/b', version: -1 });
    a = stat(c, '/a')!;
    expect(a).toMatchObject({ cversion: 2, numChildren: 0 });
    expect(a.pzxid).toBe(del.zxid);

    const acl = run(c, { op: OpCode.setACL, path: '/a', acl: [...OPEN_ACL_UNSAFE], version: 0 });
    expect(acl.err).toBe(0);
    a = stat(c, '/a')!;
    expect(a.aversion).toBe(1);
    expect(a.mzxid).toBe(set.zxid); // setACL does not touch mzxid
  });

  it('null data reads back as null with dataLength 0; empty data as empty', () => {
    const { connect, create, ok } = engineKit();
    const c = connect();
    create(c, '/n', null);
    create(c, '/e', '');
    const n = ok<GetDataResponse>(c, { op: OpCode.getData, path: '/n', watch: false });
    const e = ok<GetDataResponse>(c, { op: OpCode.getData, path: '/e', watch: false });
    expect(n.data).toBeNull();
    expect(n.stat.dataLength).toBe(0);
    expect(e.data).toEqual(Buffer.alloc(0));
  });

  it('keeps its own copy of written data: the buffer a write came in (a request frame) may change afterwards', () => {
    const { connect, run, ok } = engineKit();
    const c = connect();
    const frame = Buffer.from('xxcreatedxx--changed--');
    run(c, { op: OpCode.create, path: '/a', data: frame.subarray(2, 9), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    run(c, { op: OpCode.multi, ops: [{ op: OpCode.create, path: '/b', data: frame.subarray(2, 9), acl: [...OPEN_ACL_UNSAFE], flags: 0 }] });
    ok(c, { op: OpCode.create, path: '/c', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    ok(c, { op: OpCode.setData, path: '/c', data: frame.subarray(11, 20), version: -1 });
    frame.fill(0x21);
    for (const [path, want] of [['/a', 'created'], ['/b', 'created'], ['/c', '--changed']]) {
      expect(ok<GetDataResponse>(c, { op: OpCode.getData, path, watch: false }).data?.toString()).toBe(want);
    }
  });

  it('sequential suffixes count creates only, while cversion counts creates and deletes', () => {
    const { connect, create, run, stat } = engineKit();
    const c = connect();
    create(c, '/q');
    const p1 = create(c, '/q/item-', '', CreateMode.PERSISTENT_SEQUENTIAL).response as { path: string };
    expect(p1.path).toBe('/q/item-0000000000');
    run(c, { op: OpCode.delete, path: p1.path, version: -1 });
    create(c, '/q/plain');
    const p2 = create(c, '/q/', '', CreateMode.PERSISTENT_SEQUENTIAL).response as { path: string };
    expect(p2.path).toBe('/q/0000000002');
    expect(stat(c, '/q')).toMatchObject({ cversion: 4, numChildren: 2 }); // 2*3 - 2
  });
});

describe('create validation order', () => {
  it('reports the checks in ZooKeeper’s order', () => {
    const { connect, run, create, engine } = engineKit();
    const c = connect();
    const mk = (path: string, flags = 0, extra: object = {}) => run(c, { op: OpCode.create, path, data: null, acl: [...OPEN_ACL_UNSAFE], flags, ...extra });
    expect(mk('/x', 9).err).toBe(ZooErrorCode.BADARGUMENTS);
    expect(mk('/x', CreateMode.PERSISTENT_WITH_TTL).err).toBe(ZooErrorCode.BADARGUMENTS); // TTL mode via plain create: ttl -1
    expect(run(c, { op: OpCode.createTTL, path: '/x', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0, ttl: 100n }).err).toBe(ZooErrorCode.BADARGUMENTS);
    expect(run(c, { op: OpCode.createTTL, path: '/x', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 0n }).err).toBe(ZooErrorCode.BADARGUMENTS);
    expect(mk('/missing/x').err).toBe(ZooErrorCode.NONODE);
    expect(mk('/x', 0, { acl: [] }).err).toBe(ZooErrorCode.INVALIDACL);
    expect(mk('/x/').err).toBe(ZooErrorCode.NONODE); // the parent "/x" is looked up first
    create(c, '/x');
    expect(mk('/x/').err).toBe(ZooErrorCode.BADARGUMENTS);
    expect(mk('/x').err).toBe(ZooErrorCode.NODEEXISTS);
    create(c, '/eph', '', CreateMode.EPHEMERAL);
    expect(mk('/eph/child').err).toBe(ZooErrorCode.NOCHILDRENFOREPHEMERALS);
    // INVALIDACL is checked before the parent exists
    expect(mk('/missing/x', 0, { acl: [] }).err).toBe(ZooErrorCode.INVALIDACL);
    void engine;
  });

  it('a failed write consumes a zxid; reads do not', () => {
    const { connect, run, engine } = engineKit();
    const c = connect();
    const before = engine.lastZxid;
    const r = run(c, { op: OpCode.delete, path: '/nope', version: -1 });
    expect(r.err).toBe(ZooErrorCode.NONODE);
    expect(r.zxid).toBe(before + 1n);
    expect(r.txn).toBeDefined();
    const g = run(c, { op: OpCode.getData, path: '/nope', watch: false });
    expect(g.zxid).toBe(before + 1n);
    expect(g.txn).toBeUndefined();
  });

  it('TTL nodes are refused when extended types are off', () => {
    const { connect, run } = engineKit({ extendedTypesEnabled: false });
    const c = connect();
    const r = run(c, { op: OpCode.createTTL, path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 100n });
    expect(r.err).toBe(ZooErrorCode.UNIMPLEMENTED);
  });
});

describe('ACLs', () => {
  it('NOAUTH wins over BADVERSION and NONODE of the node (parent ACL checked first)', () => {
    const { connect, create, run } = engineKit();
    const owner = connect();
    run(owner, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('alice:pw') });
    const aliceOnly = [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('alice:pw') } }];
    create(owner, '/locked', 'x', 0, aliceOnly);
    create(owner, '/locked/child', 'x', 0, OPEN_ACL_UNSAFE);
    const other = connect();
    expect(run(other, { op: OpCode.setData, path: '/locked', data: null, version: 99 }).err).toBe(ZooErrorCode.NOAUTH);
    expect(run(other, { op: OpCode.delete, path: '/locked/missing', version: -1 }).err).toBe(ZooErrorCode.NOAUTH);
    expect(run(other, { op: OpCode.getData, path: '/locked', watch: false }).err).toBe(ZooErrorCode.NOAUTH);
    expect(run(other, { op: OpCode.setData, path: '/locked', data: null, version: -1 }).err).toBe(ZooErrorCode.NOAUTH);
    expect(run(owner, { op: OpCode.setData, path: '/locked', data: null, version: 99 }).err).toBe(ZooErrorCode.BADVERSION);
  });

  it('auth ACL entries become the caller’s identities; super sees and does everything', () => {
    const { connect, run, ok } = engineKit({ superDigest: generateDigest('super:admin') });
    const c = connect();
    expect(run(c, { op: OpCode.create, path: '/mine', data: null, acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }], flags: 0 }).err).toBe(ZooErrorCode.INVALIDACL);
    run(c, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') });
    expect(run(c, { op: OpCode.create, path: '/mine', data: null, acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }], flags: 0 }).err).toBe(0);
    const acl = ok(c, { op: OpCode.getACL, path: '/mine' }) as { acl: Array<{ id: { id: string } }> };
    expect(acl.acl[0].id).toEqual({ scheme: 'digest', id: generateDigest('bob:pw') });

    const root = connect();
    run(root, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('super:admin') });
    expect(run(root, { op: OpCode.getData, path: '/mine', watch: false }).err).toBe(0);
    const who = ok(root, { op: OpCode.whoAmI }) as { clientInfo: unknown };
    expect(who.clientInfo).toEqual([
      { authScheme: 'ip', user: '127.0.0.1' },
      { authScheme: 'digest', user: 'super' },
      { authScheme: 'super', user: '' },
    ]);
  });

  it('getACL without ADMIN masks digest hashes', () => {
    const { connect, run, create, ok } = engineKit();
    const c = connect();
    const hash = generateDigest('carol:pw');
    create(c, '/r', '', 0, [
      { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
      { perms: Perms.ALL, id: { scheme: 'digest', id: hash } },
    ]);
    const masked = ok(c, { op: OpCode.getACL, path: '/r' }) as { acl: Array<{ id: { id: string } }> };
    expect(masked.acl[1].id.id).toBe('carol:x');
    run(c, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('carol:pw') });
    const full = ok(c, { op: OpCode.getACL, path: '/r' }) as { acl: Array<{ id: { id: string } }> };
    expect(full.acl[1].id.id).toBe(hash);
  });

  it('an unknown auth scheme fails the connection', () => {
    const { connect, run } = engineKit();
    const r = run(connect(), { op: OpCode.auth, type: 0, scheme: 'kerberos', auth: Buffer.alloc(0) });
    expect(r.err).toBe(ZooErrorCode.AUTHFAILED);
    expect(r.close).toBe(true);
  });
});

describe('sessions', () => {
  it('negotiates the timeout within [min, max]', () => {
    const { engine } = engineKit({ tickTime: 2000 });
    const connect = (timeOut: number) => engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId: 0n, passwd: Buffer.alloc(16) }).response.timeOut;
    expect(connect(100)).toBe(4000);
    expect(connect(10_000)).toBe(10_000);
    expect(connect(1_000_000)).toBe(40_000);
  });

  it('resumes with the right password, refuses a wrong one, and mirrors the readOnly byte', () => {
    const { engine } = engineKit();
    const first = engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16) });
    expect(first.valid).toBe(true);
    expect(first.txn?.body.type).toBe(OpCode.createSession);
    expect(first.response.readOnly).toBeUndefined();
    const { sessionId, passwd } = first.response;
    const again = engine.connect({ protocolVersion: 0, lastZxidSeen: 1n, timeOut: 10_000, sessionId, passwd, readOnly: false });
    expect(again).toMatchObject({ valid: true, response: { sessionId, readOnly: false } });
    expect(again.txn).toBeUndefined();
    const wrong = engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId, passwd: Buffer.alloc(16, 1) });
    expect(wrong).toMatchObject({ valid: false, response: { timeOut: 0, sessionId: 0n } });
    const unknown = engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 12345n, passwd });
    expect(unknown.valid).toBe(false);
  });

  it('refuses a client that has seen a newer zxid', () => {
    const { engine } = engineKit();
    const r = engine.connect({ protocolVersion: 0, lastZxidSeen: 1000n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16) });
    expect(r.refuse).toBe(true);
  });

  it('expiry removes ephemerals and fires their watches; touch keeps a session alive', () => {
    const { connect, create, run, engine, clock, stat } = engineKit();
    const alive = connect(4000);
    const dying = connect(4000);
    create(dying, '/e', 'x', CreateMode.EPHEMERAL);
    expect(stat(alive, '/e')!.ephemeralOwner).toBe(dying.sessionId);
    run(alive, { op: OpCode.exists, path: '/e', watch: true });
    for (let i = 0; i < 4; i++) {
      clock.advance(1500);
      engine.touch(alive.sessionId);
      if (i < 1) expect(engine.expireSessions()).toEqual([]);
    }
    const results = engine.expireSessions().concat(engine.expireSessions());
    expect(results).toHaveLength(1);
    expect(results[0].txn?.body.type).toBe(OpCode.closeSession);
    expect(results[0].notifications).toEqual([{ watcher: alive.watcher, zxid: results[0].zxid, event: { type: EventType.NodeDeleted, state: 3, path: '/e' } }]);
    expect(stat(alive, '/e')).toBeNull();
    expect(run(dying, { op: OpCode.getData, path: '/', watch: false }).err).toBe(ZooErrorCode.SESSIONEXPIRED);
    expect(engine.sessions.get(alive.sessionId)).toBeDefined();
  });

  it('closeSession deletes the ephemerals and asks to close the connection', () => {
    const { connect, create, run, stat, ok } = engineKit();
    const c = connect();
    const other = connect();
    create(c, '/eph-a', '', CreateMode.EPHEMERAL);
    create(c, '/eph-b', '', CreateMode.EPHEMERAL_SEQUENTIAL);
    expect((ok(c, { op: OpCode.getEphemerals, prefixPath: '/eph-a' }) as { ephemerals: string[] }).ephemerals).toEqual(['/eph-a']);
    expect((ok(c, { op: OpCode.getEphemerals, prefixPath: '/' }) as { ephemerals: string[] }).ephemerals).toHaveLength(2);
    const r = run(c, { op: OpCode.closeSession });
    expect(r.close).toBe(true);
    expect(stat(other, '/eph-a')).toBeNull();
    expect(stat(other, '/eph-b0000000001')).toBeNull();
  });
});

describe('containers and TTL nodes', () => {
  it('reaps a container once its last child goes, not before it ever had one', () => {
    const { connect, run, create, engine, stat } = engineKit();
    const c = connect();
    expect(run(c, { op: OpCode.createContainer, path: '/box', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.CONTAINER }).err).toBe(0);
    expect(stat(c, '/box')!.ephemeralOwner).toBe(0n);
    expect(engine.reapContainers()).toEqual([]);
    create(c, '/box/item');
    expect(engine.reapContainers()).toEqual([]);
    run(c, { op: OpCode.exists, path: '/box', watch: true });
    run(c, { op: OpCode.delete, path: '/box/item', version: -1 });
    const reaped = engine.reapContainers();
    expect(reaped).toHaveLength(1);
    expect(reaped[0].notifications.map((n) => n.event.type)).toEqual([EventType.NodeDeleted]);
    expect(stat(c, '/box')).toBeNull();
  });

  it('reaps a childless TTL node idle past its TTL; setData refreshes it', () => {
    const { connect, run, engine, clock, stat } = engineKit();
    const c = connect();
    run(c, { op: OpCode.createTTL, path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 1000n });
    expect(stat(c, '/t')!.ephemeralOwner).toBe(0n);
    clock.advance(900);
    run(c, { op: OpCode.setData, path: '/t', data: null, version: -1 });
    clock.advance(900);
    expect(engine.reapContainers()).toEqual([]);
    clock.advance(200);
    expect(engine.reapContainers()).toHaveLength(1);
    expect(stat(c, '/t')).toBeNull();
  });
});

describe('watches', () => {
  const types = (r: { notifications: Array<{ event: { type: number; path: string } }> }) => r.notifications.map((n) => `${EventType[n.event.type]} ${n.event.path}`);

  it('fires exactly the reference events for each write, one-shot', () => {
    const { connect, run, create } = engineKit();
    const w = connect();
    const c = connect();
    run(w, { op: OpCode.exists, path: '/a', watch: true });
    run(w, { op: OpCode.getChildren, path: '/', watch: true });
    expect(types(create(c, '/a'))).toEqual(['NodeCreated /a', 'NodeChildrenChanged /']);
    expect(types(create(c, '/b'))).toEqual([]); // both consumed
    run(w, { op: OpCode.getData, path: '/a', watch: true });
    run(w, { op: OpCode.getChildren, path: '/a', watch: true });
    expect(types(run(c, { op: OpCode.setData, path: '/a', data: null, version: -1 }))).toEqual(['NodeDataChanged /a']);
    run(w, { op: OpCode.getData, path: '/a', watch: true });
    // data + child watch on the deleted node: one NodeDeleted per connection
    expect(types(run(c, { op: OpCode.delete, path: '/a', version: -1 }))).toEqual(['NodeDeleted /a']);
    // setACL fires nothing
    run(w, { op: OpCode.getData, path: '/b', watch: true });
    expect(types(run(c, { op: OpCode.setACL, path: '/b', acl: [...OPEN_ACL_UNSAFE], version: -1 }))).toEqual([]);
  });

  it('exists on a missing node leaves a watch; getData on a missing node does not', () => {
    const { connect, run, create } = engineKit();
    const w = connect();
    const c = connect();
    expect(run(w, { op: OpCode.exists, path: '/x', watch: true }).err).toBe(ZooErrorCode.NONODE);
    expect(run(w, { op: OpCode.getData, path: '/y', watch: true }).err).toBe(ZooErrorCode.NONODE);
    expect(types(create(c, '/x'))).toEqual(['NodeCreated /x']);
    expect(types(create(c, '/y'))).toEqual([]);
  });

  it('persistent watches stay; recursive ones see the subtree but never NodeChildrenChanged', () => {
    const { connect, run, create } = engineKit();
    const p = connect();
    const r = connect();
    const c = connect();
    create(c, '/app');
    run(p, { op: OpCode.addWatch, path: '/app', mode: AddWatchMode.PERSISTENT });
    run(r, { op: OpCode.addWatch, path: '/app', mode: AddWatchMode.PERSISTENT_RECURSIVE });
    const who = (res: { notifications: Array<{ watcher: { id: number }; event: { type: number; path: string } }> }) =>
      res.notifications.map((n) => `${n.watcher === p.watcher ? 'P' : 'R'}:${EventType[n.event.type]} ${n.event.path}`).sort();
    expect(who(create(c, '/app/x'))).toEqual(['P:NodeChildrenChanged /app', 'R:NodeCreated /app/x']);
    expect(who(create(c, '/app/x/y'))).toEqual(['R:NodeCreated /app/x/y']);
    expect(who(run(c, { op: OpCode.setData, path: '/app', data: null, version: -1 }))).toEqual(['P:NodeDataChanged /app', 'R:NodeDataChanged /app']);
    expect(who(run(c, { op: OpCode.setData, path: '/app', data: null, version: -1 }))).toHaveLength(2);
    expect(run(p, { op: OpCode.checkWatches, path: '/app', type: WatcherType.Persistent }).err).toBe(0);
    expect(run(p, { op: OpCode.removeWatches, path: '/app', type: WatcherType.Persistent }).err).toBe(0);
    expect(run(p, { op: OpCode.removeWatches, path: '/app', type: WatcherType.Any }).err).toBe(ZooErrorCode.NOWATCHER);
    expect(who(run(c, { op: OpCode.setData, path: '/app', data: null, version: -1 }))).toEqual(['R:NodeDataChanged /app']);
    expect(run(p, { op: OpCode.addWatch, path: '/app', mode: 7 }).err).toBe(ZooErrorCode.MARSHALLINGERROR);
  });

  it('does not deliver events about nodes the watcher may not READ', () => {
    const { connect, run, create } = engineKit();
    const w = connect();
    const c = connect();
    run(c, { op: OpCode.auth, type: 0, scheme: 'digest', auth: Buffer.from('dave:pw') });
    create(c, '/secret', '', 0, [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('dave:pw') } }]);
    run(w, { op: OpCode.addWatch, path: '/', mode: AddWatchMode.PERSISTENT_RECURSIVE });
    expect(types(run(c, { op: OpCode.setData, path: '/secret', data: null, version: -1 }))).toEqual([]);
    expect(types(create(c, '/public'))).toEqual(['NodeCreated /public']);
  });

  it('setWatches re-registers, and fires what changed since relativeZxid', () => {
    const { connect, run, create, engine } = engineKit();
    const c = connect();
    create(c, '/same');
    create(c, '/changed');
    const seen = engine.lastZxid;
    run(c, { op: OpCode.setData, path: '/changed', data: null, version: -1 });
    create(c, '/born');
    const w = connect();
    const r = run(w, {
      op: OpCode.setWatches2,
      relativeZxid: seen,
      dataWatches: ['/same', '/changed', '/gone'],
      existWatches: ['/born', '/unborn'],
      childWatches: ['/same'],
      persistentWatches: [],
      persistentRecursiveWatches: ['/rec'],
    });
    expect(types(r)).toEqual(['NodeDataChanged /changed', 'NodeDeleted /gone', 'NodeCreated /born']);
    expect(r.notifications.every((n) => n.zxid === -1n)).toBe(true);
    expect(types(run(c, { op: OpCode.setData, path: '/same', data: null, version: -1 }))).toEqual(['NodeDataChanged /same']);
    expect(types(create(c, '/unborn'))).toEqual(['NodeCreated /unborn']);
    expect(types(create(c, '/rec'))).toEqual(['NodeCreated /rec']);
    expect(types(create(c, '/same/kid'))).toEqual(['NodeChildrenChanged /same']);
  });

  it('a closed connection’s watches are gone', () => {
    const { connect, run, create, engine } = engineKit();
    const w = connect();
    const c = connect();
    run(w, { op: OpCode.exists, path: '/z', watch: true });
    engine.removeWatcher(w.watcher);
    expect(types(create(c, '/z'))).toEqual([]);
    expect(engine.stats().watchCount).toBe(0);
  });
});

describe('multi', () => {
  it('is all-or-nothing with ZooKeeper’s per-op results', () => {
    const { connect, run, stat, engine } = engineKit();
    const c = connect();
    const before = engine.lastZxid;
    const r = run(c, {
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/m', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 },
        { op: OpCode.setData, path: '/m', data: null, version: 5 },
        { op: OpCode.delete, path: '/m', version: -1 },
      ],
    });
    expect(r.err).toBe(0);
    expect((r.response as MultiResponse).results).toEqual([
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: ZooErrorCode.BADVERSION },
      { type: OpCode.error, err: ZooErrorCode.RUNTIMEINCONSISTENCY },
    ]);
    expect(r.zxid).toBe(before + 1n);
    expect(r.notifications).toEqual([]);
    expect(stat(c, '/m')).toBeNull();
  });

  it('later ops see earlier ones; all share one zxid; events fire per op', () => {
    const { connect, run, stat } = engineKit();
    const c = connect();
    const w = connect();
    run(w, { op: OpCode.exists, path: '/p', watch: true });
    const r = run(c, {
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/p', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 },
        { op: OpCode.create2, path: '/p/s-', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_SEQUENTIAL },
        { op: OpCode.create, path: '/p/s-', data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_SEQUENTIAL },
        { op: OpCode.check, path: '/p', version: 0 },
        { op: OpCode.setData, path: '/p', data: Buffer.from('v'), version: 0 },
      ],
    });
    const results = (r.response as MultiResponse).results;
    // ZooKeeper 3.8 answers create2 inside a multi with a plain create result
    expect(results.map((x) => x.type)).toEqual([OpCode.create, OpCode.create, OpCode.create, OpCode.check, OpCode.setData]);
    expect(results[1]).toMatchObject({ path: '/p/s-0000000000' });
    expect(results[2]).toMatchObject({ path: '/p/s-0000000001' });
    const p = stat(c, '/p') as Stat;
    expect(p.czxid).toBe(r.zxid);
    expect(p.mzxid).toBe(r.zxid);
    expect(p.version).toBe(1);
    expect(r.notifications.map((n) => EventType[n.event.type])).toEqual(['NodeCreated']);
  });

  it('rejects read ops in a write multi as MARSHALLINGERROR, and multiRead evaluates each op alone', () => {
    const { connect, run, create } = engineKit();
    const c = connect();
    expect(run(c, { op: OpCode.multi, ops: [{ op: OpCode.getData, path: '/', watch: false }] }).err).toBe(ZooErrorCode.MARSHALLINGERROR);
    create(c, '/r', 'data');
    const r = run(c, { op: OpCode.multiRead, ops: [{ op: OpCode.getData, path: '/r', watch: false }, { op: OpCode.getData, path: '/nope', watch: false }, { op: OpCode.getChildren, path: '/r', watch: false }] });
    const results = (r.response as MultiResponse).results;
    expect(results[0]).toMatchObject({ type: OpCode.getData, data: Buffer.from('data') });
    expect(results[1]).toEqual({ type: OpCode.error, err: ZooErrorCode.NONODE });
    expect(results[2]).toEqual({ type: OpCode.getChildren, err: 0, children: [] });
  });

  it('an empty multi succeeds with no results', () => {
    const { connect, run } = engineKit();
    const r = run(connect(), { op: OpCode.multi, ops: [] });
    expect(r.err).toBe(0);
    expect((r.response as MultiResponse).results).toEqual([]);
  });
});

describe('other ops', () => {
  it('standalone check and reconfig', () => {
    const { connect, run } = engineKit();
    const c = connect();
    expect(run(c, { op: OpCode.check, path: '/', version: -1 })).toMatchObject({ err: ZooErrorCode.UNIMPLEMENTED, close: true });
    expect(run(c, { op: OpCode.reconfig, joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n }).err).toBe(ZooErrorCode.RECONFIGDISABLED);
  });

  it('sync echoes the path; ping answers with the last zxid', () => {
    const { connect, run, engine } = engineKit();
    const c = connect();
    expect(run(c, { op: OpCode.sync, path: '/whatever' }).response).toEqual({ op: OpCode.sync, path: '/whatever' });
    expect(run(c, { op: OpCode.ping })).toMatchObject({ err: 0, zxid: engine.lastZxid });
  });

  it('getAllChildrenNumber counts all descendants', () => {
    const { connect, create, ok } = engineKit();
    const c = connect();
    create(c, '/t');
    create(c, '/t/a');
    create(c, '/t/a/b');
    create(c, '/t/c');
    expect(ok(c, { op: OpCode.getAllChildrenNumber, path: '/t' })).toMatchObject({ totalNumber: 3 });
  });

  it('deleteContainer deletes empty non-ephemeral nodes only', () => {
    const { connect, create, run } = engineKit();
    const c = connect();
    create(c, '/e', '', CreateMode.EPHEMERAL);
    expect(run(c, { op: OpCode.deleteContainer, path: '/e' }).err).toBe(ZooErrorCode.BADVERSION);
    create(c, '/f');
    create(c, '/f/g');
    expect(run(c, { op: OpCode.deleteContainer, path: '/f' }).err).toBe(ZooErrorCode.NOTEMPTY);
    expect(run(c, { op: OpCode.deleteContainer, path: '/f/g' }).err).toBe(0);
  });
});
