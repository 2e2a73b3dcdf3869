import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { lockSuite } from './lock-suite.js';

lockSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper({ tickTime: 500, extraConfig: { minSessionTimeout: '1000' } });
      return { connectionString: zk.connectionString, port: zk.nodes[0].clientPort, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('locks against Apache ZooKeeper'),
);
