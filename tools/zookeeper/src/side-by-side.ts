import { startZooKeeper, type ZooKeeperEnsemble, type ZooKeeperOptions } from './zookeeper-process.js';

export interface SideBySide<S> {
  /** Starts both at once; if either fails, the other is stopped and the error thrown. */
  start(): Promise<void>;
  /** Stops whatever started. */
  stop(): Promise<void>;
  zk(): ZooKeeperEnsemble;
  other(): S;
}

/**
 * A real Apache ZooKeeper and another server (ZooServer) for comparing the two: pass `start`
 * and `stop` to a suite's beforeAll/afterAll. The other server is started by the caller's
 * function, so this harness does not depend on it.
 */
export function sideBySide<S extends { close(): Promise<void> }>(startOther: () => Promise<S>, options: ZooKeeperOptions = {}): SideBySide<S> {
  let zk: ZooKeeperEnsemble | undefined;
  let other: S | undefined;
  const stop = async () => {
    await zk?.stop();
    await other?.close();
    zk = other = undefined;
  };
  return {
    async start() {
      const [a, b] = await Promise.allSettled([startZooKeeper(options), startOther()]);
      if (a.status === 'fulfilled') zk = a.value;
      if (b.status === 'fulfilled') other = b.value;
      if (a.status === 'rejected' || b.status === 'rejected') {
        await stop();
        throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
      }
    },
    stop,
    zk: () => {
      if (!zk) throw new Error('sideBySide: not started');
      return zk;
    },
    other: () => {
      if (!other) throw new Error('sideBySide: not started');
      return other;
    },
  };
}
