import { describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooClient, ZooSession } from '@zoo/client';
import { ZooError, ZooErrorCode } from '@zoo/core';
import { GroupMember, NodeCache, PathChildrenCache, PersistentNode, PersistentTtlNode, TreeCache, type GroupEvent, type TreeCacheEvent } from '../src/index.js';
import { useSuiteFixture, type Target } from './suite-fixture.js';

export type { Target } from './suite-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every event a cache emits, as `type path` lines (data appended for added/changed). */
function record(cache: TreeCache | PathChildrenCache): string[] {
  const log: string[] = [];
  for (const type of ['added', 'changed', 'removed', 'initialized'] as const) {
    cache.on(type, (e: TreeCacheEvent) => {
      if (e.type === 'initialized') log.push('initialized');
      else if (e.type === 'removed') log.push(`removed ${e.path}`);
      else log.push(`${e.type} ${e.path} ${e.node.data?.toString() ?? ''}`);
    });
  }
  return log;
}

/** The subtree as the server has it: path → data. */
async function serverTree(client: ZooClient, path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (p: string) => {
    try {
      const { data } = await client.getData(p);
      out.set(p, data?.toString() ?? '');
      for (const c of (await client.getChildren(p)).children) await walk(`${p}/${c}`);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
    }
  };
  await walk(path);
  return out;
}

function cacheTree(cache: TreeCache): Map<string, string> {
  return new Map([...cache.entries()].map((n) => [n.path, n.data?.toString() ?? '']));
}

