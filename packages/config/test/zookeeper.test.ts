import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { configSuite } from './config-suite.js';

configSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper();
      return { connectionString: zk.connectionString, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('config against Apache ZooKeeper'),
);
