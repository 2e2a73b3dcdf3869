import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooErrorCode, ZooError } from '@zoo/core';
import { ZooServer } from '@zoo/server';
import { curatorSideBySide, requireCurator, runJava, runJavaToEnd, until } from '@zoo/zookeeper';
import { LeaderLatch, Mutex } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/CuratorLocks.java', import.meta.url));
const enabled = requireCurator('Curator lock interop');

/**
 * Java InterProcessMutex holders (Debian's libcurator-recipes-java) and Zoo holders contend
 * on one lock path, and a Curator LeaderLatch and Zoo latches share one election — on a real
 * ZooKeeper and on ZooServer.
 */
describe.runIf(enabled)('Curator lock interop', () => {
  const curator = curatorSideBySide(() => ZooServer.start({ port: 0 }), [fixture]);
  beforeAll(curator.start, 90_000);
  afterAll(curator.stop);

  for (const { name: target, connectionString: connection } of curator.targets) {

    it(`Java InterProcessMutex and Zoo's Mutex never hold at once (${target})`, async () => {
      const java = runJavaToEnd(curator.classes(), 'CuratorLocks', ['mutex', connection(), '/interop/lock', '/interop/inside', '15']);
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
      const java = runJava(curator.classes(), 'CuratorLocks', ['latch', connection(), path, 'java']);
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
