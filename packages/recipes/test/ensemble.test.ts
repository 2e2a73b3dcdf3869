import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { requireZooKeeper, startZooKeeper, until, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { GroupMember, TreeCache } from '../src/index.js';

/**
 * The recipes that hold state (a cache, a group) on a real 3-node ensemble whose leader is
 * killed: the cache ends equal to the tree, the group keeps every member.
 */
describe.runIf(requireZooKeeper('recipes on a 3-node ensemble'))('recipes on a 3-node Apache ZooKeeper ensemble losing its leader', () => {
  let zk: ZooKeeperEnsemble;
  beforeAll(async () => {
    zk = await startZooKeeper({ nodes: 3, tickTime: 500 });
  }, 90_000);
  afterAll(async () => zk?.stop());

  it('TreeCache and GroupMember carry on through a leader failover', async () => {
    const sessions = await Promise.all([0, 1, 2].map(async () => {
      const s = new ZooSession(zk.connectionString, { sessionTimeout: 8000 });
      await s.start();
      return s;
    }));
    const [writerSession, cacheSession, memberSession] = sessions;
    const writer = writerSession.client;
    await writer.mkdirp('/ensemble-cache/a', 'a0');
    const cache = new TreeCache(cacheSession, '/ensemble-cache');
    await cache.start();
    const members = await Promise.all(['m1', 'm2'].map(async (id, i) => {
      const m = new GroupMember(i === 0 ? memberSession : cacheSession, '/ensemble-group', id, id);
      await m.join();
      return m;
    }));
    await until(() => members.every((m) => m.members().size === 2), 10_000, 'both members');

    await (await zk.leader()).kill();
    // writes after the failover (retried while the ensemble elects)
    const write = async (fn: () => Promise<unknown>) => {
      for (;;) {
        try {
          return await fn();
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    await write(() => writer.setData('/ensemble-cache/a', 'a1'));
    await write(() => writer.create('/ensemble-cache/b', 'b0'));
    await until(() => cache.get('/ensemble-cache/a')?.data?.toString() === 'a1' && cache.get('/ensemble-cache/b') !== undefined, 30_000, 'the cache after the failover');
    expect([...cache.children('/ensemble-cache').keys()]).toEqual(['a', 'b']);
    await until(() => members.every((m) => m.members().size === 2), 30_000, 'both members after the failover');
    const probe = new ZooSession(zk.connectionString);
    await probe.start();
    expect((await write(() => probe.client.getChildren('/ensemble-group')) as { children: string[] }).children.sort()).toEqual(['m1', 'm2']);
    await probe.close();
    for (const m of members) await m.leave();
    await cache.close();
    for (const s of sessions) await s.close();
  }, 120_000);
});
