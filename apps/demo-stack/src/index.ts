import { EventEmitter } from 'node:events';
import { ZooSession } from '@zoo/client';
import { ConfigWriter } from '@zoo/config';
import { ServiceDiscovery, type ServiceInstance } from '@zoo/discovery';
import { ZooServer } from '@zoo/server';
import { startCatalog, type RunningService } from '@zoo/demo-catalog';
import { startOrders } from '@zoo/demo-orders';
import { startGateway } from '@zoo/demo-gateway';
import { startDashboard } from '@zoo/dashboard';

export interface StackOptions {
  /** ZooServer's port (0 = free). */
  zooPort?: number;
  gatewayPort?: number;
  dashboardPort?: number;
  adminPort?: number;
  /** Durable data dir; in-memory without it. */
  dataDir?: string;
}

export interface Stack extends EventEmitter {
  zoo: ZooServer;
  catalogs: RunningService[];
  urls: { zoo: string; gateway: string; dashboard: string; orders: string; catalogs: string[]; admin?: string };
  stop(): Promise<void>;
}

/** The demo configuration of demo-orders (`zoo config set demo-orders greeting hi` changes it live). */
export const DEMO_CONFIG = { greeting: 'Welcome to the Zoo', currency: 'EUR', 'max.quantity': '5' };

/**
 * Starts everything `npm start` runs: an embedded ZooServer, the demo config, two catalog
 * instances, orders, the gateway and the dashboard. Emits `registered`, `unregistered` and
 * `config` as they happen.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const zoo = await ZooServer.start({ host: '127.0.0.1', port: options.zooPort ?? 0, dataDir: options.dataDir, adminPort: options.adminPort, fourLetterWordWhitelist: '*' });
  const cs = zoo.connectionString;
  const stack = new EventEmitter() as Stack;
  const stops: Array<() => Promise<void>> = [];
  try {
    const seed = new ZooSession(cs);
    await seed.start();
    const writer = new ConfigWriter(seed.client);
    const current = await writer.read('/config/demo-orders').catch(() => ({}));
    if (Object.keys(current).length === 0) await writer.import('/config/demo-orders', DEMO_CONFIG);
    stops.push(() => seed.close());

    // what happens, as it happens
    const discovery = new ServiceDiscovery(seed);
    for (const name of ['catalog', 'orders']) {
      const cache = await discovery.cache(name);
      cache.on('added', (i: ServiceInstance) => stack.emit('registered', i));
      cache.on('removed', (i: ServiceInstance) => stack.emit('unregistered', i));
    }
    seed.client.addWatch('/config/demo-orders', (e) => e.path && stack.emit('config', e.path), 'persistentRecursive').catch(() => {});
    stops.push(() => discovery.close());

    const catalogs = [await startCatalog({ connectionString: cs, name: 'catalog-1' }), await startCatalog({ connectionString: cs, name: 'catalog-2' })];
    for (const c of catalogs) stops.push(() => c.stop());
    const orders = await startOrders({ connectionString: cs });
    stops.push(() => orders.stop());
    const gateway = await startGateway({ connectionString: cs, port: options.gatewayPort ?? 0 });
    stops.push(() => gateway.stop());
    const dashboard = await startDashboard({ connectionString: cs, server: zoo, port: options.dashboardPort ?? 0 });
    stops.push(() => dashboard.stop());

    stack.zoo = zoo;
    stack.catalogs = catalogs;
    stack.urls = { zoo: cs, gateway: gateway.url, dashboard: dashboard.url, orders: orders.url, catalogs: catalogs.map((c) => c.url), admin: zoo.adminPort ? `http://127.0.0.1:${zoo.adminPort}` : undefined };
    stack.stop = async () => {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await zoo.close();
    };
    return stack;
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await zoo.close();
    throw err;
  }
}
