import { afterAll, beforeAll } from 'vitest';
import { sideBySide as pairWithZooKeeper, type ZooKeeperEnsemble, type ZooKeeperOptions } from '@zoo/zookeeper';
import { ZooServer, type ZooServerOptions } from '../src/index.js';

/** A real ZooKeeper and a ZooServer for one test file, started together and stopped after it. */
export function sideBySide(options: { zookeeper?: ZooKeeperOptions; server?: ZooServerOptions } = {}): { zk: () => ZooKeeperEnsemble; zoo: () => ZooServer } {
  const pair = pairWithZooKeeper(() => ZooServer.start({ port: 0, ...options.server }), options.zookeeper);
  beforeAll(pair.start, 60_000);
  afterAll(pair.stop);
  return { zk: pair.zk, zoo: pair.other };
}
