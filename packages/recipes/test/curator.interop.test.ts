import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooServer } from '@zoo/server';
import { curatorSideBySide, requireCurator, runJava, runJavaToEnd, until } from '@zoo/zookeeper';
import { GroupMember, PersistentNode, TreeCache, type TreeCacheEvent } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/CuratorRecipes.java', import.meta.url));
const enabled = requireCurator('Curator recipes interop');

/** A running fixture whose stdout lines are collected. */
function java(classes: string, args: string[]): { child: ChildProcess; lines: () => string[]; stop(): Promise<void> } {
  const child = runJava(classes, 'CuratorRecipes', args);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', () => {});
  return {
    child,
    lines: () => out.split('\n').filter(Boolean),
    async stop() {
      child.stdin!.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * Curator 5.4 (Debian's libcurator-recipes-java) on the other side: its CuratorCache sees what
 * Zoo writes (PersistentNode included), Zoo's TreeCache sees what Curator writes, and Java and
 * Node GroupMembers share one group — on a real ZooKeeper and on ZooServer.
 */
describe.runIf(enabled)('Curator recipes interop', () => {
  const curator = curatorSideBySide(() => ZooServer.start({ port: 0 }), [fixture]);
  beforeAll(curator.start, 90_000);
  afterAll(curator.stop);

  for (const { name: target, tag, connectionString: connection } of curator.targets) {

    it(`Curator's CuratorCache sees Zoo's writes and PersistentNode (${target})`, async () => {
      const root = `/interop-cache-${tag}`;
      const session = new ZooSession(connection());
      await session.start();
      const client = session.client;
      await client.create(root, 'r');
      const cache = java(curator.classes(), ['cache', connection(), root]);
      try {
        await until(() => cache.lines().includes('INITIALIZED'), 20_000, 'the Curator cache to start');
        await client.create(`${root}/a`, 'a0');
        await client.create(`${root}/a/b`, 'b0');
        await client.setData(`${root}/a`, 'a1');
        const member = new PersistentNode(session, `${root}/eph`, { data: 'kept' });
        await member.start();
        await member.waitForInitialCreate();
        // Curator reports what it reads: the create and the change may reach it as one CREATED a1
        const sawA1 = () => cache.lines().some((l) => l === `CHANGED ${root}/a a1` || l === `CREATED ${root}/a a1`);
        await until(() => sawA1() && cache.lines().includes(`CREATED ${root}/eph kept`), 10_000, 'Curator to see the writes');
        await client.delete(`${root}/a/b`);
        await member.close();
        await until(() => cache.lines().includes(`DELETED ${root}/a/b`) && cache.lines().includes(`DELETED ${root}/eph`), 10_000, 'Curator to see the deletes');
        expect(cache.lines()).toContain(`CREATED ${root}/a/b b0`);
        expect(cache.lines()).toContain(`CREATED ${root} r`);
      } catch (err) {
        throw new Error(`${(err as Error).message}; Curator printed:\n${cache.lines().join('\n')}`);
      } finally {
        await cache.stop();
        await session.close();
      }
    }, 60_000);

    it(`Zoo's TreeCache sees Curator's writes (${target})`, async () => {
      const root = `/interop-tree-${tag}`;
      const session = new ZooSession(connection());
      await session.start();
      const cache = new TreeCache(session, root);
      const events: TreeCacheEvent[] = [];
      cache.on('added', (e) => events.push(e));
      cache.on('changed', (e) => events.push(e));
      try {
        await cache.start();
        expect((await runJavaToEnd(curator.classes(), 'CuratorRecipes', ['write', connection(), root])).trim()).toBe('DONE');
        await until(() => cache.get(`${root}/j1`)?.data?.toString() === 'j1-1' && cache.get(`${root}/j1/deep`) !== undefined && cache.get(`${root}/j2`) === undefined, 10_000, 'the cache to catch up');
        expect(cache.get(`${root}/j1/deep`)?.data?.toString()).toBe('d');
        expect([...cache.children(root).keys()]).toEqual(['j1']);
        expect(events.some((e) => e.type !== 'initialized' && e.path === `${root}/j1`)).toBe(true);
      } finally {
        await cache.close();
        await session.close();
      }
    }, 60_000);

    it(`Java and Node GroupMembers see one group (${target})`, async () => {
      const group = `/interop-group-${tag}`;
      const jv = java(curator.classes(), ['group', connection(), group, 'java', 'jp']);
      const sessions = [new ZooSession(connection()), new ZooSession(connection())];
      try {
        const members = await Promise.all(
          sessions.map(async (s, i) => {
            await s.start();
            const m = new GroupMember(s, group, `node-${i}`, `np${i}`);
            await m.join();
            return m;
          }),
        );
        const all = 'MEMBERS java=jp,node-0=np0,node-1=np1,';
        await until(() => jv.lines().includes(all), 20_000, 'Curator to see every member');
        for (const m of members) await until(() => m.members().get('java')?.toString() === 'jp' && m.members().size === 3, 10_000, 'Zoo to see the Java member');
        await members[1].leave();
        await until(() => jv.lines().at(-1) === 'MEMBERS java=jp,node-0=np0,', 10_000, 'Curator to see node-1 leave');
        const left = new Promise<{ id: string }>((r) => members[0].once('left', r));
        await jv.stop();
        expect((await left).id).toBe('java');
        expect([...members[0].members().keys()]).toEqual(['node-0']);
        await members[0].leave();
      } finally {
        await jv.stop();
        for (const s of sessions) await s.close();
      }
    }, 60_000);
  }
});
