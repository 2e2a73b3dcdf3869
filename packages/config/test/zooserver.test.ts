import { ZooServer } from '@zoo/server';
import { configSuite } from './config-suite.js';

configSuite('ZooServer', {
  async start() {
    const server = await ZooServer.start({ port: 0 });
    return { connectionString: server.connectionString, stop: () => server.close() };
  },
});
