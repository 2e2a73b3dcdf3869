import { ZooServer } from '@zoo/server';
import { cliSuite } from './cli-suite.js';

cliSuite('ZooServer', {
  async start() {
    const server = await ZooServer.start({ port: 0 });
    return { connectionString: server.connectionString, stop: () => server.close() };
  },
});
