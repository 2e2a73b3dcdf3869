import { describe, expect, it } from 'vitest';
import { requireZooKeeper } from '@zoo/zookeeper';
import { EventType, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { RawClient, until } from './raw-client.js';
import { sideBySide } from './side-by-side.js';

/**
 * A client dies (its socket is dropped, no closeSession) right after creating an ephemeral; a
 * second client watches the node. ZooKeeper deletes it when the session's expiry bucket comes
 * due: at the first tickTime boundary after last-touch + timeout. ZooServer must fall in the
 * same window. The only slack is for scheduling the delete and its notification; the window
 * itself is what the session semantics allow (at least the timeout, at most one tick beyond it).
 */
const TICK = 2000;
const TIMEOUT = 2 * TICK; // the smallest timeout a server negotiates
const SLACK = 500;
const DYING = 3;

interface Death {
  /** Before the last request was sent / after its reply: the server touched the session between. */
  sent: number;
  replied: number;
  deleted: number;
}

async function deaths(port: number, side: string): Promise<Death[]> {
  const watcher = await RawClient.open(port, { timeOut: 30_000 });
  try {
    return await Promise.all(
      Array.from({ length: DYING }, async (_, i) => {
        // staggered, so the deaths fall at different points of a tick
        await new Promise((r) => setTimeout(r, i * 700));
        const path = `/expiry-${side}-${i}`;
        const dying = await RawClient.open(port, { timeOut: TIMEOUT });
        expect(dying.session?.timeOut).toBe(TIMEOUT);
        const sent = Date.now();
        expect((await dying.send({ op: OpCode.create, path, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 1 })).header.err).toBe(0);
        const replied = Date.now();
        dying.socket.destroy();
        expect((await watcher.send({ op: OpCode.exists, path, watch: true })).header.err).toBe(0);
        let deleted = 0;
        await until(() => {
          if (watcher.events.some((e) => e.path === path && e.type === EventType.NodeDeleted)) deleted ||= Date.now();
          return deleted > 0;
        }, 4 * TIMEOUT, `${path} to be deleted`);
        return { sent, replied, deleted };
      }),
    );
  } finally {
    await watcher.close();
  }
}

const roundUpToTick = (t: number) => (Math.floor(t / TICK) + 1) * TICK;

describe.runIf(requireZooKeeper('session expiry against ZooServer'))('a dead client\'s ephemerals go when ZooKeeper\'s would', () => {
  const { zk, zoo } = sideBySide({ zookeeper: { tickTime: TICK }, server: { tickTime: TICK, maxClientCnxns: 0 } });

  it('deletes them within [timeout, timeout + one tick] of the last request, on both', async () => {
    const [onZooKeeper, onZoo] = await Promise.all([deaths(zk().nodes[0].clientPort, 'zk'), deaths(zoo().port, 'zoo')]);
    for (const [side, list] of [['ZooKeeper', onZooKeeper], ['ZooServer', onZoo]] as const) {
      for (const d of list) {
        const detail = `${side}: ${JSON.stringify(d)}`;
        // never before the timeout has passed since the last touch (a few ms for clocks read apart)
        expect(d.deleted - d.sent, detail).toBeGreaterThanOrEqual(TIMEOUT - 20);
        expect(d.deleted - d.replied, detail).toBeLessThanOrEqual(TIMEOUT + TICK + SLACK);
      }
    }
    // ZooServer's buckets are wall-clock tick boundaries: the delete comes at the bucket of the
    // last touch, not a polling period after it
    for (const d of onZoo) {
      const detail = JSON.stringify(d);
      expect(d.deleted, detail).toBeGreaterThanOrEqual(roundUpToTick(d.sent + TIMEOUT) - 20);
      expect(d.deleted, detail).toBeLessThanOrEqual(roundUpToTick(d.replied + TIMEOUT) + SLACK);
    }
  }, 60_000);
});
