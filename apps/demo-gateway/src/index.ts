import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ZooSession, type ZooClientOptions } from '@zoo/client';
import { discoveryProxy, zooHealth } from '@zoo/express';

export interface GatewayOptions {
  connectionString: string;
  port?: number;
  host?: string;
  clientOptions?: ZooClientOptions;
}

/** demo-gateway: `/catalog/*` and `/orders/*` go to discovered instances, with failover. */
export async function startGateway(options: GatewayOptions): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const session = new ZooSession(options.connectionString, options.clientOptions);
  await session.start();
  const app = express();
  app.use('/catalog', discoveryProxy('catalog', { session }));
  app.use('/orders', discoveryProxy('orders', { session }));
  app.get('/health', zooHealth({ session }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await session.close();
    },
  };
}
