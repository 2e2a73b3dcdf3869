import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { requireZooKeeper, startZooKeeper, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { Mutex } from '../src/index.js';

/** Contention on a real 3-node ensemble whose leader is killed mid-run: still never two holders. */
describe.runIf(requireZooKeeper('locks on a 3-node ensemble'))('Mutex on a 3-node Apache ZooKeeper ensemble losing its leader', () => {
  let zk: ZooKeeperEnsemble;
  beforeAll(async () => {
    zk = await startZooKeeper({ nodes: 3, tickTime: 500 });
  }, 90_000);
  afterAll(async () => zk?.stop());

  it('keeps mutual exclusion through a leader failover', async () => {
    const sessions = await Promise.all([0, 1, 2].map(async () => {
      const s = new ZooSession(zk.connectionString, { sessionTimeout: 8000 });
      await s.start();
      return s;
    }));
    const intervals: Array<[number, number]> = [];
    let killed = false;
    const work = sessions.map(async (s) => {
      const mutex = new Mutex(s, '/ensemble-lock');
      for (let i = 0; i < 15; i++) {
        for (;;) {
          try {
            await mutex.withLock(async () => {
              const enter = performance.now();
              await new Promise((r) => setTimeout(r, 5));
              intervals.push([enter, performance.now()]);
            });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100)); // connection trouble during failover: try again
          }
        }
        if (intervals.length >= 10 && !killed) {
          killed = true;
          await (await zk.leader()).kill();
        }
      }
    });
    await Promise.all(work);
    expect(killed).toBe(true);
    expect(intervals).toHaveLength(45);
    const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][1]);
    for (const s of sessions) await s.close();
  }, 120_000);
});
