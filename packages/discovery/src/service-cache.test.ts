import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooError, ZooErrorCode } from '@zoo/core';
import type { WatchedEvent, ZooSession } from '@zoo/client';
import { ServiceCache } from './service-cache.js';
import { makeInstance, toCuratorJson } from './service-instance.js';

/** Just what ServiceCache uses of a ZooSession, with getData answers under the test's control. */
class FakeSession extends EventEmitter {
  dataWatch?: (e: WatchedEvent) => void;
  answer: () => Promise<{ data: Buffer | null }> = async () => ({ data: toCuratorJson(makeInstance({ name: 'svc', id: 'a', address: '10.0.0.1', port: 1 }, 1000)) });
  readonly client = {
    getChildren: async () => ({ children: ['a'] }),
    exists: async () => null,
    getData: (_path: string, options: { watch: (e: WatchedEvent) => void }) => {
      this.dataWatch = options.watch;
      return this.answer();
    },
  };
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
    session.dataWatch!({ type: 3, state: 3, path: '/services/svc/a' });
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
    expect(cache.instances().map((i) => i.port)).toEqual([1]); // the last known value stays

    // back online: the refresh re-reads the instance whose re-read was lost, not only new ones
    session.answer = async () => ({ data: toCuratorJson(makeInstance({ name: 'svc', id: 'a', address: '10.0.0.1', port: 2 }, 1000)) });
    session.emit('reconnected');
    await cache.refresh();
    expect(cache.instances().map((i) => i.port)).toEqual([2]);
    cache.close();
  });
});
