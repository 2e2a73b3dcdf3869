import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { clientSuite } from './client-suite.js';

clientSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper({ tickTime: 500, extraConfig: { minSessionTimeout: '1000' } });
      return { connectionString: zk.connectionString, port: zk.nodes[0].clientPort, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('client suite against Apache ZooKeeper'),
);
