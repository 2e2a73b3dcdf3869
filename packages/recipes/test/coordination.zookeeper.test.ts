import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { coordinationSuite } from './coordination-suite.js';

coordinationSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper({ tickTime: 500, extraConfig: { minSessionTimeout: '1000' } });
      return { connectionString: zk.connectionString, port: zk.nodes[0].clientPort, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('queues, counters and barriers against Apache ZooKeeper'),
);
