import { ZooServer } from '@zoo/server';
import { lockSuite } from './lock-suite.js';

lockSuite('ZooServer', {
  async start() {
    const server = await ZooServer.start({ port: 0, tickTime: 500, minSessionTimeout: 1000 });
    return { connectionString: server.connectionString, port: server.port, stop: () => server.close() };
  },
});
