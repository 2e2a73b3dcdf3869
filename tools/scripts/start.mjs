#!/usr/bin/env node
// `npm start`: the demo on loopback, one Node process per service from the built dist/ — a
// durable Zoo server (data in ./data), two catalog instances (Express), orders (NestJS), the
// gateway and the dashboard — supervised by this script: it prints each pid next to its URL,
// reports a process that dies and restarts nothing (kill -9 a catalog and watch the gateway
// fail over), and Ctrl-C stops everything, services first so they unregister.
// Environment: ZOO_PORT (2181), GATEWAY_PORT (8080), DASHBOARD_PORT (8088), ZOO_ADMIN_PORT
// (8081), ZOO_DATA_DIR (./data), ZOO_SESSION_TIMEOUT (6000 ms), ZOO_CONNECT (an existing
// ZooKeeper/Zoo ensemble, host:port,..., instead of the embedded server).
// `npm start -- --ensemble`: the demo on a local 3-node Apache ZooKeeper (Debian's `zookeeper`).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDemo } from '../../apps/demo-stack/dist/index.js';

const env = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name}="${v}" is not a port or a number of ms`);
    process.exit(2);
  }
  return n;
};

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== '--ensemble') {
    console.error(`npm start: unknown option "${a}" (the only one is --ensemble: the demo on a local 3-node Apache ZooKeeper)`);
    process.exit(2);
  }
}
// Ctrl-C while starting: stop what has started (a second one exits at once)
const starting = new AbortController();
const abortStart = (signal) => {
  if (starting.signal.aborted) process.exit(130);
  console.log(`\n${signal} while starting: stopping what has started...`);
  starting.abort(new Error(`${signal} while starting`));
};
process.on('SIGINT', abortStart);
process.on('SIGTERM', abortStart);

let ensemble;
if (args.includes('--ensemble')) {
  if (process.env.ZOO_CONNECT) {
    console.error('npm start: --ensemble starts its own ZooKeeper; leave ZOO_CONNECT unset with it');
    process.exit(2);
  }
  const { startZooKeeper, zooKeeperAvailability } = await import('../zookeeper/dist/index.js');
  const { available, reason } = zooKeeperAvailability();
  if (!available) {
    console.error(`npm start -- --ensemble needs Apache ZooKeeper and Java: ${reason}.\nOn Debian/Ubuntu: sudo apt-get install zookeeper   (or run the demo on an ensemble you have: ZOO_CONNECT=host:port,host:port,... npm start)`);
    process.exit(1);
  }
  console.log('Starting a 3-node Apache ZooKeeper ensemble on loopback (throwaway data)...');
  try {
    ensemble = await startZooKeeper({ nodes: 3, ownProcessGroup: true, startTimeoutMs: 60_000 });
  } catch (err) {
    console.error(`npm start: the ZooKeeper ensemble did not start: ${err.message}`);
    process.exit(1);
  }
  if (starting.signal.aborted) {
    await ensemble.stop();
    console.log('stopped');
    process.exit(0);
  }
}

const connect = ensemble?.connectionString ?? (process.env.ZOO_CONNECT || undefined);
const dataDir = connect ? undefined : resolve(process.env.ZOO_DATA_DIR ?? 'data');
if (dataDir) mkdirSync(dataDir, { recursive: true });
const sessionTimeout = env('ZOO_SESSION_TIMEOUT', 6000);

console.log(connect ? `Starting the demo on ${connect}...` : 'Starting the demo...');
let demo;
try {
  demo = await startDemo({
    signal: starting.signal,
    connect,
    zooPort: env('ZOO_PORT', 2181),
    adminPort: env('ZOO_ADMIN_PORT', 8081),
    gatewayPort: env('GATEWAY_PORT', 8080),
    dashboardPort: env('DASHBOARD_PORT', 8088),
    dataDir,
    sessionTimeout,
  });
} catch (err) {
  await ensemble?.stop();
  if (starting.signal.aborted) {
    console.log('stopped');
    process.exit(0);
  }
  console.error(`npm start: the demo did not start: ${err.message}`);
  process.exit(1);
}
process.off('SIGINT', abortStart);
process.off('SIGTERM', abortStart);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: unregistering and stopping...`);
  await demo.stop();
  if (ensemble) await ensemble.stop();
  console.log('stopped');
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

