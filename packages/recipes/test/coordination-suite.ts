import { describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import type { ZooClient } from '@zoo/client';
import { ZooError, ZooErrorCode } from '@zoo/core';
import {
  DistributedAtomicInteger,
  DistributedAtomicLong,
  DistributedBarrier,
  DistributedDelayQueue,
  DistributedDoubleBarrier,
  DistributedIdQueue,
  DistributedPriorityQueue,
  DistributedQueue,
  SharedCount,
  SharedValue,
  stringSerializer,
} from '../src/index.js';
import { useSuiteFixture, type Target } from './suite-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children of a barrier's container, [] once the server has removed it (it is a container). */
async function membersLeft(client: ZooClient, path: string): Promise<string[]> {
  try {
    return (await client.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return [];
    throw err;
  }
}

/** Curator's framing of one text item, built by hand from its documented layout. */
function framed(...items: string[]): Buffer {
  const parts = [Buffer.from([0x00, 0x01, 0x00, 0x01])];
  for (const item of items) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(Buffer.byteLength(item));
    parts.push(Buffer.from([0x01]), len, Buffer.from(item));
  }
  parts.push(Buffer.from([0x02]));
  return Buffer.concat(parts);
}

/** Queues, counters, shared values and barriers against one server kind. */
export function coordinationSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`queues, counters and barriers against ${name}`, () => {
    const { session, proxied, track, base } = useSuiteFixture(target, 'coord');

    describe('queues', () => {
      it('DistributedQueue: FIFO, Curator names and framing, putMulti kept together', async () => {
        const path = `${base()}/q`;
        const producer = track(new DistributedQueue((await session()), path, { serializer: stringSerializer }));
        await producer.start();
        for (let i = 0; i < 5; i++) await producer.put(`item-${i}`);
        await producer.putMulti(['m-a', 'm-b']);
        const reader = (await session()).client;
        const { children } = await reader.getChildren(path);
        expect(children.sort()).toEqual(['queue-0000000000', 'queue-0000000001', 'queue-0000000002', 'queue-0000000003', 'queue-0000000004', 'queue-0000000005']);
        expect((await reader.getData(`${path}/queue-0000000000`)).data).toEqual(framed('item-0'));
        expect((await reader.getData(`${path}/queue-0000000005`)).data).toEqual(framed('m-a', 'm-b'));
        const got: string[] = [];
        const consumer = track(new DistributedQueue(await session(), path, { serializer: stringSerializer, consumer: (item) => void got.push(item) }));
        await consumer.start();
        await until(() => got.length === 7, 5000, 'every item');
        expect(got).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'm-a', 'm-b']);
        await producer.put('late');
        await until(() => got.length === 8, 5000, 'the item put while consuming');
        expect(got[7]).toBe('late');
        await until(async () => (await reader.getChildren(path)).children.length === 0, 5000, 'the queue to drain');
      });

      it('two consumers share a queue: every item consumed exactly once', async () => {
        const path = base();
        const lockPath = `${path}-locks`;
        const got: string[] = [];
        for (const mode of ['normal', 'lock-safe']) {
          for (let c = 0; c < 2; c++) {
            const q = track(new DistributedQueue(await session(), `${path}/${mode}`, { serializer: stringSerializer, lockPath: mode === 'lock-safe' ? `${lockPath}/${mode}` : undefined, consumer: (item) => void got.push(item) }));
            await q.start();
          }
        }
        const producer = track(new DistributedQueue(await session(), `${path}/normal`, { serializer: stringSerializer }));
        const producer2 = track(new DistributedQueue(await session(), `${path}/lock-safe`, { serializer: stringSerializer }));
        await producer.start();
        await producer2.start();
        for (let i = 0; i < 20; i++) {
          await producer.put(`n${i}`);
          await producer2.put(`l${i}`);
        }
        await until(() => got.length >= 40, 10_000, 'every item');
        await sleep(300);
        expect(got.sort()).toEqual([...Array.from({ length: 20 }, (_, i) => `l${i}`), ...Array.from({ length: 20 }, (_, i) => `n${i}`)].sort());
      });

      it('DistributedPriorityQueue: lowest priority first, FIFO within one, Curator names', async () => {
        const path = base();
        const producer = track(new DistributedPriorityQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        await producer.put('p5', 5);
        await producer.put('m1', -1);
        await producer.put('z0', 0);
        await producer.put('p3', 3);
        await producer.put('z0-second', 0);
        const reader = (await session()).client;
        const names = (await reader.getChildren(path)).children.sort();
        expect(names).toEqual(['queue-0FFFFFFFF0000000001', 'queue-1000000000000000002', 'queue-1000000000000000004', 'queue-1000000030000000003', 'queue-1000000050000000000']);
        await expect(producer.put('x', 2 ** 31)).rejects.toThrow(/32-bit/);
        const got: string[] = [];
        const consumer = track(new DistributedPriorityQueue(await session(), path, { serializer: stringSerializer, consumer: (i) => void got.push(i) }));
        await consumer.start();
        await until(() => got.length === 5, 5000, 'every item');
        expect(got).toEqual(['m1', 'z0', 'z0-second', 'p3', 'p5']);
      });

      it('DistributedDelayQueue: nothing before its time, earliest first, Curator names', async () => {
        const path = base();
        const producer = track(new DistributedDelayQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        const now = Date.now();
        await producer.put('later', now + 1500);
        await producer.put('soon', now + 600);
        await producer.put('now', now - 1000);
        const reader = (await session()).client;
        const names = (await reader.getChildren(path)).children;
        expect(names).toContain(`queue-|${(now + 1500).toString(16).toUpperCase()}|0000000000`);
        await expect(producer.put('bad', -5)).rejects.toThrow(/due time/);
        const got: Array<{ item: string; at: number }> = [];
        const consumer = track(new DistributedDelayQueue(await session(), path, { serializer: stringSerializer, consumer: (item) => void got.push({ item, at: Date.now() }) }));
        await consumer.start();
        await until(() => got.length === 3, 8000, 'every item');
        expect(got.map((g) => g.item)).toEqual(['now', 'soon', 'later']);
        expect(got[1].at).toBeGreaterThanOrEqual(now + 600);
        expect(got[2].at).toBeGreaterThanOrEqual(now + 1500);
      });

      it('DistributedIdQueue: ids in names, remove(id) before consumption, FIFO', async () => {
        const path = base();
        const producer = track(new DistributedIdQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        await producer.put('A', 'a');
        await producer.put('B', 'x/b|y');
        await producer.put('C', 'c');
        await producer.put('B2', 'x/b|y');
        const names = (await (await session()).client.getChildren(path)).children.sort();
        expect(names).toEqual(['queue-|a|0000000000', 'queue-|c|0000000002', 'queue-|x_b_y|0000000001', 'queue-|x_b_y|0000000003']);
        expect(await producer.isQueued('x_b_y')).toBe(true);
        expect(await producer.remove('x_b_y')).toBe(2);
        expect(await producer.remove('nope')).toBe(0);
        await expect(producer.put('bad', '')).rejects.toThrow(/non-empty id/);
        const got: string[] = [];
        const consumer = track(new DistributedIdQueue(await session(), path, { serializer: stringSerializer, consumer: (i) => void got.push(i) }));
        await consumer.start();
        await until(() => got.length === 2, 5000, 'the items left');
        expect(got).toEqual(['A', 'C']);
      });

      it('lock-safe: a failing consumer gets the item again (requeued), errorMode delete drops it', async () => {
        const path = base();
        const attempts: string[] = [];
        const errors: unknown[] = [];
        const consumer = track(
          new DistributedIdQueue(await session(), path, {
            serializer: stringSerializer,
            lockPath: `${path}-lock`,
            consumer: (item) => {
              attempts.push(item);
              if (attempts.length === 1) throw new Error('first try fails');
            },
          }),
        );
        consumer.on('error', (e) => errors.push(e));
        await consumer.start();
        const producer = track(new DistributedIdQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        await producer.put('job', 'job-1');
        await until(() => attempts.length === 2, 5000, 'the retry');
        expect(attempts).toEqual(['job', 'job']);
        expect((errors[0] as Error).message).toBe('first try fails');
        const reader = (await session()).client;
        await until(async () => (await reader.getChildren(path)).children.length === 0, 5000, 'the item to go');
        expect((await reader.getChildren(`${path}-lock`)).children).toEqual([]);

        const dropPath = base();
        const tries: string[] = [];
        const dropper = track(new DistributedQueue(await session(), dropPath, { serializer: stringSerializer, lockPath: `${dropPath}-lock`, errorMode: 'delete', consumer: (i) => {
            tries.push(i);
            throw new Error('no');
          } }));
        dropper.on('error', () => {});
        await dropper.start();
        const p2 = track(new DistributedQueue(await session(), dropPath, { serializer: stringSerializer }));
        await p2.start();
        await p2.put('once');
        await until(async () => (await reader.getChildren(dropPath)).children.length === 0, 5000, 'the item to be dropped');
        expect(tries).toEqual(['once']);
      });

      it('lock-safe: a consumer that dies mid-item loses nothing; another consumer takes it when its session ends', async () => {
        const path = base();
        const lockPath = `${path}-lock`;
        const { proxy, session: doomed } = await proxied(3000);
        let started!: () => void;
        const inHand = new Promise<void>((r) => (started = r));
        // consumes forever: the process "dies" (its connection goes dark) mid-item
        const first = new DistributedQueue(doomed, path, { serializer: stringSerializer, lockPath, consumer: () => (started(), new Promise<void>(() => {})) });
        await first.start();
        const producer = track(new DistributedQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        await producer.put('precious');
        await inHand;
        const reader = (await session()).client;
        expect((await reader.getChildren(lockPath)).children).toEqual(['queue-0000000000']);
        const got: string[] = [];
        const second = track(new DistributedQueue(await session(), path, { serializer: stringSerializer, lockPath, consumer: (i) => void got.push(i) }));
        await second.start();
        await sleep(500);
        expect(got).toEqual([]); // locked by the first consumer, still alive
        proxy.blackhole();
        await until(() => got.length === 1, 15_000, 'the second consumer to take the item');
        expect(got).toEqual(['precious']);
        await until(async () => (await reader.getChildren(path)).children.length === 0, 5000, 'the item to go');
      }, 30_000);

      it('maxItems: put waits for room, or resolves false after timeoutMs', async () => {
        const path = base();
        const producer = track(new DistributedQueue(await session(), path, { serializer: stringSerializer, maxItems: 2 }));
        await producer.start();
        expect(await producer.put('1')).toBe(true);
        expect(await producer.put('2')).toBe(true);
        expect(await producer.put('3', { timeoutMs: 300 })).toBe(false);
        const reader = (await session()).client;
        expect((await reader.getChildren(path)).children).toHaveLength(2);
        let done = false;
        const blocked = producer.put('4').then((r) => ((done = true), r));
        await sleep(300);
        expect(done).toBe(false);
        const got: string[] = [];
        const consumer = track(new DistributedQueue(await session(), path, { serializer: stringSerializer, consumer: (i) => void got.push(i) }));
        await consumer.start();
        expect(await blocked).toBe(true);
        await until(() => got.length === 3, 5000, 'the items');
        expect(got).toEqual(['1', '2', '4']);
        expect(() => new DistributedQueue(producer['session'], path, { serializer: stringSerializer, maxItems: 0 })).toThrow(/maxItems/);
      });

      it('a consumer keeps consuming across connection loss and session expiry', async () => {
        const path = base();
        const { proxy, session: s } = await proxied(3000);
        const got: string[] = [];
        const consumer = track(new DistributedQueue(s, path, { serializer: stringSerializer, lockPath: `${path}-lock`, consumer: (i) => void got.push(i) }));
        await consumer.start();
        const producer = track(new DistributedQueue(await session(), path, { serializer: stringSerializer }));
        await producer.start();
        await producer.put('a');
        await until(() => got.length === 1, 5000, 'the first item');
        proxy.blackhole();
        proxy.drop();
        await producer.put('b');
        await sleep(500);
        proxy.heal();
        await until(() => got.length === 2, 8000, 'the item put while disconnected');
        const renewed = new Promise((r) => s.once('session', r));
        proxy.blackhole();
        await sleep(4000); // past the session timeout
        await producer.put('c');
        proxy.heal();
        await renewed;
        await until(() => got.length === 3, 8000, 'the item put while the session expired');
        expect(got).toEqual(['a', 'b', 'c']);
      }, 30_000);
    });

    describe('counters and shared values', () => {
      it('DistributedAtomicLong: concurrent increments sum exactly; Curator bytes; CAS, trySet, initialize', async () => {
        const path = `${base()}/counter`;
        const lockPath = `${path}-lock`;
        const counters = await Promise.all([0, 1, 2].map(async () => new DistributedAtomicLong(await session(), path, { promotedToLock: { path: lockPath } })));
        expect((await counters[0].get()).postValue).toBe(0n);
        await Promise.all(
          counters.map(async (c) => {
            for (let i = 0; i < 15; i++) {
              const r = await c.increment();
              expect(r.succeeded).toBe(true);
              expect(r.postValue).toBe(r.preValue + 1n);
            }
          }),
        );
        expect((await counters[0].get()).postValue).toBe(45n);
        const raw = (await (await session()).client.getData(path)).data!;
        expect(raw).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 45]));
        expect((await counters[1].add(-50n)).postValue).toBe(-5n);
        expect((await (await session()).client.getData(path)).data).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb]));
        expect((await counters[1].compareAndSet(7n, 8n)).succeeded).toBe(false);
        const cas = await counters[1].compareAndSet(-5n, 100n);
        expect([cas.succeeded, cas.preValue, cas.postValue]).toEqual([true, -5n, 100n]);
        expect((await counters[2].trySet(2n ** 63n - 1n)).succeeded).toBe(true);
        expect((await counters[2].increment()).postValue).toBe(-(2n ** 63n)); // wraps like Java's long
        expect(await counters[0].initialize(1n)).toBe(false);
        const fresh = new DistributedAtomicLong(await session(), `${base()}/deep/fresh`);
        expect(await fresh.initialize(9n)).toBe(true);
        expect((await fresh.decrement()).postValue).toBe(8n);
        await (await session()).client.setData(fresh.path, Buffer.from([1, 2, 3]));
        await expect(fresh.get()).rejects.toMatchObject({ code: ZooErrorCode.MARSHALLINGERROR });
        await expect(fresh.add(2n ** 64n)).rejects.toThrow(RangeError);
      });

      it('DistributedAtomicLong: optimistic tries exhausted → promoted to the lock, stats say so', async () => {
        const path = base();
        const s = await session();
        // a retry policy that allows no optimistic retry, and a writer that always beats us
        const counter = new DistributedAtomicLong(s, path, { retry: { nextDelay: () => null }, promotedToLock: { path: `${path}-lock` } });
        await counter.initialize(0n);
        const rival = (await session()).client;
        let raced = 0;
        const realGet = s.client.getData.bind(s.client);
        s.client.getData = (async (p: string, o?: object) => {
          const r = await realGet(p, o);
          if (p === path && raced++ === 0) await rival.setData(path, Buffer.from([0, 0, 0, 0, 0, 0, 0, 10]));
          return r;
        }) as typeof s.client.getData;
        const r = await counter.increment();
        expect(r.succeeded).toBe(true);
        expect(r.stats.optimisticTries).toBe(1);
        expect(r.stats.promotedTries).toBe(1);
        expect(r.postValue).toBe(11n);
        const noLock = new DistributedAtomicLong(s, path, { retry: { nextDelay: () => null } });
        raced = 0;
        const lost = await noLock.increment();
        expect(lost.succeeded).toBe(false);
        expect((await counter.get()).postValue).toBe(10n);
      });

      it('DistributedAtomicLong: connection loss rejects (never a blind retry that could count twice)', async () => {
        const path = base();
        const { proxy, session: s } = await proxied(5000);
        const counter = new DistributedAtomicLong(s, path);
        expect((await counter.increment()).postValue).toBe(1n);
        proxy.blackhole();
        proxy.drop();
        await until(() => s.client.state !== 'connected', 5000, 'the client to notice');
        await expect(counter.increment()).rejects.toMatchObject({ code: ZooErrorCode.CONNECTIONLOSS });
        proxy.heal();
        await until(() => s.client.state === 'connected', 8000, 'the reconnect');
        expect((await counter.increment()).postValue).toBe(2n);
      }, 20_000);

      it('DistributedAtomicInteger: 4-byte Curator encoding, wraps at 32 bits', async () => {
        const path = base();
        const a = new DistributedAtomicInteger(await session(), path);
        expect((await a.add(41)).postValue).toBe(41);
        expect((await a.increment()).postValue).toBe(42);
        expect((await (await session()).client.getData(path)).data).toEqual(Buffer.from([0, 0, 0, 42]));
        await a.forceSet(2 ** 31 - 1);
        expect((await a.increment()).postValue).toBe(-(2 ** 31));
        await expect(a.add(0.5)).rejects.toThrow(RangeError);
      });

      it('SharedCount: versioned sets, stale trySet refused, changes seen by others', async () => {
        const path = `${base()}/count`;
        const a = track(new SharedCount(await session(), path, 7));
        const b = track(new SharedCount(await session(), path, 99));
        await a.start();
        await b.start();
        expect([a.count, b.count]).toEqual([7, 7]); // the seed only applies to whoever creates
        expect((await (await session()).client.getData(path)).data).toEqual(Buffer.from([0, 0, 0, 7]));
        const seen: number[] = [];
        b.on('change', (n: number) => seen.push(n));
        const iter = b.changes();
        const stale = b.versionedValue;
        await a.setCount(8);
        await until(() => b.count === 8, 5000, 'b to see 8');
        expect(await b.trySetCount(stale, 100)).toBe(false);
        expect(b.count).toBe(8);
        expect(await b.trySetCount(b.versionedValue, 9)).toBe(true);
        await until(() => a.count === 9, 5000, 'a to see 9');
        expect(seen).toEqual([8, 9]);
        expect((await iter.next()).value).toBe(8);
        expect((await iter.next()).value).toBe(9);
        await iter.return?.();
        expect(a.versionedValue.version).toBe(2);
      });

      it('SharedValue: follows changes across connection loss and session expiry', async () => {
        const path = base();
        const { proxy, session: s } = await proxied(3000);
        const v = track(new SharedValue(s, path, Buffer.from('seed')));
        await v.start();
        const writer = (await session()).client;
        proxy.blackhole();
        proxy.drop();
        await writer.setData(path, 'while-away');
        proxy.heal();
        await until(() => v.value.toString() === 'while-away', 8000, 'the change made while disconnected');
        proxy.blackhole();
        await sleep(4000);
        await writer.setData(path, 'after-expiry');
        proxy.heal();
        await until(() => v.value.toString() === 'after-expiry', 10_000, 'the change made while the session expired');
        await writer.setData(path, 'live');
        await until(() => v.value.toString() === 'live', 5000, 'live changes on the new session');
      }, 30_000);
    });

    describe('barriers', () => {
      it('DistributedBarrier: waiters pass when it is removed, time out while it is set', async () => {
        const path = `${base()}/barrier`;
        const owner = new DistributedBarrier(await session(), path);
        await owner.setBarrier();
        await owner.setBarrier(); // already set is fine
        const waiter = new DistributedBarrier(await session(), path);
        expect(await waiter.waitOnBarrier({ timeoutMs: 300 })).toBe(false);
        const { proxy, session: s } = await proxied(5000);
        const far = new DistributedBarrier(s, path);
        const passed = [waiter.waitOnBarrier(), far.waitOnBarrier()];
        await sleep(200);
        proxy.blackhole();
        proxy.drop();
        await owner.removeBarrier();
        await owner.removeBarrier(); // already gone is fine
        expect(await passed[0]).toBe(true);
        proxy.heal();
        expect(await passed[1]).toBe(true);
        expect(await waiter.waitOnBarrier({ timeoutMs: 0 })).toBe(true);
        // a wait that starts while disconnected looks once the connection is back
        await owner.setBarrier();
        proxy.blackhole();
        proxy.drop();
        await until(() => s.client.state !== 'connected', 5000, 'the client to notice');
        const late = far.waitOnBarrier({ timeoutMs: 15_000 });
        await owner.removeBarrier();
        proxy.heal();
        expect(await late).toBe(true);
        const ac = new AbortController();
        await owner.setBarrier();
        const aborted = waiter.waitOnBarrier({ signal: ac.signal });
        ac.abort(new Error('stop'));
        await expect(aborted).rejects.toThrow('stop');
      }, 20_000);

      it('DistributedDoubleBarrier: all enter together, all leave together, Curator layout', async () => {
        const path = base();
        const members = await Promise.all([0, 1, 2].map(async () => new DistributedDoubleBarrier(await session(), path, 3)));
        const entered: number[] = [];
        const entering = members.slice(0, 2).map((m, i) => m.enter().then((r) => (entered.push(i), r)));
        const reader = (await session()).client;
        await until(async () => (await reader.exists(path)) !== null && (await reader.getChildren(path)).children.length === 2, 5000, 'two members');
        await sleep(200);
        expect(entered).toEqual([]);
        expect(await members[2].enter()).toBe(true);
        expect(await Promise.all(entering)).toEqual([true, true]);
        const kids = (await reader.getChildren(path)).children;
        expect(kids).toContain('ready');
        expect(kids.filter((k) => k !== 'ready').sort()).toEqual(members.map((m) => m.ourPath.slice(path.length + 1)).sort());
        const left: number[] = [];
        const leaving = members.slice(0, 2).map((m, i) => m.leave().then((r) => (left.push(i), r)));
        await sleep(300);
        expect(left).toEqual([]);
        expect(await members[2].leave()).toBe(true);
        expect(await Promise.all(leaving)).toEqual([true, true]);
        expect(await membersLeft(reader, path)).toEqual([]);
        const alone = new DistributedDoubleBarrier(await session(), `${base()}/b`, 2);
        expect(await alone.enter({ timeoutMs: 300 })).toBe(false);
        expect(() => new DistributedDoubleBarrier(members[0]['session'], path, 0)).toThrow(ZooError);
      }, 20_000);

      it('DistributedDoubleBarrier: session expiry in leave releases the others, in enter the node comes back; leave times out', async () => {
        const path = base();
        const { proxy, session: s } = await proxied(3000);
        const members = [new DistributedDoubleBarrier(await session(), path, 3), new DistributedDoubleBarrier(await session(), path, 3), new DistributedDoubleBarrier(s, path, 3)];
        expect(await Promise.all(members.map((m) => m.enter({ timeoutMs: 10_000 })))).toEqual([true, true, true]);
        const leaving = members.slice(0, 2).map((m) => m.leave({ timeoutMs: 20_000 }));
        await sleep(300);
        proxy.blackhole(); // the third member dies inside the barrier
        expect(await Promise.all(leaving)).toEqual([true, true]);
        const reader = (await session()).client;
        expect(await membersLeft(reader, path)).toEqual([]);

        // a member waiting in enter() whose session expires comes back on the new session and is counted
        const late = await proxied(3000);
        const renewed = new Promise((r) => late.session.once('session', r));
        const waiter = new DistributedDoubleBarrier(late.session, `${path}/again`, 2);
        const waiting = waiter.enter({ timeoutMs: 20_000 });
        await until(async () => (await reader.exists(waiter.ourPath)) !== null, 5000, 'the waiter to enter');
        late.proxy.blackhole();
        await until(async () => (await reader.exists(waiter.ourPath)) === null, 10_000, 'its session to expire');
        late.proxy.heal();
        await renewed;
        const partner = new DistributedDoubleBarrier(await session(), `${path}/again`, 2);
        expect(await partner.enter({ timeoutMs: 10_000 })).toBe(true);
        expect(await waiting).toBe(true);

        // leave() started while disconnected finishes after the reconnect
        const cut = await proxied(8000);
        const duo = [new DistributedDoubleBarrier(await session(), `${path}/duo`, 2), new DistributedDoubleBarrier(cut.session, `${path}/duo`, 2)];
        expect(await Promise.all(duo.map((m) => m.enter({ timeoutMs: 10_000 })))).toEqual([true, true]);
        const first = duo[0].leave({ timeoutMs: 20_000 });
        cut.proxy.blackhole();
        cut.proxy.drop();
        await until(() => cut.session.client.state !== 'connected', 5000, 'the client to notice');
        const second = duo[1].leave({ timeoutMs: 20_000 });
        await sleep(300);
        cut.proxy.heal();
        expect(await Promise.all([first, second])).toEqual([true, true]);
        expect(await membersLeft(reader, `${path}/duo`)).toEqual([]);

        const pair = [new DistributedDoubleBarrier(await session(), `${path}/pair`, 2), new DistributedDoubleBarrier(await session(), `${path}/pair`, 2)];
        expect(await Promise.all(pair.map((m) => m.enter()))).toEqual([true, true]);
        expect(await pair[0].leave({ timeoutMs: 300 })).toBe(false); // the other is still in
        // a timed-out leave may keep its node (the lowest waits for the others): leaving again ends it
        expect(await Promise.all(pair.map((m) => m.leave({ timeoutMs: 5000 })))).toEqual([true, true]);
        expect(await membersLeft(reader, `${path}/pair`)).toEqual([]);
      }, 30_000);
    });
  });
}
