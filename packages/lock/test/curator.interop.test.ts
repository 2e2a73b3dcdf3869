import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooErrorCode, ZooError } from '@zoo/core';
import { ZooServer } from '@zoo/server';
import { compileJava, curatorAvailable, requireZooKeeper, runJava, runJavaToEnd, sideBySide, until } from '@zoo/zookeeper';
import { LeaderLatch, Mutex } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/CuratorLocks.java', import.meta.url));
const enabled = requireZooKeeper('Curator lock interop') && (curatorAvailable() || process.env.CI === 'true');

/**
 * Java InterProcessMutex holders (Debian's libcurator-recipes-java) and Zoo holders contend
 * on one lock path, and a Curator LeaderLatch and Zoo latches share one election — on a real
 * ZooKeeper and on ZooServer.
 */
describe.runIf(enabled)('Curator lock interop', () => {
  let classes: string;
  const servers = sideBySide(() => ZooServer.start({ port: 0 }));
  beforeAll(async () => {
    if (!curatorAvailable()) throw new Error('Curator jars missing (apt-get install libcurator-recipes-java)');
    classes = compileJava([fixture]);
    await servers.start();
  }, 90_000);
  afterAll(servers.stop);

  for (const target of ['Apache ZooKeeper', 'ZooServer'] as const) {
    const connection = () => (target === 'ZooServer' ? servers.other().connectionString : servers.zk().connectionString);

    it(`Java InterProcessMutex and Zoo's Mutex never hold at once (${target})`, async () => {
      const java = runJavaToEnd(classes, 'CuratorLocks', ['mutex', connection(), '/interop/lock', '/interop/inside', '15']);
      let violations = 0;
      const zooHolders = [0, 1].map(async () => {
        const session = new ZooSession(connection());
        await session.start();
        const mutex = new Mutex(session, '/interop/lock');
        for (let i = 0; i < 15; i++) {
          await mutex.withLock(async () => {
            try {
              await session.client.create('/interop/inside', null, { mode: 'ephemeral' });
            } catch (err) {
              if (err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS) violations++;
              else throw err;
            }
            await new Promise((r) => setTimeout(r, 5));
            await session.client.delete('/interop/inside').catch(() => violations++);
          });
        }
        await session.close();
      });
      const [javaOut] = await Promise.all([java, ...zooHolders]);
      expect(javaOut.trim()).toBe('DONE 0');
      expect(violations).toBe(0);
    }, 90_000);

    it(`a Curator LeaderLatch and Zoo latches agree on one leader (${target})`, async () => {
      const path = `/interop/latch-${target === 'ZooServer' ? 'zoo' : 'zk'}`;
      const java = runJava(classes, 'CuratorLocks', ['latch', connection(), path, 'java']);
      let javaLeads = false;
      let out = '';
      java.stdout!.on('data', (d) => {
        out += d;
        javaLeads = out.trim().split('\n').filter((l) => l === 'LEADER' || l === 'FOLLOWER').at(-1) === 'LEADER';
      });
      await until(() => out.includes('STARTED'), 20_000, 'Curator to start');
      const sessions = [new ZooSession(connection()), new ZooSession(connection())];
      const latches = await Promise.all(
        sessions.map(async (s, i) => {
          await s.start();
          const latch = new LeaderLatch(s, path, `zoo-${i}`);
          await latch.start();
          return latch;
        }),
      );
      const leaders = () => latches.filter((l) => l.isLeader).length + (javaLeads ? 1 : 0);
      await until(() => leaders() === 1, 10_000, 'one leader');
      await new Promise((r) => setTimeout(r, 300));
      expect(leaders()).toBe(1);
      // the leader leaves: exactly one other takes over
      const zooLeader = latches.find((l) => l.isLeader);
      if (zooLeader) await zooLeader.close();
      else {
        java.stdin!.end();
        await new Promise((r) => java.once('exit', r));
        javaLeads = false;
      }
      await until(() => leaders() === 1, 10_000, 'the next leader');
      for (const l of latches) await l.close();
      for (const s of sessions) await s.close();
      java.stdin!.end();
      if (java.exitCode === null) await new Promise((r) => java.once('exit', r));
    }, 60_000);
  }
});
