import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode } from '@zoo/core';
import type { WatchedEvent, ZooSession } from '@zoo/client';
import { ServiceCache } from './service-cache.js';
import { makeInstance, toCuratorJson } from './service-instance.js';

const stat = (mzxid: number) => ({ czxid: 1n, mzxid: BigInt(mzxid), ctime: 0n, mtime: 0n, version: mzxid, cversion: 1, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n });

/** Just what ServiceCache (through its PathChildrenCache) uses of a ZooSession, with getData answers under the test's control. */
class FakeSession extends EventEmitter {
  watch?: (e: WatchedEvent) => void;
  started = true;
  answer: () => Promise<{ data: Buffer | null; stat: ReturnType<typeof stat> }> = async () => ({ data: toCuratorJson(makeInstance({ name: 'svc', id: 'a', address: '10.0.0.1', port: 1 }, 1000)), stat: stat(2) });
  readonly client = {
    state: 'connected',
    watches: { data: new Map(), exist: new Map(), child: new Map(), recursive: new Map(), remove: () => false },
    addWatch: async (_path: string, listener: (e: WatchedEvent) => void) => {
      this.watch = listener;
    },
    removeWatches: async () => {},
    getChildren: async () => ({ children: ['a'], stat: stat(1) }),
    exists: async () => null,
    getData: (path: string) => (path === '/services/svc' ? Promise.resolve({ data: null, stat: stat(1) }) : this.answer()),
  };
  async start() {
    return this.client;
  }
}

describe('ServiceCache', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('a re-read cut off by a lost connection is not an unhandled rejection, and is redone after the reconnect', async () => {
    process.on('unhandledRejection', onUnhandled);
    const session = new FakeSession();
    const cache = new ServiceCache(session as unknown as ZooSession, '/services/svc', 'svc');
    await cache.start();
    expect(cache.instances().map((i) => i.port)).toEqual([1]);

    // the instance's data changes, and the connection drops before the re-read is answered
    session.answer = async () => {
      throw new ZooError(ZooErrorCode.CONNECTIONLOSS, undefined, { path: '/services/svc/a', op: 'getData' });
    };
    session.watch!({ type: 3, state: 3, path: '/services/svc/a' });
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
    expect(cache.instances().map((i) => i.port)).toEqual([1]); // the last known value stays

    // back online: the re-sync re-reads the instance whose re-read was lost
    session.answer = async () => ({ data: toCuratorJson(makeInstance({ name: 'svc', id: 'a', address: '10.0.0.1', port: 2 }, 1000)), stat: stat(3) });
    session.emit('reconnected', session.client);
    await cache.refresh();
    expect(cache.instances().map((i) => i.port)).toEqual([2]);
    cache.close();
  });
});
