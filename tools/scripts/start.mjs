#!/usr/bin/env node
// `npm start`: the whole demo on loopback — an embedded, durable Zoo server (data in ./data),
// two catalog instances (Express), orders (NestJS), the gateway and the dashboard — then a
// live log of registrations, failovers and config changes. Ctrl-C stops everything cleanly.
// Ports: ZOO_PORT (2181), GATEWAY_PORT (8080), DASHBOARD_PORT (8088), ZOO_ADMIN_PORT (8081).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack } from '../../apps/demo-stack/dist/index.js';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const dataDir = resolve(process.env.ZOO_DATA_DIR ?? 'data');
mkdirSync(dataDir, { recursive: true });

const stack = await startStack({
  zooPort: env('ZOO_PORT', 2181),
  gatewayPort: env('GATEWAY_PORT', 8080),
  dashboardPort: env('DASHBOARD_PORT', 8088),
  adminPort: env('ZOO_ADMIN_PORT', 8081),
  dataDir,
});
const { urls } = stack;
const time = () => new Date().toLocaleTimeString();
console.log(`
Zoo is running (data in ${dataDir})

  Zoo server      ${urls.zoo}          (a real ZooKeeper client works: zkCli.sh -server ${urls.zoo})
  admin           ${urls.admin}/commands   and /metrics
  gateway         ${urls.gateway}
  dashboard       ${urls.dashboard}
  orders          ${urls.orders}
  catalog         ${urls.catalogs.join('  ')}

Try:
  curl ${urls.gateway}/catalog/products
  curl -X POST -H 'content-type: application/json' -d '{"productId":"p1","quantity":2}' ${urls.gateway}/orders
  curl ${urls.gateway}/orders/settings
  npx zoo --server ${urls.zoo} config set demo-orders greeting 'Hi from ZooKeeper'   # then the settings again
  npx zoo --server ${urls.zoo} services ls
  npx zoo --server ${urls.zoo} tree /services
  echo srvr | nc 127.0.0.1 ${urls.zoo.split(':')[1]}

Watching registrations, failovers and config changes (Ctrl-C to stop):`);
stack.on('registered', (i) => console.log(`${time()}  + ${i.name} instance ${i.id} at ${i.address}:${i.port}`));
stack.on('unregistered', (i) => console.log(`${time()}  - ${i.name} instance ${i.id} left the registry`));
stack.on('config', (path) => console.log(`${time()}  ~ config changed: ${path}`));

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: unregistering and stopping...`);
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
