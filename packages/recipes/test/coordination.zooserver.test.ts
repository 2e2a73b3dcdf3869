import { ZooServer } from '@zoo/server';
import { coordinationSuite } from './coordination-suite.js';

coordinationSuite('ZooServer', {
  async start() {
    const server = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000, containerCheckIntervalMs: 200 });
    return { connectionString: server.connectionString, port: server.port, stop: () => server.close() };
  },
});
