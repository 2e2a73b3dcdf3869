import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import {
  CreateMode,
  EventType,
  ExponentialBackoffRetry,
  KeeperState,
  Perms,
  retry,
  TransactionError,
  WatcherType,
  ZooClient,
  ZooError,
  ZooErrorCode,
  type WatchedEvent,
} from '../src/index.js';
import { TcpProxy } from './tcp-proxy.js';

/** What the suite runs against: something that serves the ZooKeeper protocol on loopback. */
export interface Target {
  start(): Promise<{ connectionString: string; port: number; stop(): Promise<void> }>;
}

const code = (err: unknown) => (err instanceof ZooError ? err.codeName : String(err));


/** The client suite, run once per target (ZooServer, Apache ZooKeeper). */
export function clientSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`ZooClient against ${name}`, () => {
    let server: Awaited<ReturnType<Target['start']>>;
    const clients: ZooClient[] = [];
    const proxies: TcpProxy[] = [];
    let n = 0;
    let base = '';

    beforeAll(async () => {
      server = await target.start();
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.close();
      for (const p of proxies.splice(0)) await p.close();
    });

    const open = async (options: ConstructorParameters<typeof ZooClient>[1] = {}, connection = server.connectionString) => {
      const c = await ZooClient.connect(connection, { sessionTimeout: 10_000, ...options });
      clients.push(c);
      return c;
    };
    const fresh = async () => {
      const c = await open();
      base = `/suite-${process.pid}-${n++}`;
      await c.create(base);
      return c;
    };

    it('connects, negotiates a session and closes', async () => {
      const c = await open({ sessionTimeout: 6000 });
      expect(c.state).toBe('connected');
      expect(c.sessionId).not.toBe(0n);
      expect(c.sessionTimeout).toBe(6000);
      await c.close();
      expect(c.state).toBe('closed');
      await expect(c.getData('/')).rejects.toSatisfy((e: ZooError) => e.code === ZooErrorCode.CONNECTIONLOSS);
    });

    it('create / getData / setData / exists / getChildren / delete with Stats', async () => {
      const c = await fresh();
      const { path, stat } = await c.create(`${base}/a`, 'hello');
      expect(path).toBe(`${base}/a`);
      expect(stat).toMatchObject({ version: 0, dataLength: 5, numChildren: 0 });
      const got = await c.getData(`${base}/a`);
      expect(got.data?.toString()).toBe('hello');
      expect(got.stat.czxid).toBe(stat.czxid);
      expect((await c.setData(`${base}/a`, 'bye', 0)).version).toBe(1);
      await expect(c.setData(`${base}/a`, 'x', 0)).rejects.toMatchObject({ code: ZooErrorCode.BADVERSION, path: `${base}/a` });
      expect(await c.exists(`${base}/nope`)).toBeNull();
      expect((await c.exists(`${base}/a`))?.version).toBe(1);
      const kids = await c.getChildren(base);
      expect(kids.children).toEqual(['a']);
      expect(kids.stat.numChildren).toBe(1);
      await c.delete(`${base}/a`, 1);
      await expect(c.getData(`${base}/a`)).rejects.toSatisfy((e: ZooError) => e instanceof ZooError && e.code === ZooErrorCode.NONODE && e.path === `${base}/a` && e.op === 'getData');
    });

    it('creates every kind of node', async () => {
      const c = await fresh();
      expect((await c.create(`${base}/s-`, null, { mode: 'persistentSequential' })).path).toBe(`${base}/s-0000000000`);
      expect((await c.create(`${base}/s-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).path).toBe(`${base}/s-0000000001`);
      const e = await c.create(`${base}/e`, null, { mode: 'ephemeral' });
      expect(e.stat.ephemeralOwner).toBe(c.sessionId);
      expect((await c.create(`${base}/box`, null, { mode: 'container' })).stat.ephemeralOwner).toBe(0n);
      expect((await c.create(`${base}/ttl`, null, { mode: 'persistentWithTTL', ttl: 60_000 })).path).toBe(`${base}/ttl`);
      expect(await c.getEphemerals(base)).toEqual(expect.arrayContaining([`${base}/e`, `${base}/s-0000000001`]));
      await expect(c.create('bad path')).rejects.toMatchObject({ code: ZooErrorCode.BADARGUMENTS });
    });

    it('one-shot watches fire once, with Java semantics', async () => {
      const c = await fresh();
      const other = await open();
      const events: WatchedEvent[] = [];
      const w = (e: WatchedEvent) => events.push(e);
      expect(await c.exists(`${base}/x`, { watch: w })).toBeNull();
      await other.create(`${base}/x`, 'v');
      await until(() => events.length === 1);
      expect(events[0]).toEqual({ type: EventType.NodeCreated, state: KeeperState.SyncConnected, path: `${base}/x` });
      // the same listener twice on one path is one watch
      await c.getData(`${base}/x`, { watch: w });
      await c.getData(`${base}/x`, { watch: w });
      await c.getChildren(base, { watch: w });
      await other.setData(`${base}/x`, 'v2');
      await other.setData(`${base}/x`, 'v3');
      await other.delete(`${base}/x`);
      await until(() => events.length === 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(events.map((e) => EventType[e.type])).toEqual(['NodeCreated', 'NodeDataChanged', 'NodeChildrenChanged']);
    });

    it('persistent and recursive watches, removeWatches and checkWatches', async () => {
      const c = await fresh();
      const other = await open();
      const seen: string[] = [];
      await c.addWatch(base, (e) => seen.push(`R ${EventType[e.type]} ${e.path}`), 'persistentRecursive');
      await other.create(`${base}/a`);
      await other.create(`${base}/a/b`);
      await other.setData(`${base}/a/b`, 'x');
      await until(() => seen.length === 3);
      expect(seen).toEqual([`R NodeCreated ${base}/a`, `R NodeCreated ${base}/a/b`, `R NodeDataChanged ${base}/a/b`]);
      await c.checkWatches(base, WatcherType.PersistentRecursive);
      await c.removeWatches(base, WatcherType.PersistentRecursive);
      await expect(c.checkWatches(base, WatcherType.Any)).rejects.toMatchObject({ code: ZooErrorCode.NOWATCHER });
      await other.setData(`${base}/a/b`, 'y');
      await c.sync(base);
      expect(seen).toHaveLength(3);
    });

    it('watch() iterates a persistent watch until closed', async () => {
      const c = await fresh();
      const other = await open();
      const stream = c.watch(base, { recursive: true });
      const got: string[] = [];
      const reading = (async () => {
        for await (const e of stream) {
          got.push(`${EventType[e.type]} ${e.path}`);
          if (got.length === 2) break;
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      await other.create(`${base}/w`);
      await other.delete(`${base}/w`);
      await reading;
      expect(got).toEqual([`NodeCreated ${base}/w`, `NodeDeleted ${base}/w`]);
    });

    it('transactions are all-or-nothing and report the failing op', async () => {
      const c = await fresh();
      const ok = await c.transaction().create(`${base}/t`, 'x').create(`${base}/t/s-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }).setData(`${base}/t`, 'y').check(`${base}/t`, 1).commit();
      expect(ok.map((r) => r.type)).toEqual(['create', 'create', 'setData', 'check']);
      expect(ok[1]).toMatchObject({ path: `${base}/t/s-0000000000` });
      const failing = c.transaction().create(`${base}/t2`).delete(`${base}/missing`).setData(`${base}/t`, 'z');
      const err = await failing.commit().catch((e) => e);
      expect(err).toBeInstanceOf(TransactionError);
      expect(err).toBeInstanceOf(ZooError);
      expect(err).toMatchObject({ code: ZooErrorCode.NONODE, opIndex: 1 });
      expect(err.message).toContain(`op #1 (delete ${base}/missing)`);
      expect(await c.exists(`${base}/t2`)).toBeNull();
      expect(await c.transaction().commit()).toEqual([]);
    });

    it('multiRead, getAllChildrenNumber, whoAmI, ACLs and addAuth', async () => {
      const c = await fresh();
      await c.create(`${base}/r`, 'data');
      const results = await c.multiRead([{ op: 'getData', path: `${base}/r` }, { op: 'getChildren', path: `${base}/none` }, { op: 'getChildren', path: base }]);
      expect((results[0] as { data: Buffer }).data.toString()).toBe('data');
      expect(results[1]).toMatchObject({ code: ZooErrorCode.NONODE });
      expect(results[2]).toEqual({ children: ['r'] });
      expect(await c.getAllChildrenNumber(base)).toBe(1);
      await c.addAuth('digest', 'carol:pw');
      expect((await c.whoAmI()).map((i) => i.authScheme).sort()).toEqual(['digest', 'ip']);
      await c.create(`${base}/mine`, 's', { acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] });
      const other = await open();
      await expect(other.getData(`${base}/mine`)).rejects.toMatchObject({ code: ZooErrorCode.NOAUTH });
      const { acl } = await c.getACL(`${base}/mine`);
      expect(acl[0].id.id).toMatch(/^carol:/);
      expect((await c.setACL(`${base}/mine`, [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }])).aversion).toBe(1);
      expect((await other.getData(`${base}/mine`)).data?.toString()).toBe('s');
    });

    it('mkdirp and deleteRecursive', async () => {
      const c = await fresh();
      await c.mkdirp(`${base}/deep/er/still`, 'leaf');
      await c.mkdirp(`${base}/deep/er`);
      expect((await c.getData(`${base}/deep/er/still`)).data?.toString()).toBe('leaf');
      await c.create(`${base}/deep/sibling`);
      await c.deleteRecursive(`${base}/deep`);
      expect(await c.exists(`${base}/deep`)).toBeNull();
      await c.deleteRecursive(`${base}/deep`); // already gone: fine
    });

    it('a chroot scopes every path, both ways', async () => {
      const c = await fresh();
      const rooted = await open({}, `${server.connectionString}${base}`);
      const { path } = await rooted.create('/inside', 'x', { mode: 'persistentSequential' });
      expect(path).toBe('/inside0000000000');
      expect((await c.getChildren(base)).children).toEqual(['inside0000000000']);
      const events: WatchedEvent[] = [];
      await rooted.getData(path, { watch: (e) => events.push(e) });
      await c.setData(`${base}${path}`, 'y');
      await until(() => events.length === 1);
      expect(events[0].path).toBe(path);
      expect(await rooted.sync('/')).toBe('/');
    });

    it('pipelines many requests and matches replies in order', async () => {
      const c = await fresh();
      const creates = Array.from({ length: 200 }, (_, i) => c.create(`${base}/p${i}`, String(i)));
      await Promise.all(creates);
      const reads = await Promise.all(Array.from({ length: 200 }, (_, i) => c.getData(`${base}/p${i}`)));
      expect(reads.map((r) => r.data?.toString())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    });

    it('connection loss fails pending requests with CONNECTIONLOSS; the session, ephemerals and watches survive the reconnect', async () => {
      const proxy = await TcpProxy.start(server.port);
      proxies.push(proxy);
      const setup = await fresh();
      const c = await open({ sessionTimeout: 10_000 }, `127.0.0.1:${proxy.port}`);
      const sessionId = c.sessionId;
      await c.create(`${base}/eph`, null, { mode: 'ephemeral' });
      const events: WatchedEvent[] = [];
      await c.getData(`${base}/eph`, { watch: (e) => events.push(e) });
      const states: string[] = [];
      c.on('state', (s: string) => states.push(s));
      const inFlight = c.getChildren(base);
      proxy.drop();
      const err = await inFlight.catch((e) => e);
      if (err instanceof Error) expect(code(err)).toBe('CONNECTIONLOSS'); // (the reply may have won the race)
      await setup.setData(`${base}/eph`, 'changed while away');
      await until(() => c.state === 'connected');
      expect(c.sessionId).toBe(sessionId);
      expect(states).toEqual(['disconnected', 'connected']);
      await until(() => events.length === 1);
      expect(events[0]).toMatchObject({ type: EventType.NodeDataChanged, path: `${base}/eph` });
      expect((await setup.exists(`${base}/eph`))?.ephemeralOwner).toBe(sessionId);
    });

    it('a partition longer than the session timeout ends in expired: requests fail with SESSIONEXPIRED, watchers get Expired', async () => {
      const proxy = await TcpProxy.start(server.port);
      proxies.push(proxy);
      const setup = await fresh();
      const c = await open({ sessionTimeout: 4000 }, `127.0.0.1:${proxy.port}`);
      await c.create(`${base}/gone`, null, { mode: 'ephemeral' });
      const events: WatchedEvent[] = [];
      await c.exists(`${base}/other`, { watch: (e) => events.push(e) });
      proxy.blackhole();
      await until(() => c.state === 'expired', 20_000, 'expired');
      expect(events).toEqual([{ type: EventType.None, state: KeeperState.Expired, path: null }]);
      await expect(c.getData('/')).rejects.toMatchObject({ code: ZooErrorCode.SESSIONEXPIRED });
      // the server expired it too: its ephemeral is gone
      await until(async () => (await setup.exists(`${base}/gone`)) === null, 20_000, 'ephemeral removal');
    }, 40_000);

    it('a session ended on the server side is reported as expired at the next reconnect', async () => {
      const proxy = await TcpProxy.start(server.port);
      proxies.push(proxy);
      const setup = await fresh();
      const a = await open({ sessionTimeout: 10_000 }, `127.0.0.1:${proxy.port}`);
      await a.create(`${base}/eph-a`, null, { mode: 'ephemeral' });
      const events: WatchedEvent[] = [];
      await a.getData(`${base}/eph-a`, { watch: (e) => events.push(e) });
      // while a is cut off, another client takes the session over and ends it
      proxy.blackhole();
      proxy.drop();
      const b = new ZooClient(server.connectionString, { session: { id: a.sessionId, password: a.sessionPassword } });
      await b.connect();
      expect(b.sessionId).toBe(a.sessionId);
      await b.close();
      proxy.heal();
      await until(() => a.state === 'expired', 15_000, 'expired');
      expect(events.at(-1)).toEqual({ type: EventType.None, state: KeeperState.Expired, path: null });
      await expect(a.exists('/')).rejects.toMatchObject({ code: ZooErrorCode.SESSIONEXPIRED });
      expect(await setup.exists(`${base}/eph-a`)).toBeNull();
      // a wrong password is refused the same way
      const wrong = new ZooClient(server.connectionString, { session: { id: setup.sessionId, password: Buffer.alloc(16, 1) }, connectTimeout: 3000 });
      await expect(wrong.connect()).rejects.toMatchObject({ code: ZooErrorCode.SESSIONEXPIRED });
      expect(wrong.state).toBe('expired');
      await wrong.close();
    }, 30_000);

    it('retry() retries connection loss by policy and gives up on other errors', async () => {
      let calls = 0;
      const value = await retry(async () => {
        if (++calls < 3) throw new ZooError(ZooErrorCode.CONNECTIONLOSS);
        return 'ok';
      }, new ExponentialBackoffRetry(1, 5));
      expect([value, calls]).toEqual(['ok', 3]);
      calls = 0;
      await expect(retry(async () => {
        calls++;
        throw new ZooError(ZooErrorCode.NONODE);
      })).rejects.toMatchObject({ code: ZooErrorCode.NONODE });
      expect(calls).toBe(1);
    });
  });
}
