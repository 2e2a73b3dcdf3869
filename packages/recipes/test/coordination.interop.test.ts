import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooSession } from '@zoo/client';
import { ZooServer } from '@zoo/server';
import { curatorSideBySide, requireCurator, runJava, runJavaToEnd, until } from '@zoo/zookeeper';
import {
  DistributedAtomicLong,
  DistributedBarrier,
  DistributedDelayQueue,
  DistributedDoubleBarrier,
  DistributedIdQueue,
  DistributedPriorityQueue,
  DistributedQueue,
  SharedCount,
  stringSerializer,
  type QueueOptions,
} from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/CuratorCoordination.java', import.meta.url));
const enabled = requireCurator('Curator queues/counters/barriers interop');

/** A running fixture whose stdout lines are collected. */
function java(classes: string, args: string[]): { child: ChildProcess; lines: () => string[]; send(line: string): void; stop(): Promise<void> } {
  const child = runJava(classes, 'CuratorCoordination', args);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return {
    child,
    lines: () => [...out.split('\n').filter(Boolean), ...(err ? [`stderr: ${err.slice(-1500)}`] : [])],
    send: (line) => child.stdin!.write(`${line}\n`),
    async stop() {
      child.stdin!.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

type Kind = 'plain' | 'priority' | 'delay' | 'id';
const N = 5;

function nodeQueue(kind: Kind, session: ZooSession, path: string, options: QueueOptions<string>) {
  if (kind === 'plain') return new DistributedQueue(session, path, options);
  if (kind === 'priority') return new DistributedPriorityQueue(session, path, options);
  if (kind === 'delay') return new DistributedDelayQueue(session, path, options);
  return new DistributedIdQueue(session, path, options);
}

/** Puts j0..j4 the way the Java fixture does (priority n-i, due later for earlier items, id id-i). */
async function nodePut(kind: Kind, session: ZooSession, path: string): Promise<void> {
  const q = nodeQueue(kind, session, path, { serializer: stringSerializer });
  await q.start();
  const now = Date.now();
  for (let i = 0; i < N; i++) {
    if (kind === 'priority') await (q as DistributedPriorityQueue<string>).put(`j${i}`, N - i);
    else if (kind === 'delay') await (q as DistributedDelayQueue<string>).put(`j${i}`, now + 400 + (N - i) * 100);
    else if (kind === 'id') await (q as DistributedIdQueue<string>).put(`j${i}`, `id-${i}`);
    else await q.put(`j${i}`);
  }
  await q.close();
}

/** The order a consumer sees j0..j4 in, for each kind. */
const expectedOrder = (kind: Kind) => {
  const fifo = Array.from({ length: N }, (_, i) => `j${i}`);
  return kind === 'priority' || kind === 'delay' ? fifo.reverse() : fifo;
};

/**
 * Curator 5.4 on the other side of Zoo's queues, counters and barriers, on a real ZooKeeper
 * and on ZooServer: Java producers / Node consumers (and back) for each queue kind, Java and
 * Node incrementers on one DistributedAtomicLong, a SharedCount changed from both sides, and
 * mixed waiters on both barriers.
 */
describe.runIf(enabled)('Curator queues, counters and barriers interop', () => {
  const curator = curatorSideBySide(() => ZooServer.start({ port: 0 }), [fixture]);
  beforeAll(curator.start, 90_000);
  afterAll(curator.stop);

  for (const { name: target, tag, connectionString: connection } of curator.targets) {
    const withSession = async <T>(fn: (s: ZooSession) => Promise<T>): Promise<T> => {
      const s = new ZooSession(connection());
      await s.start();
      try {
        return await fn(s);
      } finally {
        await s.close();
      }
    };

    for (const kind of ['plain', 'priority', 'delay', 'id'] as const) {
      it(`${kind} queue: Curator producer, Zoo consumer (${target})`, async () => {
        const path = `/interop-q-${tag}-${kind}-j2n`;
        expect((await runJavaToEnd(curator.classes(), 'CuratorCoordination', ['put', connection(), kind, path, String(N)])).trim()).toBe('DONE');
        await withSession(async (s) => {
          const got: string[] = [];
          const lockPath = kind === 'plain' || kind === 'id' ? `${path}-lock` : undefined;
          const q = nodeQueue(kind, s, path, { serializer: stringSerializer, lockPath, consumer: (item) => void got.push(item) });
          await q.start();
          await until(() => got.length === N, 10_000, 'every item');
          await q.close();
          expect(got).toEqual(expectedOrder(kind));
          await until(async () => (await s.client.getChildren(path)).children.length === 0, 5000, 'the queue to drain');
        });
      }, 60_000);

      it(`${kind} queue: Zoo producer, Curator consumer (${target})`, async () => {
        const path = `/interop-q-${tag}-${kind}-n2j`;
        await withSession((s) => nodePut(kind, s, path));
        const consumer = java(curator.classes(), ['take', connection(), kind, path, kind === 'plain' ? `${path}-lock` : '-']);
        try {
          await until(() => consumer.lines().filter((l) => l.startsWith('ITEM')).length === N, 20_000, 'Curator to consume every item');
          expect(consumer.lines().filter((l) => l.startsWith('ITEM'))).toEqual(expectedOrder(kind).map((i) => `ITEM ${i}`));
        } catch (err) {
          throw new Error(`${(err as Error).message}; Curator printed:\n${consumer.lines().join('\n')}`);
        } finally {
          await consumer.stop();
        }
      }, 60_000);
    }

    it(`DistributedAtomicLong: 3 Java and 3 Node incrementers end at exactly the sum (${target})`, async () => {
      const path = `/interop-atomic-${tag}/counter`;
      const lockPath = `/interop-atomic-${tag}/lock`;
      const per = 40;
      const javas = [0, 1, 2].map(() => java(curator.classes(), ['inc', connection(), path, lockPath, String(per)]));
      const sessions = [0, 1, 2].map(() => new ZooSession(connection()));
      try {
        await Promise.all(sessions.map((s) => s.start()));
        await until(() => javas.every((j) => j.lines().includes('READY')), 20_000, 'the Java incrementers to connect');
        for (const j of javas) j.send('go');
        await Promise.all(
          sessions.map(async (s) => {
            const counter = new DistributedAtomicLong(s, path, { promotedToLock: { path: lockPath } });
            for (let i = 0; i < per; i++) {
              while (!(await counter.increment()).succeeded);
            }
          }),
        );
        await until(() => javas.every((j) => j.lines().includes('DONE')), 60_000, 'the Java incrementers');
        const total = await new DistributedAtomicLong(sessions[0], path).get();
        expect(total.postValue).toBe(BigInt(6 * per));
      } catch (err) {
        throw new Error(`${(err as Error).message}; Curator printed:\n${javas.map((j) => j.lines().join('\n')).join('\n--\n')}`);
      } finally {
        for (const j of javas) await j.stop();
        for (const s of sessions) await s.close();
      }
    }, 90_000);

    it(`SharedCount: changes seen both ways (${target})`, async () => {
      const path = `/interop-count-${tag}`;
      const jv = java(curator.classes(), ['count', connection(), path]);
      try {
        await withSession(async (s) => {
          await until(() => jv.lines().some((l) => l.startsWith('STARTED')), 20_000, 'Curator to start');
          const count = new SharedCount(s, path, 42);
          await count.start();
          expect(count.count).toBe(0); // Curator created it with its seed
          await count.setCount(5);
          await until(() => jv.lines().includes('COUNT 5'), 10_000, 'Curator to see 5');
          jv.send('set 9');
          await until(() => count.count === 9, 10_000, 'Zoo to see 9');
          expect(await count.trySetCount(count.versionedValue, 10)).toBe(true);
          await until(() => jv.lines().includes('COUNT 10'), 10_000, 'Curator to see 10');
          await count.close();
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}; Curator printed:\n${jv.lines().join('\n')}`);
      } finally {
        await jv.stop();
      }
    }, 60_000);

    it(`DistributedBarrier: Java and Node waiters pass together (${target})`, async () => {
      const path = `/interop-barrier-${tag}/b`;
      await withSession(async (s) => {
        const barrier = new DistributedBarrier(s, path);
        await barrier.setBarrier();
        const jv = java(curator.classes(), ['barrier', connection(), path]);
        try {
          await until(() => jv.lines().includes('WAITING'), 20_000, 'Curator to wait');
          const nodeWaiter = barrier.waitOnBarrier();
          expect(await barrier.waitOnBarrier({ timeoutMs: 300 })).toBe(false);
          expect(jv.lines()).not.toContain('PASSED');
          await barrier.removeBarrier();
          expect(await nodeWaiter).toBe(true);
          await until(() => jv.lines().includes('PASSED'), 10_000, 'Curator to pass');
        } catch (err) {
          throw new Error(`${(err as Error).message}; Curator printed:\n${jv.lines().join('\n')}`);
        } finally {
          await jv.stop();
        }
      });
    }, 60_000);

    it(`DistributedDoubleBarrier: 2 Java and 2 Node members enter and leave together (${target})`, async () => {
      const path = `/interop-double-${tag}`;
      const javas = [0, 1].map(() => java(curator.classes(), ['double', connection(), path, '4']));
      const sessions = [0, 1].map(() => new ZooSession(connection()));
      try {
        await until(() => javas.every((j) => j.lines().includes('ENTERING')), 20_000, 'Curator to enter');
        const members = await Promise.all(
          sessions.map(async (s) => {
            await s.start();
            return new DistributedDoubleBarrier(s, path, 4);
          }),
        );
        expect(await Promise.all(members.map((m) => m.enter({ timeoutMs: 20_000 })))).toEqual([true, true]);
        await until(() => javas.every((j) => j.lines().includes('ENTERED')), 10_000, 'Curator to be let in');
        const leaving = members.map((m) => m.leave({ timeoutMs: 20_000 }));
        let settled = false;
        void Promise.all(leaving).then(() => (settled = true));
        await new Promise((r) => setTimeout(r, 500));
        expect(settled).toBe(false); // the Java members are still in
        for (const j of javas) j.send('leave');
        expect(await Promise.all(leaving)).toEqual([true, true]);
        await until(() => javas.every((j) => j.lines().includes('LEFT')), 10_000, 'Curator to leave');
        expect((await sessions[0].client.getChildren(path)).children).toEqual([]);
      } catch (err) {
        throw new Error(`${(err as Error).message}; Curator printed:\n${javas.map((j) => j.lines().join('\n')).join('\n--\n')}`);
      } finally {
        for (const j of javas) await j.stop();
        for (const s of sessions) await s.close();
      }
    }, 60_000);
  }
});