export function recipesSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`recipes against ${name}`, () => {
    const { server: serverOf, session, proxied, track, base, sessions } = useSuiteFixture(target, 'recipes');

    for (const watchMode of ['persistent', 'oneShot'] as const) {
      describe(`TreeCache (${watchMode} watches)`, () => {
        it('loads the subtree, then follows creates, changes and deletes with one event each', async () => {
          const root = base();
          const writer = (await session()).client;
          await writer.mkdirp(`${root}/a/b`, 'b0');
          await writer.create(`${root}/c`, 'c0');
          const cache = track(new TreeCache(await session(), root, { watchMode }));
          const log = record(cache);
          const stream = cache.events();
          await cache.start();
          expect(cache.watchMode).toBe(watchMode);
          expect(log.slice(-1)).toEqual(['initialized']);
          expect(new Set(log)).toEqual(new Set([`added ${root} `, `added ${root}/a `, `added ${root}/a/b b0`, `added ${root}/c c0`, 'initialized']));
          expect([...cache.children(root).keys()]).toEqual(['a', 'c']);
          expect(cache.get(`${root}/a/b`)?.stat.version).toBe(0);
          log.length = 0;
          await writer.create(`${root}/a/b/d`, 'd0');
          await writer.setData(`${root}/c`, 'c1');
          // (a node that lives shorter than a read may never show: only final states are promised)
          await until(() => cache.get(`${root}/a/b/d`) !== undefined, 5000, 'the deeper node');
          await writer.delete(`${root}/a/b/d`);
          await writer.create(`${root}/e`, 'e0');
          await until(() => cache.get(`${root}/e`) !== undefined, 5000, 'the new node');
          await until(() => log.includes(`removed ${root}/a/b/d`), 5000, 'the delete');
          expect(log).toContain(`changed ${root}/c c1`);
          expect(log.filter((l) => l.startsWith(`changed ${root}/c`))).toHaveLength(1);
          expect(cache.get(`${root}/a/b/d`)).toBeUndefined();
          expect(cacheTree(cache)).toEqual(await serverTree(writer, root));
          // the iterator saw the same, in order
          const seen: TreeCacheEvent[] = [];
          for await (const e of stream) {
            seen.push(e);
            if (e.type === 'added' && e.path === `${root}/e`) break;
          }
          expect(seen.filter((e) => e.type === 'initialized')).toHaveLength(1);
          expect(seen.findIndex((e) => e.type === 'changed' && e.path === `${root}/c`)).toBeGreaterThan(seen.findIndex((e) => e.type === 'initialized'));
          // a subtree deleted at once goes deepest first
          log.length = 0;
          await writer.deleteRecursive(`${root}/a`);
          await until(() => cache.get(`${root}/a`) === undefined, 5000, 'the subtree to go');
          expect(log).toEqual([`removed ${root}/a/b`, `removed ${root}/a`]);
        });

        it('waits for a root that does not exist yet, and empties when it goes', async () => {
          const root = base();
          const writer = (await session()).client;
          const cache = track(new TreeCache(await session(), root, { watchMode }));
          const log = record(cache);
          await cache.start();
          expect(cache.size).toBe(0);
          await writer.mkdirp(`${root}/x`, 'x0');
          await until(() => cache.get(`${root}/x`)?.data?.toString() === 'x0', 5000, 'the root and its child');
          await writer.deleteRecursive(root);
          await until(() => cache.size === 0, 5000, 'the cache to empty');
          expect(log.filter((l) => l.startsWith('removed'))).toEqual([`removed ${root}/x`, `removed ${root}`]);
          await writer.create(root, 'again');
          await until(() => cache.get(root)?.data?.toString() === 'again', 5000, 'the root to come back');
        });

        it('maxDepth and the selector bound what is cached', async () => {
          const root = base();
          const writer = (await session()).client;
          await writer.mkdirp(`${root}/keep/deep/deeper`);
          await writer.mkdirp(`${root}/skip/inner`);
          await writer.mkdirp(`${root}/shallow/hidden`);
          const cache = track(
            new TreeCache(await session(), root, {
              watchMode,
              maxDepth: 2,
              selector: { acceptChild: (p) => !p.endsWith('/skip'), traverseChildren: (p) => !p.endsWith('/shallow') },
            }),
          );
          await cache.start();
          expect([...cache.entries()].map((e) => e.path).sort()).toEqual([root, `${root}/keep`, `${root}/keep/deep`, `${root}/shallow`]);
          await writer.create(`${root}/keep/deep/deeper/x`);
          await writer.create(`${root}/skip/inner/x`);
          await writer.create(`${root}/shallow/hidden2`);
          await writer.create(`${root}/keep/new`);
          await until(() => cache.get(`${root}/keep/new`) !== undefined, 5000, 'the in-scope node');
          expect(cache.size).toBe(5);
          expect(() => new TreeCache(sessions[0], root, { maxDepth: -1 })).toThrow(RangeError);
        });

        it('after a lost connection re-syncs: every change made meanwhile shows once, unchanged nodes stay quiet', async () => {
          const root = base();
          const writer = (await session()).client;
          for (const c of ['same', 'edit', 'gone']) await writer.mkdirp(`${root}/${c}`, `${c}0`);
          await writer.create(`${root}/gone/child`, 'g');
          const { proxy, session: s } = await proxied(8000);
          const cache = track(new TreeCache(s, root, { watchMode }));
          const log = record(cache);
          await cache.start();
          log.length = 0;
          const reconnected = new Promise((r) => s.once('reconnected', r));
          proxy.blackhole();
          proxy.drop();
          await until(() => s.client.state === 'disconnected', 5000, 'the cache client to notice');
          await writer.setData(`${root}/edit`, 'edit1');
          await writer.deleteRecursive(`${root}/gone`);
          await writer.mkdirp(`${root}/new/leaf`, 'leaf0');
          await writer.setData(`${root}/edit`, 'edit2'); // two changes, one final state
          proxy.heal();
          await reconnected;
          await until(() => cache.get(`${root}/new/leaf`) !== undefined && cache.get(`${root}/gone`) === undefined, 8000, 'the re-sync');
          await sleep(200); // let any straggling duplicate arrive
          expect(cacheTree(cache)).toEqual(await serverTree(writer, root));
          expect(log.filter((l) => l.includes(`${root}/same`))).toEqual([]);
          expect(log.filter((l) => l.includes(`${root}/edit`))).toEqual([`changed ${root}/edit edit2`]);
          expect(log.filter((l) => l.startsWith('removed')).sort()).toEqual([`removed ${root}/gone`, `removed ${root}/gone/child`]);
          expect(log.filter((l) => l.startsWith('added')).sort()).toEqual([`added ${root}/new `, `added ${root}/new/leaf leaf0`]);
          expect(log).not.toContain('initialized');
          // and it keeps following live changes on the same session
          await writer.setData(`${root}/same`, 'same1');
          await until(() => cache.get(`${root}/same`)?.data?.toString() === 'same1', 5000, 'a live change after the re-sync');
        }, 30_000);

        it('after session expiry rebuilds on the new session (ephemerals of the old one removed)', async () => {
          const root = base();
          const writer = (await session()).client;
          await writer.mkdirp(`${root}/keep`, 'k0');
          const { proxy, session: s } = await proxied(3000);
          await s.client.create(`${root}/mine`, 'eph', { mode: 'ephemeral' });
          const cache = track(new TreeCache(s, root, { watchMode }));
          const log = record(cache);
          await cache.start();
          expect(cache.get(`${root}/mine`)).toBeDefined();
          log.length = 0;
          const renewed = new Promise((r) => s.once('session', r));
          proxy.blackhole();
          await sleep(1000);
          await writer.setData(`${root}/keep`, 'k1');
          await writer.create(`${root}/added`, 'a0');
          await sleep(4000); // past the session timeout: the session expires
          proxy.heal();
          await renewed;
          await until(() => cache.get(`${root}/mine`) === undefined && cache.get(`${root}/added`) !== undefined, 8000, 'the rebuild');
          expect(cacheTree(cache)).toEqual(await serverTree(writer, root));
          expect(log.sort()).toEqual([`added ${root}/added a0`, `changed ${root}/keep k1`, `removed ${root}/mine`]);
          await writer.create(`${root}/later`, 'l');
          await until(() => cache.get(`${root}/later`) !== undefined, 5000, 'live events on the new session');
        }, 30_000);
      });
    }

    it('TreeCache falls back to one-shot watches when the server has no addWatch (UNIMPLEMENTED)', async () => {
      const root = base();
      const writer = (await session()).client;
      await writer.mkdirp(`${root}/a`, 'a0');
      const real = await ZooClient.connect(serverOf().connectionString);
      // a server from before ZooKeeper 3.6 answers addWatch with UNIMPLEMENTED
      const old = new Proxy(real, {
        get(target, key) {
          if (key === 'addWatch') return () => Promise.reject(new ZooError(ZooErrorCode.UNIMPLEMENTED, 'UNIMPLEMENTED: addWatch'));
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const s = ZooSession.from(old, serverOf().connectionString);
      sessions.push(s);
      const cache = track(new TreeCache(s, root));
      await cache.start();
      expect(cache.watchMode).toBe('oneShot');
      await writer.setData(`${root}/a`, 'a1');
      await writer.create(`${root}/b`, 'b0');
      await until(() => cache.get(`${root}/a`)?.data?.toString() === 'a1' && cache.get(`${root}/b`) !== undefined, 5000, 'one-shot events');
      await expect(new TreeCache(s, root, { watchMode: 'persistent' }).start()).rejects.toMatchObject({ code: ZooErrorCode.UNIMPLEMENTED });
    });

    it('two caches of one path on one session: closing one leaves the other watching', async () => {
      const root = base();
      const writer = (await session()).client;
      await writer.mkdirp(root);
      const s = await session();
      const first = new TreeCache(s, root);
      const second = track(new TreeCache(s, root));
      await first.start();
      await second.start();
      await first.close();
      await writer.create(`${root}/after`, 'a');
      await until(() => second.get(`${root}/after`) !== undefined, 5000, 'the remaining cache to see the change');
      expect(first.size).toBe(0);
    });

    it('NodeCache follows one node; PathChildrenCache one level, without the parent', async () => {
      const root = base();
      const writer = (await session()).client;
      const s = await session();
      const node = track(new NodeCache(s, `${root}/cfg`));
      const changes: Array<string | undefined> = [];
      node.on('changed', (d) => changes.push(d?.data?.toString()));
      await node.start();
      expect(node.current).toBeUndefined();
      await writer.mkdirp(`${root}/cfg`, 'v1');
      await until(() => node.current?.data?.toString() === 'v1', 5000, 'the node');
      await writer.create(`${root}/cfg/child`, 'ignored');
      await writer.setData(`${root}/cfg`, 'v2');
      await until(() => node.current?.data?.toString() === 'v2', 5000, 'the change');
      await writer.deleteRecursive(`${root}/cfg`);
      await until(() => node.current === undefined, 5000, 'the delete');
      expect(changes).toEqual(['v1', 'v2', undefined]);

      await writer.mkdirp(`${root}/kids/one`, '1');
      await writer.mkdirp(`${root}/kids/two/grandchild`, 'g');
      const kids = track(new PathChildrenCache(s, `${root}/kids`));
      const log = record(kids);
      await kids.start();
      expect(kids.current().map((c) => c.path)).toEqual([`${root}/kids/one`, `${root}/kids/two`]);
      expect(new Set(log)).toEqual(new Set([`added ${root}/kids/one 1`, `added ${root}/kids/two `, 'initialized']));
      await writer.setData(`${root}/kids`, 'parent changes are not child events');
      await writer.delete(`${root}/kids/one`);
      await until(() => kids.get('one') === undefined, 5000, 'the removal');
      expect(log.slice(-1)).toEqual([`removed ${root}/kids/one`]);
    });

    describe('PersistentNode', () => {
      it('keeps an ephemeral node: re-created with its data after a delete and after session expiry; close deletes it', async () => {
        const path = `${base()}/member`;
        const observer = (await session()).client;
        const { proxy, session: s } = await proxied(3000);
        const node = track(new PersistentNode(s, path, { data: 'payload' }));
        await node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 5000 })).toBe(true);
        expect(node.actualPath).toBe(path);
        const first = await observer.exists(path);
        expect(first?.ephemeralOwner).toBe(s.client.sessionId);
        await observer.delete(path);
        await until(async () => (await observer.exists(path)) !== null, 5000, 're-creation after a delete');
        const renewed = new Promise((r) => s.once('session', r));
        proxy.blackhole();
        await until(async () => (await observer.exists(path)) === null, 10_000, 'the session to expire');
        proxy.heal();
        await renewed;
        await until(async () => (await observer.exists(path))?.ephemeralOwner === s.client.sessionId, 10_000, 'the node on the new session');
        expect((await observer.getData(path)).data?.toString()).toBe('payload');
        await node.setData('changed');
        expect((await observer.getData(path)).data?.toString()).toBe('changed');
        await node.close();
        expect(await observer.exists(path)).toBeNull();
      }, 30_000);

      it('a node deleted while we are disconnected is back after the reconnect, on the same session', async () => {
        const path = `${base()}/kept`;
        const observer = (await session()).client;
        const { proxy, session: s } = await proxied(8000);
        const node = track(new PersistentNode(s, path, { data: 'd' }));
        await node.start();
        await node.waitForInitialCreate();
        const sessionId = s.client.sessionId;
        proxy.blackhole();
        proxy.drop();
        await until(() => s.client.state === 'disconnected', 5000, 'the disconnect');
        await observer.delete(path); // as an operator might; the session itself is alive
        const reconnected = new Promise((r) => s.once('reconnected', r));
        proxy.heal();
        await reconnected;
        await until(async () => (await observer.exists(path))?.ephemeralOwner === sessionId, 5000, 'the node back on the same session');
        expect((await observer.getData(path)).data?.toString()).toBe('d');
      }, 30_000);

      it('protected sequential: Curator naming, and the same name when re-created', async () => {
        const parent = base();
        const observer = (await session()).client;
        const node = track(new PersistentNode(await session(), `${parent}/worker-`, { mode: 'ephemeralSequential', useProtection: true, data: 'w' }));
        await node.start();
        await node.waitForInitialCreate();
        const path = node.actualPath!;
        expect(path).toMatch(new RegExp(`^${parent}/_c_[0-9a-f-]{36}-worker-\\d{10}$`));
        await observer.delete(path);
        await until(async () => (await observer.exists(path)) !== null, 5000, 're-creation');
        expect((await observer.getChildren(parent)).children).toHaveLength(1);
        expect(node.actualPath).toBe(path);
      });

      it('a node found existing is taken over with our data; bad options are refused', async () => {
        const path = `${base()}/taken`;
        const observer = (await session()).client;
        await observer.mkdirp(path, 'old');
        const node = track(new PersistentNode(await session(), path, { mode: 'persistent', data: 'new' }));
        await node.start();
        await node.waitForInitialCreate();
        expect((await observer.getData(path)).data?.toString()).toBe('new');
        expect(() => new PersistentNode(sessions[0], '/x', { mode: 'persistentWithTTL' })).toThrow(/positive ttl/);
        expect(() => new PersistentNode(sessions[0], 'no-slash')).toThrow();
      });

      it('PersistentTtlNode: a container with a TTL child touched while it runs, gone after the TTL once closed', async () => {
        const path = `${base()}/ttl`;
        const observer = (await session()).client;
        const node = new PersistentTtlNode(await session(), path, 400, { data: 'ttl-data' });
        await node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 5000 })).toBe(true);
        await until(async () => (await observer.exists(`${path}/touch`)) !== null, 5000, 'the touch child');
        expect((await observer.getData(path)).data?.toString()).toBe('ttl-data');
        const before = (await observer.exists(`${path}/touch`))!.mtime;
        await sleep(1500); // several TTLs: touched meanwhile, so still there
        const touched = await observer.exists(`${path}/touch`);
        expect(touched).not.toBeNull();
        expect(touched!.mtime).toBeGreaterThan(before);
        await node.close();
        await until(async () => (await observer.exists(path)) === null, 15_000, 'the TTL child to expire and the container to be reaped');
      }, 30_000);
    });

    describe('GroupMember', () => {
      it('members see each other join, change payload and leave; members() always holds self', async () => {
        const group = base();
        const a = track(new GroupMember(await session(), group, 'a', 'payload-a'));
        const events: GroupEvent[] = [];
        const stream = a.events();
        await a.join();
        expect(a.members()).toEqual(new Map([['a', Buffer.from('payload-a')]]));
        const b = track(new GroupMember(await session(), group, 'b', 'payload-b'));
        await b.join();
        await until(() => a.members().size === 2, 5000, 'b to show');
        expect(b.members().get('a')?.toString()).toBe('payload-a');
        await b.setPayload('payload-b2');
        await until(() => a.members().get('b')?.toString() === 'payload-b2', 5000, 'the payload change');
        await b.leave();
        await until(() => a.members().size === 1, 5000, 'b to leave');
        for await (const e of stream) {
          events.push(e);
          if (e.type === 'left') break;
        }
        expect(events.map((e) => `${e.type} ${e.id}`)).toEqual(['joined a', 'joined b', 'changed b', 'left b']);
        expect(() => new GroupMember(sessions[0], group, 'x/y')).toThrow(/single path segment/);
      });

      it('a member whose session expires is back in the group on its new session', async () => {
        const group = base();
        const watcher = track(new GroupMember(await session(), group, 'watcher'));
        await watcher.join();
        const { proxy, session: s } = await proxied(3000);
        const flaky = track(new GroupMember(s, group, 'flaky', 'f'));
        await flaky.join();
        await until(() => watcher.members().has('flaky'), 5000, 'flaky to join');
        const left = new Promise((r) => watcher.once('left', r));
        proxy.blackhole();
        await left;
        proxy.heal();
        await until(() => watcher.members().get('flaky')?.toString() === 'f', 10_000, 'flaky to come back');
        await until(() => flaky.members().has('watcher'), 10_000, 'flaky to see the group again');
      }, 30_000);
    });
  });
}
