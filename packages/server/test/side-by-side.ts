import { afterAll, beforeAll } from 'vitest';
import { startZooKeeper, type ZooKeeperEnsemble } from '@zoo/zookeeper';
import { ZooServer } from '../src/index.js';

/** A real ZooKeeper and a ZooServer for one test file, started together and stopped after it. */
export function sideBySide(): { zk: () => ZooKeeperEnsemble; zoo: () => ZooServer } {
  let zk: ZooKeeperEnsemble | undefined;
  let zoo: ZooServer | undefined;
  beforeAll(async () => {
    [zk, zoo] = await Promise.all([startZooKeeper(), ZooServer.start({ port: 0 })]);
  }, 60_000);
  afterAll(async () => {
    await zk?.stop();
    await zoo?.close();
  });
  return { zk: () => zk!, zoo: () => zoo! };
}
