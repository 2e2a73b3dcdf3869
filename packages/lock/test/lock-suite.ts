import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@zoo/zookeeper';
import { ZooSession } from '@zoo/client';
import { LeaderLatch, LeaderSelector, Mutex, ReadWriteLock, runAsElected, runAsLeader, Semaphore, runWithLock, type Lease } from '../src/index.js';
import { TcpProxy } from '../../client/test/tcp-proxy.js';

export interface Target {
  start(): Promise<{ connectionString: string; port: number; stop(): Promise<void> }>;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Intervals [enter, exit] must never overlap. */
function expectNoOverlap(intervals: Array<[number, number]>) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i][0], `holder ${i} entered before holder ${i - 1} left`).toBeGreaterThanOrEqual(sorted[i - 1][1]);
}

export function lockSuite(name: string, target: Target, enabled = true): void {
  describe.runIf(enabled)(`locks against ${name}`, () => {
    let server: Awaited<ReturnType<Target['start']>>;
    const sessions: ZooSession[] = [];
    let n = 0;
    beforeAll(async () => {
      server = await target.start();
    }, 60_000);
    afterAll(async () => server?.stop());
    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.close();
    });
    const session = async (connection = server.connectionString, timeout = 10_000) => {
      const s = new ZooSession(connection, { sessionTimeout: timeout });
      await s.start();
      sessions.push(s);
      return s;
    };
    const lockPath = () => `/locks-${process.pid}-${n++}`;

    it('mutex: Curator node names, one holder at a time, fencing tokens grow, re-entrant with the lease', async () => {
      const path = lockPath();
      const a = new Mutex(await session(), path);
      const b = new Mutex(await session(), path);
      const first = await a.acquire();
      expect(first.path).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-lock-\\d{10}$`));
      const again = await a.acquire({ reenter: first }); // re-entrant: the holder presents its lease
      expect(again).toBe(first);
      let bHolds = false;
      const waiting = b.acquire().then((l) => {
        bHolds = true;
        return l;
      });
      await sleep(100);
      expect(bHolds).toBe(false);
      await first.release(); // one level down: still held
      await sleep(100);
      expect(bHolds).toBe(false);
      await first.release();
      const second = await waiting;
      expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
      await second.release();
    });

    it('mutex: two async tasks sharing one Mutex never both enter; re-entry needs a held lease', async () => {
      const path = lockPath();
      const shared = new Mutex(await session(), path);
      const intervals: Array<[number, number]> = [];
      await Promise.all(
        [0, 1, 2].map(async () => {
          for (let i = 0; i < 3; i++) {
            await shared.withLock(async () => {
              const enter = performance.now();
              await sleep(10);
              intervals.push([enter, performance.now()]);
            });
          }
        }),
      );
      expect(intervals).toHaveLength(9);
      expectNoOverlap(intervals);
      const lease = await shared.acquire();
      await lease.release();
      await expect(shared.acquire({ reenter: lease })).rejects.toMatchObject({ code: -8 });
      expect(shared.isHeld).toBe(false);
    });

    it('mutex: a waiter whose own node vanishes starts over instead of failing with NONODE', async () => {
      const path = lockPath();
      const s = await session();
      const holder = await new Mutex(s, path).acquire();
      const waiter = new Mutex(await session(), path).acquire();
      await until(async () => (await s.client.getChildren(path)).children.length === 2, 5000, 'the waiter node');
      const ours = (await s.client.getChildren(path)).children.find((c) => !holder.path.endsWith(c))!;
      await s.client.delete(`${path}/${ours}`); // e.g. an operator, or a session that expired
      await holder.release();
      const lease = await waiter;
      expect(lease.path).not.toBe(`${path}/${ours}`);
      expect(lease.isHeld).toBe(true);
      await lease.release();
    });

    it('mutex: a waiter whose session expires before it holds tries again on its new session', async () => {
      const path = lockPath();
      const holder = await new Mutex(await session(), path).acquire();
      const proxy = await TcpProxy.start(server.port);
      try {
        const waiterSession = await session(`127.0.0.1:${proxy.port}`, 3000);
        const firstClient = waiterSession.client;
        const waiting = new Mutex(waiterSession, path).acquire();
        await sleep(200);
        const renewed = new Promise((r) => waiterSession.once('session', r));
        proxy.blackhole();
        await sleep(5000);
        proxy.heal();
        await renewed;
        await holder.release();
        const lease = await waiting;
        expect(waiterSession.client).not.toBe(firstClient);
        expect(lease.isHeld).toBe(true);
        await lease.release();
      } finally {
        await proxy.close();
      }
    }, 60_000);

    it('release is a guaranteed delete: riding out a lost connection, the node goes once it is back', async () => {
      const path = lockPath();
      const proxy = await TcpProxy.start(server.port);
      try {
        const holderSession = await session(`127.0.0.1:${proxy.port}`, 6000);
        const lease = await new Mutex(holderSession, path).acquire();
        const sessionId = holderSession.client.sessionId;
        const observer = await session();
        proxy.blackhole(); // refuse reconnects
        proxy.drop(); // and cut the live connection
        await until(() => holderSession.client.state === 'disconnected', 5000, 'the holder to notice');
        let released = false;
        const releasing = lease.release().then(() => (released = true));
        await sleep(1000); // the delete failed with CONNECTIONLOSS and waits for the connection
        expect(released).toBe(false);
        expect(await observer.client.exists(lease.path)).not.toBeNull();
        proxy.heal();
        await releasing;
        expect(holderSession.client.sessionId).toBe(sessionId); // same session: the delete, not expiry, removed it
        expect(await observer.client.exists(lease.path)).toBeNull();
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it('mutex: a timeout or an abort leaves no node behind', async () => {
      const path = lockPath();
      const s = await session();
      const holder = await new Mutex(s, path).acquire();
      const other = new Mutex(await session(), path);
      expect(await other.tryAcquire({ timeoutMs: 100 })).toBeNull();
      await expect(other.acquire({ timeoutMs: 50 })).rejects.toMatchObject({ code: -7 });
      const ctrl = new AbortController();
      const aborted = other.acquire({ signal: ctrl.signal });
      setTimeout(() => ctrl.abort(new Error('give up')), 50);
      await expect(aborted).rejects.toThrow('give up');
      expect((await s.client.getChildren(path)).children).toHaveLength(1);
      await holder.release();
    });

    it('contention: many clients, many acquisitions, never two holders', async () => {
      const path = lockPath();
      const intervals: Array<[number, number]> = [];
      const clients = await Promise.all(Array.from({ length: 5 }, () => session()));
      await Promise.all(
        clients.map(async (s) => {
          const m = new Mutex(s, path);
          for (let i = 0; i < 8; i++) {
            await m.withLock(async () => {
              const enter = performance.now();
              await sleep(Math.random() * 3);
              intervals.push([enter, performance.now()]);
            });
          }
        }),
      );
      expect(intervals).toHaveLength(40);
      expectNoOverlap(intervals);
    }, 60_000);

    it('a holder whose session expires loses the lock; nobody enters before its node is gone', async () => {
      const path = lockPath();
      const proxy = await TcpProxy.start(server.port);
      try {
        const holderSession = await session(`127.0.0.1:${proxy.port}`, 3000);
        const lease = await new Mutex(holderSession, path).acquire();
        const lost = new Promise<Error>((r) => lease.once('lost', r));
        const observer = await session();
        let nodeGoneAt = 0;
        await observer.client.exists(lease.path, { watch: () => (nodeGoneAt = performance.now()) });
        const waiter = new Mutex(await session(), path);
        const entered = waiter.acquire().then((l) => ({ at: performance.now(), l }));
        proxy.blackhole();
        const { at, l } = await entered;
        expect(nodeGoneAt).toBeGreaterThan(0);
        expect(at).toBeGreaterThanOrEqual(nodeGoneAt);
        expect((await lost).message).toMatch(/session expired/);
        expect(lease.signal.aborted).toBe(true);
        await l.release();
      } finally {
        await proxy.close();
      }
    }, 30_000);

    it('read-write lock: readers share, a writer excludes', async () => {
      const path = lockPath();
      const rw1 = new ReadWriteLock(await session(), path);
      const rw2 = new ReadWriteLock(await session(), path);
      const r1 = await rw1.readLock();
      const r2 = await rw2.readLock({ timeoutMs: 2000 });
      expect(r1.path).toContain('__READ__');
      let writing = false;
      const w = rw1.writeLock().then((l) => ((writing = true), l));
      await sleep(100);
      expect(writing).toBe(false);
      await r1.release();
      await r2.release();
      const wl = await w;
      expect(wl.path).toContain('__WRIT__');
      expect(await rw2.readLock({ timeoutMs: 150 }).catch((e) => e.code)).toBe(-7);
      await wl.release();
      await (await rw2.readLock({ timeoutMs: 2000 })).release();
    });

    it('semaphore: at most N leases at once', async () => {
      const path = lockPath();
      let inside = 0;
      let most = 0;
      const clients = await Promise.all(Array.from({ length: 4 }, () => session()));
      await Promise.all(
        clients.map(async (s) => {
          const sem = new Semaphore(s, path, 2);
          for (let i = 0; i < 3; i++) {
            const lease: Lease = await sem.acquire({ timeoutMs: 20_000 });
            inside++;
            most = Math.max(most, inside);
            await sleep(15);
            inside--;
            await lease.release();
          }
        }),
      );
      expect(most).toBe(2);
      const s = clients[0];
      expect((await s.client.getChildren(`${path}/leases`)).children).toEqual([]);
    }, 60_000);

    it('semaphore: a waiter whose lease node vanishes starts over instead of failing with NONODE', async () => {
      const path = lockPath();
      const s = await session();
      const holder = await new Semaphore(s, path, 1).acquire();
      const waiting = new Semaphore(await session(), path, 1).acquire();
      await until(async () => (await s.client.getChildren(`${path}/leases`)).children.length === 2, 5000, 'the waiting lease node');
      const theirs = (await s.client.getChildren(`${path}/leases`)).children.find((c) => !holder.path.endsWith(c))!;
      await s.client.delete(`${path}/leases/${theirs}`);
      await holder.release();
      const lease = await waiting;
      expect(lease.path).not.toBe(`${path}/leases/${theirs}`);
      await lease.release();
    });

    it('leader latch: exactly one leader; the next takes over when it leaves', async () => {
      const path = lockPath();
      const latches = await Promise.all([0, 1, 2].map(async (i) => new LeaderLatch(await session(), path, `node-${i}`)));
      for (const l of latches) await l.start();
      await until(() => latches.filter((l) => l.isLeader).length === 1, 5000, 'a leader');
      const leader = latches.find((l) => l.isLeader)!;
      await leader.close();
      await until(() => latches.filter((l) => l.isLeader).length === 1, 5000, 'the next leader');
      expect(leader.isLeader).toBe(false);
      for (const l of latches) await l.close();
    });

    it('leader latch: a waiting member whose session expires rejoins on its new session, with no error', async () => {
      const path = lockPath();
      const leader = new LeaderLatch(await session(), path, 'leader');
      await leader.start();
      await until(() => leader.isLeader, 5000, 'the first leader');
      const proxy = await TcpProxy.start(server.port);
      try {
        const waiterSession = await session(`127.0.0.1:${proxy.port}`, 3000);
        const waiter = new LeaderLatch(waiterSession, path, 'waiter');
        const errors: unknown[] = [];
        waiter.on('error', (e) => errors.push(e));
        await waiter.start();
        const renewed = new Promise((r) => waiterSession.once('session', r));
        proxy.blackhole(); // the waiter's session expires while it waits behind the leader
        await sleep(5000);
        proxy.heal();
        await renewed;
        await leader.close();
        await until(() => waiter.isLeader, 10_000, 'the waiter to lead on its new session');
        expect(errors).toEqual([]);
        await waiter.close();
      } finally {
        await proxy.close();
      }
    }, 60_000);

    it('leader selector: one leader at a time, leadership handed on after each term', async () => {
      const path = lockPath();
      const terms: Array<[string, number, number]> = [];
      const selectors = await Promise.all(['a', 'b'].map(async (name) => {
        const sel = new LeaderSelector(await session(), path, async () => {
          const start = performance.now();
          await sleep(20);
          terms.push([name, start, performance.now()]);
        }, { requeue: true });
        sel.start();
        return sel;
      }));
      await until(() => terms.length >= 6, 10_000, 'six terms');
      for (const s of selectors) await s.close();
      expect(new Set(terms.map((t) => t[0]))).toEqual(new Set(['a', 'b']));
      expectNoOverlap(terms.map(([, a, b]) => [a, b]));
    });

    it('runAsLeader and runAsElected run work only while leading', async () => {
      const path = lockPath();
      expect(await runAsLeader(await session(), path, async (signal) => (signal.aborted ? 'aborted' : 'led'))).toBe('led');
      const code = await runAsElected(await session(), `${path}-elected`, process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
      expect(code).toBe(3);
    });

    it('runWithLock runs a command under the lock and passes its exit code through', async () => {
      const code = await runWithLock(await session(), lockPath(), process.execPath, ['-e', 'process.exit(7)'], { stdio: 'ignore' });
      expect(code).toBe(7);
    });
  });
}