const time = () => new Date().toLocaleTimeString();
demo.on('registered', (i) => console.log(`${time()}  + ${i.name} instance ${i.id} at ${i.address}:${i.port}`));
demo.on('unregistered', (i) => console.log(`${time()}  - ${i.name} instance ${i.id} left the registry`));
demo.on('config', (path) => console.log(`${time()}  ~ config changed: ${path}`));
demo.on('exit', (p, code, signal) => {
  const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
  const after = p.role === 'catalog' || p.role === 'orders' ? `; not restarted — it leaves the registry when its session expires (${sessionTimeout / 1000} s)` : '; not restarted';
  console.log(`${time()}  ! ${p.name} (pid ${p.pid}) ${how}${after}`);
});

const urls = demo.urls;
// an ensemble's whole connection string: the CLI fails over between its members as well
const zooAddress = urls.zoo;
const rows = demo.all.map((p) => [p.role === 'zoo' ? 'Zoo server' : p.name, p.url + (p.admin ? `  (admin ${p.admin}/commands)` : ''), p.pid]);
const leaderPid = ensemble ? (await ensemble.leader().catch(() => undefined))?.pid : undefined;
if (ensemble) {
  const modes = await Promise.all(ensemble.nodes.map((n) => n.mode()));
  rows.unshift(...ensemble.nodes.map((n, i) => [`zookeeper-${n.id}`, `127.0.0.1:${n.clientPort}  (${modes[i]})`, n.pid]));
} else if (connect) rows.unshift(['ensemble', connect, '-']);
const width = Math.max(...rows.map(([name]) => name.length));
const urlWidth = Math.max(...rows.map(([, url]) => url.length));
const catalogPid = demo.processes.find((p) => p.role === 'catalog')?.pid;
console.log(`
Zoo demo is running, one process per service (session timeout ${sessionTimeout / 1000} s${dataDir ? `, data in ${dataDir}` : ''})

${rows.map(([name, url, pid]) => `  ${name.padEnd(width)}  ${url.padEnd(urlWidth)}  pid ${pid}`).join('\n')}

Try (from the repository root, in another terminal; the curl lines need curl, the GET ones also open in a browser):
  curl ${urls.gateway}/catalog/products
  curl -X POST -H 'content-type: application/json' -d '{"productId":"p1","quantity":2}' ${urls.gateway}/orders
  curl ${urls.gateway}/orders/settings
  npx zoo --server ${zooAddress} config set demo-orders greeting 'Hi from ZooKeeper'   # then the settings again
  npx zoo --server ${zooAddress} services ls
  npx zoo --server ${zooAddress} tree /services
${leaderPid ? `  kill -9 ${leaderPid}      # the ZooKeeper leader dies: the ensemble elects another, sessions and registrations survive\n` : ''}  kill -9 ${catalogPid}      # a catalog dies: the gateway fails over at once; it leaves the registry when its session expires, within ~${sessionTimeout / 1000 + 2} s (the ${sessionTimeout / 1000} s timeout, rounded up to the server's 2 s tick)
  ${zooAddress === '127.0.0.1:2181' ? '' : `ZOO_CONNECT=${zooAddress} `}npm run demo:catalog   # one more catalog on a free port; it joins the load balancing at once${urls.admin ? `\n  curl ${urls.admin}/commands/server_stats      # or, with netcat installed: echo srvr | nc 127.0.0.1 ${zooAddress.split(':')[1]}` : ''}

The dashboard, in a browser: ${urls.dashboard} (tree, services, sessions, live events)

Watching registrations, failovers and config changes (Ctrl-C stops everything):`);
