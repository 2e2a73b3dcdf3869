import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ZooClientOptions } from '@zoo/client';
import { zooHealth, zooRegistration, type ZooRegistration } from '@zoo/express';

export interface CatalogOptions {
  connectionString: string;
  /** Instance name (shown in responses, so load balancing is visible). */
  name: string;
  port?: number;
  host?: string;
  /** Options of the registration's session (the demo asks for a short sessionTimeout, so a killed instance leaves the registry soon). */
  clientOptions?: ZooClientOptions;
}

export interface RunningService {
  url: string;
  server: Server;
  registration: ZooRegistration;
  stop(): Promise<void>;
}

const PRODUCTS = [
  { id: 'p1', name: 'Zookeeper hat', price: 19, stock: 12 },
  { id: 'p2', name: 'Curator mug', price: 9, stock: 40 },
  { id: 'p3', name: 'Ensemble tee', price: 25, stock: 7 },
];

/** demo-catalog: a product catalog that registers itself as `catalog` when it listens. */
export async function startCatalog(options: CatalogOptions): Promise<RunningService> {
  const app = express();
  app.get('/products', (_req, res) => void res.json({ servedBy: options.name, products: PRODUCTS }));
  app.get('/products/:id', (req, res) => {
    const product = PRODUCTS.find((p) => p.id === req.params.id);
    if (!product) return void res.status(404).json({ error: `no product ${req.params.id}`, servedBy: options.name });
    res.json({ ...product, servedBy: options.name });
  });
  const registration = zooRegistration({ connectionString: options.connectionString, service: { name: 'catalog', id: options.name, address: options.host ?? '127.0.0.1' }, handleSignals: false, clientOptions: options.clientOptions });
  app.get('/health', zooHealth({ session: () => registration.session }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
  });
  registration.attach(server);
  await registration.registered;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    registration,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await registration.close();
    },
  };
}
