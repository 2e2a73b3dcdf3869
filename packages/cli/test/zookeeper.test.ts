import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { cliSuite } from './cli-suite.js';

cliSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper();
      return { connectionString: zk.connectionString, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('zoo CLI against Apache ZooKeeper'),
);
