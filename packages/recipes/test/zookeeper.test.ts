import { requireZooKeeper, startZooKeeper } from '@zoo/zookeeper';
import { recipesSuite } from './recipes-suite.js';

recipesSuite(
  'Apache ZooKeeper 3.8',
  {
    async start() {
      const zk = await startZooKeeper({ tickTime: 500, extraConfig: { minSessionTimeout: '1000' } });
      return { connectionString: zk.connectionString, port: zk.nodes[0].clientPort, stop: () => zk.stop() };
    },
  },
  requireZooKeeper('recipes against Apache ZooKeeper'),
);
