import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { requireZooKeeper, startZooKeeper, until, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { DistributedBarrier, DistributedQueue, SharedCount, stringSerializer } from '../src/index.js';

/**
 * The coordination recipes that hold state across a failover (a lock-safe queue consumer, a
 * shared count, a barrier waiter) on a real 3-node ensemble whose leader is killed.
 */
describe.runIf(requireZooKeeper('queues/counters/barriers on a 3-node ensemble'))('queues, counters and barriers on a 3-node Apache ZooKeeper ensemble losing its leader', () => {
  let zk: ZooKeeperEnsemble;
  beforeAll(async () => {
    zk = await startZooKeeper({ nodes: 3, tickTime: 500 });
  }, 90_000);
  afterAll(async () => zk?.stop());

  it('a queue consumer, a SharedCount and a barrier waiter carry on through a leader failover', async () => {
    const sessions = await Promise.all(
      [0, 1].map(async () => {
        const s = new ZooSession(zk.connectionString, { sessionTimeout: 8000 });
        await s.start();
        return s;
      }),
    );
    const [mine, other] = sessions;
    const got: string[] = [];
    const consumer = new DistributedQueue(mine, '/ensemble-q', { serializer: stringSerializer, lockPath: '/ensemble-q-lock', consumer: (i) => void got.push(i) });
    await consumer.start();
    const producer = new DistributedQueue(other, '/ensemble-q', { serializer: stringSerializer });
    await producer.start();
    const count = new SharedCount(mine, '/ensemble-count', 0);
    await count.start();
    const writerCount = new SharedCount(other, '/ensemble-count', 0);
    await writerCount.start();
    const barrier = new DistributedBarrier(other, '/ensemble-barrier');
    await barrier.setBarrier();
    const waiting = new DistributedBarrier(mine, '/ensemble-barrier').waitOnBarrier({ timeoutMs: 60_000 });
    await producer.put('before');
    await until(() => got.length === 1, 10_000, 'the first item');

    await (await zk.leader()).kill();
    // writes after the failover, retried while the ensemble elects (a put is retried only when
    // it surely failed: the test checks what was consumed, not how often)
    const write = async (fn: () => Promise<unknown>) => {
      for (;;) {
        try {
          return await fn();
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    await write(() => producer.put('after'));
    await write(() => writerCount.setCount(5));
    await write(() => barrier.removeBarrier());
    await until(() => got.includes('after'), 30_000, 'the item put after the failover');
    await until(() => count.count === 5, 30_000, 'the count set after the failover');
    expect(await waiting).toBe(true);
    expect(got[0]).toBe('before');
    for (const c of [consumer, producer, count, writerCount]) await c.close();
    for (const s of sessions) await s.close();
  }, 120_000);
});
